"""`manage.py import_report` as a new user would run it."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from tests.importer.conftest import DATA, FORUM_PAGE, SEED
from tracker.choices import TaskKind
from tracker.models import Indicator, Plan, Task
from tracker.services.demo import departments_load
from tracker.services.seed import plan_seed_parse

ROOT = Path(__file__).resolve().parents[2]


def run_import(*args) -> str:
    out = []

    class Sink:
        def write(self, text):
            out.append(text)

        def flush(self):
            pass

    call_command("import_report", *map(str, args), stdout=Sink())
    return "".join(out)


def test_it_writes_a_draft_and_the_report_text_next_to_it(tmp_path):
    output = run_import(FORUM_PAGE, "--out", tmp_path / "shahekou.yaml")
    draft = yaml.safe_load((tmp_path / "shahekou.yaml").read_text(encoding="utf-8"))
    assert draft["plan"]["source"] == "shahekou.txt"
    assert "default_assignment" not in draft
    assert (tmp_path / "shahekou.txt").read_text(encoding="utf-8") == \
        (ROOT / "seeds" / "2023-shahekou-work-report.txt").read_text(encoding="utf-8")
    assert "工作领域 8 个" in output and "seed_report" in output


def test_the_draft_of_the_forum_page_loads_as_the_plan_the_curated_seed_gives(tmp_path, db):
    departments_load()
    run_import(FORUM_PAGE, "--out", tmp_path / "draft.yaml")
    call_command("seed_report", str(tmp_path / "draft.yaml"), stdout=open("/dev/null", "w"))
    plan = Plan.objects.get()
    curated = plan_seed_parse(SEED)
    assert (plan.region, plan.year, plan.title, plan.adopted_on, plan.source_text) == (
        curated.region, curated.year, curated.title, curated.adopted_on, curated.source_text)
    assert list(plan.areas.order_by("order").values_list("code", "title", "source_start")) == [
        (a.code, a.title, a.span.start) for a in curated.areas]
    key_tasks = Task.objects.filter(plan=plan, kind=TaskKind.KEY_TASK).order_by("position")
    assert list(key_tasks.values_list("code", "title", "source_start", "text")) == [
        (k.code, k.title, k.span.start, k.text) for a in curated.areas for k in a.tasks]
    headline = Indicator.objects.filter(plan=plan, task=None).order_by("order")
    assert list(headline.values_list("code", "source_start", "comparator", "target_value")) == [
        (t.code, t.span.start, t.comparator, t.target_value) for t in curated.headline_targets]
    assert all(t.lead_department_id is None for t in Task.objects.filter(plan=plan))


def test_it_refuses_a_file_that_is_no_report_with_one_clear_message(tmp_path):
    with pytest.raises(CommandError) as error:
        run_import(DATA / "not-a-report.txt", "--out", tmp_path / "draft.yaml")
    assert "不像是一份政府工作报告" in str(error.value)
    assert not (tmp_path / "draft.yaml").exists()


def test_it_exits_non_zero_with_a_single_line_for_a_file_that_is_no_report(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "import_report", str(DATA / "not-a-report.txt"),
         "--out", str(tmp_path / "draft.yaml")],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert "不像是一份政府工作报告" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_does_not_overwrite_a_draft_unless_told_to(tmp_path):
    run_import(DATA / "2024-qinghe-district-no-targets.txt", "--out", tmp_path / "d.yaml")
    with pytest.raises(CommandError, match="--force"):
        run_import(DATA / "2024-qinghe-district-no-targets.txt", "--out", tmp_path / "d.yaml")
    run_import(DATA / "2024-qinghe-district-no-targets.txt", "--out", tmp_path / "d.yaml",
               "--force")


def test_it_reports_a_missing_file_and_refuses_a_txt_draft_name(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        run_import(tmp_path / "missing.txt", "--out", tmp_path / "d.yaml")
    with pytest.raises(CommandError, match=r"\.txt"):
        run_import(FORUM_PAGE, "--out", tmp_path / "d.txt")


def test_it_prints_the_missing_targets_note_and_takes_year_and_region_from_options(tmp_path):
    output = run_import(DATA / "2024-qinghe-district-no-targets.txt", "--out",
                        tmp_path / "d.yaml", "--year", "2025", "--region", "清河区（试点）")
    assert "没有主要预期目标" in output
    plan = yaml.safe_load((tmp_path / "d.yaml").read_text(encoding="utf-8"))["plan"]
    assert (plan["year"], plan["region"]) == (2025, "清河区（试点）")
