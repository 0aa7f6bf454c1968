"""The curated 2023 plan loads completely, idempotently, and refuses malformed files."""

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from accounts.models import Department
from tracker.choices import Comparator, TaskKind
from tracker.models import Area, Indicator, Plan, ProgressEntry, Task
from tracker.services.demo import departments_load

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED = SEEDS / "2023-shahekou-plan.yaml"
REPORT = (SEEDS / "2023-shahekou-work-report.txt").read_text(encoding="utf-8")
LINES = REPORT.split("\n")
SECTION_TWO = next(i for i, line in enumerate(LINES) if line.startswith("二、"))
CLOSING = next(i for i, line in enumerate(LINES) if i > SECTION_TWO and line.startswith("各位代表"))
AREA_HEADING = re.compile(r"^[(（][一二三四五六七八九十]+[)）]")


@pytest.fixture
def departments(db):
    departments_load()


@pytest.fixture
def seeded(departments):
    call_command("seed_report", str(SEED), stdout=open("/dev/null", "w"))
    return Plan.objects.get(year=2023)


def section_two_paragraphs():
    body = LINES[SECTION_TWO + 1:CLOSING]
    first_area = next(i for i, line in enumerate(body) if AREA_HEADING.match(line))
    return body[first_area:]


def test_it_keeps_a_clean_copy_of_the_report_body():
    assert REPORT.startswith("2023年大连市沙河口区政府工作报告")
    assert REPORT.rstrip().endswith("而团结奋斗!")
    assert "设为首页" not in REPORT and "Powered by" not in REPORT


def test_it_seeds_every_area_heading_of_section_two(seeded):
    headings = [line[: line.index("。") + 1] for line in section_two_paragraphs()
                if AREA_HEADING.match(line)]
    assert len(headings) == 8
    assert list(Area.objects.filter(plan=seeded).order_by("order")
                .values_list("source_quote", flat=True)) == headings


def test_it_seeds_every_key_task_lead_sentence(seeded):
    leads = [line[: line.index("。") + 1] for line in section_two_paragraphs()
             if line.strip() and not AREA_HEADING.match(line)]
    seeded_leads = list(Task.objects.filter(plan=seeded, kind=TaskKind.KEY_TASK)
                        .order_by("position").values_list("source_quote", flat=True))
    assert seeded_leads == leads
    assert len(leads) == 27


def test_it_seeds_every_number_of_the_headline_targets_paragraph(seeded):
    paragraph = next(line for line in LINES if "主要预期目标" in line)
    quotes = list(Indicator.objects.filter(plan=seeded, task=None)
                  .values_list("source_quote", flat=True))
    numbers = re.findall(r"\d+(?:\.\d+)?%?", paragraph.replace("2023年", ""))
    assert numbers, "the paragraph has numbers"
    for number in numbers:
        assert any(number in quote for quote in quotes), number
    # The "in step with" targets are there too, as qualitative indicators.
    in_step = " ".join(Indicator.objects.filter(plan=seeded, task=None,
                                                comparator=Comparator.IN_STEP)
                       .values_list("name", flat=True))
    for name in ("城镇居民人均可支配收入", "固定资产投资", "实际利用外资", "外贸进出口总额"):
        assert name in in_step


@pytest.mark.parametrize(
    ("quote_part", "unit", "value"),
    [("新增就业1.76万人", "万人", "1.76"), ("老旧小区改造178万平方米", "万平方米", "178"),
     ("高新技术企业总量突破150家", "家", "150")],
)
def test_it_seeds_quantified_measures_as_indicators(seeded, quote_part, unit, value):
    indicator = Indicator.objects.get(plan=seeded, source_quote__contains=quote_part)
    assert indicator.unit == unit and indicator.target_value == Decimal(value)
    assert indicator.task.kind == TaskKind.MEASURE


def test_it_points_every_source_reference_at_its_quote(seeded):
    text = seeded.source_text
    rows = [*Area.objects.filter(plan=seeded), *Task.objects.filter(plan=seeded),
            *Indicator.objects.filter(plan=seeded)]
    assert len(rows) > 90
    for row in rows:
        assert text[row.source_start:row.source_end] == row.source_quote, row


def test_it_sets_baselines_from_the_review_of_2022(seeded):
    gdp = Indicator.objects.get(plan=seeded, task=None, source_quote__contains="地区生产总值")
    assert (float(gdp.baseline), gdp.baseline_year, gdp.comparator) == (5.2, 2022, "approx")
    assert gdp.baseline_quote in seeded.source_text


def test_it_defaults_deadlines_to_year_end_and_fourteenth_five_year_plan_to_2025(seeded):
    deadlines = set(Task.objects.filter(plan=seeded).values_list("deadline", flat=True))
    assert {d.isoformat() for d in deadlines} <= {"2023-12-31", "2025-12-31"}
    unicorn = Task.objects.get(plan=seeded, source_quote__contains="独角兽")
    assert unicorn.deadline.isoformat() == "2025-12-31"


def test_it_marks_seeded_owners_as_a_default_assignment(seeded):
    tasks = Task.objects.filter(plan=seeded)
    assert not tasks.filter(lead_department=None).exists()
    assert not tasks.filter(assignment_is_default=False).exists()


@pytest.mark.postgres
def test_it_changes_nothing_on_a_second_run(seeded, capsys):
    before = {t.pk: (t.updated_at, t.title) for t in Task.objects.all()}
    history = Task.history.count()
    call_command("seed_report", str(SEED))
    out = capsys.readouterr().out
    assert "0 created, 0 updated" in out
    assert {t.pk: (t.updated_at, t.title) for t in Task.objects.all()} == before
    assert Task.history.count() == history
    assert Plan.objects.count() == 1


@pytest.mark.postgres
def test_it_updates_edited_items_in_place_and_keeps_progress(seeded, tmp_path, supervisor):
    from tracker.services.progress import progress_entry_create

    task = Task.objects.get(plan=seeded, code="A1.1")
    progress_entry_create(task=task, author=supervisor, percent=30, progress_text="开工")
    staff_choice = Department.objects.get(short_name="财政局")
    task.refresh_from_db()
    other = Task.objects.get(plan=seeded, code="A1.2")
    other.lead_department, other.assignment_is_default = staff_choice, False
    other.save()

    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data["areas"][0]["tasks"][0]["title"] = "狠抓项目扩大有效投资"
    data["areas"][0]["tasks"][0]["departments"]["lead"] = "商务局"
    edited = copy_seed(tmp_path, data)
    call_command("seed_report", str(edited), stdout=open("/dev/null", "w"))

    task.refresh_from_db()
    other.refresh_from_db()
    assert task.title == "狠抓项目扩大有效投资"
    assert task.lead_department.short_name == "商务局"  # still the default: follows the file
    assert other.lead_department == staff_choice  # corrected by staff: kept
    assert ProgressEntry.objects.filter(task=task).count() == 1
    assert task.percent == 30
    assert Task.objects.filter(plan=seeded).count() == 56


def copy_seed(tmp_path, data) -> Path:
    shutil.copy(SEEDS / "2023-shahekou-work-report.txt", tmp_path)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["areas"][2]["tasks"][1].update(quote="不存在的任务。"),
         r"areas\[2\] \(A3\)\.tasks\[1\] \(A3\.2\): field 'quote'"),
        (lambda d: d["headline_targets"][0].update(target_value="六"),
         r"headline_targets\[0\] \(T01\): field 'target_value'"),
        (lambda d: d["headline_targets"][1].update(comparator="more"),
         r"\(T02\): field 'comparator'"),
        (lambda d: d["areas"][0]["tasks"][0].update(deadline="2023-13-01"),
         r"\(A1\.1\): field 'deadline'"),
        (lambda d: d["areas"][1]["tasks"][0]["measures"][0].update(code="A1.1"),
         r"item A1\.1: field 'code': used more than once"),
        (lambda d: d["areas"][0]["tasks"][0].update(departments={"lead": "宣传部"}),
         r"unknown departments 宣传部"),
        (lambda d: d.pop("areas"), r"field 'areas'"),
    ],
)
def test_it_refuses_a_malformed_file_and_writes_nothing(departments, tmp_path, edit, message):
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    edit(data)
    path = copy_seed(tmp_path, data)
    with pytest.raises(CommandError, match=message) as error:
        call_command("seed_report", str(path))
    assert str(path) in str(error.value)
    assert Plan.objects.count() == Task.objects.count() == Indicator.objects.count() == 0


@pytest.mark.postgres
def test_it_rolls_back_everything_when_the_database_refuses_an_item(departments, tmp_path):
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    # The file checks pass, but the last task's deadline breaks a database constraint
    # after every other item has been written.
    data["areas"][-1]["tasks"][-1]["deadline"] = "2022-06-30"  # before the plan starts
    path = copy_seed(tmp_path, data)
    with pytest.raises(Exception):  # noqa: B017 - any database error will do
        call_command("seed_report", str(path), stdout=open("/dev/null", "w"))
    assert Plan.objects.count() == Area.objects.count() == Task.objects.count() == 0


def test_it_refuses_invalid_yaml_with_one_plain_line(departments, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("format: 1\nplan: [unclosed\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        call_command("seed_report", str(path))
    assert "not valid YAML" in str(error.value) and "\n" not in str(error.value)


def test_it_rebases_the_plan_onto_another_year(seeded):
    call_command("seed_report", str(SEED), "--rebase-year", "2026", stdout=open("/dev/null", "w"))
    rebased = Plan.objects.get(year=2026)
    assert "2026年度" in rebased.title and "2023年报告为模板" in rebased.title
    assert rebased.template_year == 2023
    dates = set(Task.objects.filter(plan=rebased).values_list("deadline", flat=True))
    assert {d.isoformat() for d in dates} == {"2026-12-31", "2028-12-31"}
    assert Task.objects.filter(plan=rebased).count() == Task.objects.filter(plan=seeded).count()


def test_it_prints_a_one_line_summary(departments, capsys):
    call_command("seed_report", str(SEED))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    assert "areas: 8 created" in lines[0] and "tasks: 56 created" in lines[0]
    assert "indicators: 38 created" in lines[0]


@pytest.mark.postgres
def test_it_reorders_items_and_survives_another_file_for_the_same_plan(seeded, tmp_path):
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    first = data["areas"][0]["tasks"][0]
    first["measures"] = list(reversed(first["measures"]))
    call_command("seed_report", str(copy_seed(tmp_path, data)), stdout=open("/dev/null", "w"))
    codes = list(Task.objects.filter(plan=seeded, parent__code="A1.1")
                 .order_by("position").values_list("code", flat=True))
    assert codes == ["A1.1.3", "A1.1.2", "A1.1.1"]

    # A smaller draft of the same plan (its first key task left out, so every position
    # shifts), then the full seed again, then the draft again.
    draft = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    draft["areas"] = draft["areas"][:1]
    draft["areas"][0]["tasks"] = draft["areas"][0]["tasks"][1:]
    other = tmp_path / "draft"
    other.mkdir()
    small = copy_seed(other, draft)
    for path in (small, SEED, small):
        call_command("seed_report", str(path), stdout=open("/dev/null", "w"))
    assert Task.objects.filter(plan=seeded).count() == 56
