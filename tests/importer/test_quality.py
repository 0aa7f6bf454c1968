"""The importer's draft of the 2023 report against the hand-curated seed."""

import pytest

from tests.importer.compare import compare, report
from tests.importer.conftest import FORUM_PAGE, SEED
from tracker.importer import import_report
from tracker.services.seed import plan_seed_parse


@pytest.fixture(scope="module")
def scores():
    draft = import_report(FORUM_PAGE.read_text(encoding="utf-8"))
    return {s.kind: s for s in compare(draft, plan_seed_parse(SEED))}


def test_it_finds_every_area_key_task_and_headline_target_of_the_curated_plan(
        scores, record_quality):
    text = report(list(scores.values()))
    record_quality(text)
    for kind in ("headline targets", "areas", "key tasks"):
        assert scores[kind].recall == 1.0, text


def test_it_finds_at_least_nine_in_ten_quantified_measures(scores):
    text = report(list(scores.values()))
    assert scores["measures"].recall >= 0.9, text


def test_it_reads_values_units_and_comparators_as_the_curators_did():
    draft = import_report(FORUM_PAGE.read_text(encoding="utf-8"))
    spec = plan_seed_parse(SEED)
    expected = [(t.target_value, t.unit, t.comparator) for t in spec.headline_targets]
    assert [(t.value, t.unit, t.comparator) for t in draft.targets] == expected
    disagreements = []
    for area in spec.areas:
        for task in area.tasks:
            for m in task.measures:
                found = next(x for x in draft.measures if x.source.start < m.span.end
                             and m.span.start < x.source.end)
                wanted = (m.indicator.target_value, m.indicator.comparator, m.indicator.direction)
                if (found.value, found.comparator, found.direction) != wanted:
                    disagreements.append((m.code, wanted, found))
    assert disagreements == []
