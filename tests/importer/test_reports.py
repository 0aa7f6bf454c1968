"""Reports of the same genre from other places and years, written as test fixtures:
a city report in full-width marks with （一）…（十一） bare headings, a province report with
a five-year section and bare key-task headings, a district report with no targets."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.importer.conftest import DATA, FORUM_PAGE
from tracker.importer import ReportImportError, draft_write, import_report
from tracker.services.seed import plan_seed_parse

CITY = DATA / "2024-binjiang-city.txt"
PROVINCE = DATA / "2023-yunlan-province.txt"
DISTRICT = DATA / "2024-qinghe-district-no-targets.txt"


def draft_of(path, **kwargs):
    return import_report(path.read_text(encoding="utf-8"), **kwargs)


def targets(draft):
    return [(t.source.quote, t.value, t.unit, t.comparator) for t in draft.targets]


def test_it_reads_year_region_title_and_meeting_date_from_the_front_matter():
    city = draft_of(CITY)
    assert (city.year, city.region, city.title, city.adopted_on) == (
        2024, "滨江市", "2024年滨江市政府工作报告", dt.date(2024, 1, 15))
    province = draft_of(PROVINCE)
    assert (province.year, province.region) == (2023, "云岚省")


def test_it_takes_a_december_meeting_as_the_report_for_the_next_year():
    text = FORUM_PAGE.read_text(encoding="utf-8").replace("2023年大连市沙河口区政府工作报告",
                                                          "大连市沙河口区政府工作报告")
    draft = import_report(text)
    assert (draft.year, draft.adopted_on) == (2023, dt.date(2022, 12, 24))


def test_it_chooses_this_years_list_over_the_review_and_the_conduct_part():
    draft = draft_of(CITY)
    assert len(draft.areas) == 11
    assert draft.areas[0].source.quote == "（一）着力扩大有效需求"
    assert draft.areas[-1].title == "办好十件民生实事"
    assert all("政府" not in area.title for area in draft.areas)


def test_it_chooses_this_years_list_over_a_five_year_plan_section():
    draft = draft_of(PROVINCE)
    assert [a.title for a in draft.areas][:2] == ["全力扩大国内需求", "加快建设现代化产业体系"]
    assert len(draft.areas) == 8


def test_it_finds_the_tasks_list_by_its_lead_in_when_the_report_has_no_numbered_parts():
    draft = draft_of(DISTRICT)
    assert [a.code for a in draft.areas] == ["A1", "A2", "A3", "A4", "A5", "A6"]
    assert draft.areas[0].source.quote == "（一）聚焦项目建设，推动经济量质齐升。"


def test_it_splits_a_full_width_targets_paragraph_with_different_wording():
    assert targets(draft_of(CITY)) == [
        ("地区生产总值增长６％以上", Decimal(6), "%", "gte"),
        ("一般公共预算收入增长５.５％", Decimal("5.5"), "%", "eq"),
        ("固定资产投资增长８％左右", Decimal(8), "%", "approx"),
        ("社会消费品零售总额增长７％", Decimal(7), "%", "eq"),
        ("城镇新增就业６万人以上", Decimal(6), "万人", "gte"),
        ("城镇调查失业率控制在５.５％以内", Decimal("5.5"), "%", "lte"),
        ("居民收入增长与经济增长基本同步", None, "", "in_step"),
        ("单位地区生产总值能耗完成省下达目标任务", None, "", "in_step"),
    ]


def test_it_reads_targets_listed_one_per_line_and_stops_before_the_tasks():
    assert targets(draft_of(PROVINCE)) == [
        ("地区生产总值增长6.5%左右", Decimal("6.5"), "%", "approx"),
        ("一般公共预算收入增长6%", Decimal(6), "%", "eq"),
        ("城镇新增就业65万人以上", Decimal(65), "万人", "gte"),
        ("城镇调查失业率5.5%以内", Decimal("5.5"), "%", "lte"),
        ("居民消费价格涨幅3%左右", Decimal(3), "%", "approx"),
        ("居民人均可支配收入增长与经济增长同步", None, "", "in_step"),
        ("粮食产量稳定在650亿斤以上", Decimal(650), "亿斤", "gte"),
        ("节能减排完成国家下达任务", None, "", "in_step"),
    ]


def test_it_says_plainly_when_a_report_has_no_targets_and_invents_none():
    draft = draft_of(DISTRICT)
    assert draft.targets == []
    assert not draft.found_targets_paragraph
    assert any("没有主要预期目标" in note and "没有编造" in note for note in draft.notes)


def test_it_takes_lead_sentences_and_bare_lines_as_key_tasks():
    city = draft_of(CITY)
    assert [t.title for t in city.areas[0].tasks] == ["全力扩大有效投资", "积极促进消费扩容提质"]
    province = draft_of(PROVINCE)
    first = province.areas[0].tasks[0]
    # A bare heading gives the title; the quote is the paragraph under it, whose measures
    # the seed loader looks for within that paragraph.
    assert first.title == "扩大有效投资"
    assert first.source.quote == "全年实施省重点项目1500个，完成年度投资8000亿元以上。"
    assert [m.source.quote for m in first.measures] == [
        "全年实施省重点项目1500个", "完成年度投资8000亿元以上",
        "加快推进沿海高铁等40个重大交通项目", "新开工水利工程150项"]
    assert first.unplaced == []


def test_it_keeps_measures_of_a_second_paragraph_under_a_bare_heading_aside_and_says_so():
    text = PROVINCE.read_text(encoding="utf-8").replace(
        "新开工水利工程150项。\n", "新开工水利工程150项。\n改造农村公路3000公里。\n")
    task = import_report(text).areas[0].tasks[0]
    assert [m.source.quote for m in task.unplaced] == ["改造农村公路3000公里"]
    assert any("unplaced_measures" in note for note in import_report(text).notes)


def test_it_files_a_measure_in_an_area_heading_under_the_areas_first_task():
    area = draft_of(CITY).areas[-1]
    assert area.tasks[0].measures[0].source.quote == "办好十件民生实事"
    assert area.tasks[0].measures[0].value == 10


def test_it_gives_measures_a_five_year_deadline_when_the_report_says_so():
    draft = import_report(FORUM_PAGE.read_text(encoding="utf-8"))
    unicorn = next(m for m in draft.measures if "独角兽" in m.source.quote)
    assert unicorn.deadline == dt.date(2025, 12, 31)


@pytest.mark.parametrize("path", [CITY, PROVINCE, DISTRICT, FORUM_PAGE],
                         ids=lambda p: p.stem)
def test_every_draft_passes_the_seed_loaders_validation(path, tmp_path):
    draft = draft_of(path)
    draft_path, _ = draft_write(draft, tmp_path / "draft.yaml")
    spec = plan_seed_parse(draft_path)
    assert [a.code for a in spec.areas] == [a.code for a in draft.areas]
    assert [t.code for t in spec.all_tasks] == [
        code for t in draft.tasks for code in (t.code, *[m.code for m in t.measures])]
    for item, found in zip(spec.all_tasks, [x for t in draft.tasks for x in (t, *t.measures)],
                           strict=True):
        assert (item.span.start, item.span.end) == (found.source.start, found.source.end)
    assert [(t.span.start, t.target_value) for t in spec.headline_targets] == [
        (t.source.start, t.value) for t in draft.targets]


def test_it_says_what_it_could_not_find_when_the_text_is_no_report():
    with pytest.raises(ReportImportError) as error:
        draft_of(DATA / "not-a-report.txt")
    assert "不像是一份政府工作报告" in str(error.value)


def test_it_says_when_only_the_review_has_a_numbered_list():
    text = "2024年清河区政府工作报告\n各位代表：\n一、2023年工作回顾\n" \
           "（一）项目建设提速增效。全年实施重点项目86个。\n（二）城区功能不断完善。改造老旧小区46个。\n"
    with pytest.raises(ReportImportError) as error:
        import_report(text)
    assert "上年工作回顾" in str(error.value)


def test_it_reads_an_area_written_as_one_paragraph_as_an_area_with_one_key_task():
    text = ("2024年清河区政府工作报告\n各位代表：\n主要预期目标是：地区生产总值增长5%左右。\n"
            "（一）聚焦项目建设。全年实施区级重点项目90个，完成投资140亿元以上。\n"
            "（二）聚焦民生福祉。新增就业1.3万人。\n")
    draft = import_report(text)
    assert [(a.title, [t.title for t in a.tasks]) for a in draft.areas] == [
        ("聚焦项目建设", ["全年实施区级重点项目90个，完成投资140亿元以上"]),
        ("聚焦民生福祉", ["新增就业1.3万人"]),
    ]
    assert [m.source.quote for m in draft.areas[0].tasks[0].measures] == [
        "全年实施区级重点项目90个", "完成投资140亿元以上"]


def test_it_reads_the_national_style_targets_sentence_with_semicolons():
    text = ("2025年海州市政府工作报告\n各位代表：\n二、2025年政府工作安排\n"
            "今年发展主要预期目标是：地区生产总值增长5%左右；城镇新增就业12万人以上，"
            "城镇调查失业率5.5%左右；居民消费价格涨幅2%左右；居民收入增长和经济增长同步；"
            "国际收支保持基本平衡；粮食产量1.2亿斤以上；单位地区生产总值能耗降低2%左右，"
            "生态环境质量持续改善。\n提出上述预期目标，综合考虑了各方面因素。\n"
            "（一）扩大有效需求。全年实施重点项目300个。\n（二）保障改善民生。新增学位5000个。\n")
    assert [(q, v, u, c) for q, v, u, c in targets(import_report(text))] == [
        ("地区生产总值增长5%左右", Decimal(5), "%", "approx"),
        ("城镇新增就业12万人以上", Decimal(12), "万人", "gte"),
        ("城镇调查失业率5.5%左右", Decimal("5.5"), "%", "approx"),
        ("居民消费价格涨幅2%左右", Decimal(2), "%", "approx"),
        ("居民收入增长和经济增长同步", None, "", "in_step"),
        ("国际收支保持基本平衡", None, "", "in_step"),
        ("粮食产量1.2亿斤以上", Decimal("1.2"), "亿斤", "gte"),
        ("单位地区生产总值能耗降低2%左右", Decimal(2), "%", "approx"),
        ("生态环境质量持续改善", None, "", "in_step"),
    ]
