"""Arbitrary text never crashes the importer: it gives a draft or one clear reason."""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.importer.conftest import DATA
from tracker.importer import ReportImportError, draft_write, import_report
from tracker.importer.draft import Draft
from tracker.services.seed import plan_seed_parse

DRAFTS_SEEN: list[int] = []

# Pieces of real reports, so the fuzzer reaches the deep paths (areas, targets, measures)
# and not only the "no report here" exit.
REPORT_LINES = [line for path in sorted(DATA.glob("*.txt"))
                for line in path.read_text(encoding="utf-8").split("\n") if line]
FRAGMENTS = [*REPORT_LINES[:400], "（一）", "（十一）", "一、", "主要预期目标是：", "——",
             "各位代表：", "。", "\n", "６％左右", "以上", "以内", "控制在", "“", "”", "《",
             "零增长", "十件", "2023年"]

report_like = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)), max_size=60,
).map("\n".join)

NUMERALS = "一二三四五六七八九十"
piece = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40))


@st.composite
def structured_reports(draw) -> str:
    """Title, salutation, maybe a targets paragraph, then numbered areas of random text."""
    lines = [draw(st.sampled_from(["2024年滨江市政府工作报告", "政府工作报告", ""])), "各位代表："]
    if draw(st.booleans()):
        lines.append("主要预期目标是：" + draw(piece))
    for number in range(draw(st.integers(min_value=2, max_value=10))):
        lines.append(f"（{NUMERALS[number]}）" + draw(piece))
        lines.extend(draw(st.lists(piece, max_size=4)))
    lines.extend(draw(st.lists(piece, max_size=3)))
    return "\n".join(lines)


def import_or_refuse(text: str) -> Draft | None:
    try:
        draft = import_report(text)
    except ReportImportError as exc:
        assert str(exc)
        return None
    # Every quote is the written text at its offsets, so the seed loader can find it.
    for item in [*draft.targets, *draft.areas, *draft.tasks, *draft.measures]:
        assert draft.text[item.source.start:item.source.end] == item.source.quote
    # And the seed loader accepts every draft the importer writes.
    with tempfile.TemporaryDirectory() as folder:
        draft_path, _ = draft_write(draft, Path(folder) / "draft.yaml")
        spec = plan_seed_parse(draft_path)
    assert len(spec.areas) == len(draft.areas)
    DRAFTS_SEEN.append(len(draft.areas))
    return draft


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_it_never_crashes_on_arbitrary_text(text):
    import_or_refuse(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_like)
def test_it_never_crashes_on_shuffled_pieces_of_reports(text):
    import_or_refuse(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(structured_reports())
def test_it_never_crashes_on_numbered_areas_of_random_text(text):
    import_or_refuse(text)


def test_the_structured_fuzzing_reaches_drafts_not_only_refusals():
    DRAFTS_SEEN.clear()
    test_it_never_crashes_on_numbered_areas_of_random_text()
    assert len(DRAFTS_SEEN) > 10


def test_it_still_reads_a_report_with_an_odd_piece_inserted():
    text = (DATA / "2024-binjiang-city.txt").read_text(encoding="utf-8")
    draft = import_or_refuse(text.replace("（三）", "（三）\x00\ufeff（", 1))
    assert draft is not None and len(draft.areas) >= 2
