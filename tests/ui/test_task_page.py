"""The task page: what it shows, and reporting progress from it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import IndicatorFactory, MeasureFactory, MilestoneFactory, TaskFactory
from tests.ui.conftest import count_queries
from tracker.choices import Status
from tracker.models import Evidence, IndicatorReading, ProgressEntry
from tracker.services.progress import progress_entry_create
from tracker.services.status import task_status_override

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def task(area, department, other_department, member):
    task = TaskFactory(
        area=area, code="A1.1", title="狠抓项目扩大投资", lead_department=department,
        responsible=member, source_quote="狠抓项目扩大投资。全年实施亿元以上重点项目40个。",
        start_date=dt.date(2023, 1, 1), deadline=dt.date(2023, 12, 31))
    task.co_departments.add(other_department)
    return task


@pytest.fixture
def measure(task):
    return MeasureFactory(parent=task, code="A1.1.1", title="规划实施亿元以上重点项目",
                          lead_department=task.lead_department)


def url(task) -> str:
    return reverse("ui:task", args=[task.pk])


def report(client, task, **data):
    payload = {"percent": "", "progress_text": "", "problems_text": "", "next_steps_text": "",
               "self_status": ""} | data
    return client.post(url(task), payload)


def test_it_asks_a_visitor_to_sign_in(client, task):
    response = client.get(url(task))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("ui:login"))


def test_it_shows_the_source_quote_owners_deadline_and_milestones(signed_in, leader, task,
                                                                   member):
    MilestoneFactory(task=task, order=1, title="一季度开工20个", due_date=dt.date(2023, 3, 31))
    page = signed_in(leader).get(url(task)).content.decode()
    assert "全年实施亿元以上重点项目40个" in page
    assert "区发展和改革局" in page  # lead department
    assert "教育局" in page  # co-department
    assert str(member) in page  # responsible person
    assert "2023-12-31" in page
    assert "一季度开工20个" in page


def test_it_shows_the_status_with_its_reason(signed_in, leader, task, today):
    page = signed_in(leader).get(url(task)).content.decode()
    # Nothing reported by mid-June is far behind the expected 45%: the rule says why.
    assert "序时进度" in page


def test_it_shows_a_supervisors_override_and_its_reason(signed_in, leader, supervisor, task):
    task_status_override(task=task, actor_user=supervisor, status=Status.ON_TRACK,
                         reason="项目已集中开工，进度表滞后于实际")
    page = signed_in(leader).get(url(task)).content.decode()
    assert "督查室认定" in page
    assert "项目已集中开工，进度表滞后于实际" in page


def test_it_charts_each_indicator_against_its_expected_trajectory(signed_in, leader, measure,
                                                                  member, today):
    indicator = IndicatorFactory(task=measure, name="亿元以上重点项目", unit="个",
                                 target_value=40)
    progress_entry_create(task=measure, author=member, percent=40, actual_value=Decimal(17),
                          reported_on=dt.date(2023, 5, 31))
    page = signed_in(leader).get(url(measure)).content.decode()
    assert 'class="chart-trajectory"' in page
    assert "stroke-dasharray" in page  # the expected line
    assert "2023-05-31: 17个" in page  # the actual reading's tooltip
    assert reverse("ui:indicator", args=[indicator.pk]) in page


def test_it_lists_the_timeline_with_evidence_links(signed_in, leader, task, member):
    entry = progress_entry_create(
        task=task, author=member, percent=30, progress_text="已开工12个项目",
        problems_text="土地征收偏慢", next_steps_text="协调供地",
        evidence_files=[SimpleUploadedFile("现场照片.pdf", PDF, "application/pdf")])
    page = signed_in(leader).get(url(task)).content.decode()
    assert f'id="entry-{entry.pk}"' in page
    assert "已开工12个项目" in page and "土地征收偏慢" in page and "协调供地" in page
    evidence = entry.evidence.get()
    assert reverse("ui:evidence", args=[evidence.pk]) in page
    assert "现场照片.pdf" in page
    assert "/media/" not in page  # files are never linked by a public URL


def test_it_shows_the_change_history(signed_in, leader, task, supervisor):
    task.title = "狠抓项目扩大有效投资"
    task._history_user = supervisor
    task.save()
    page = signed_in(leader).get(url(task)).content.decode()
    assert "变更记录" in page
    assert "狠抓项目扩大投资 → 狠抓项目扩大有效投资" in page
    assert str(supervisor) in page


def test_it_offers_the_report_form_to_a_department_member(signed_in, member, task):
    page = signed_in(member).get(url(task)).content.decode()
    assert 'id="report"' in page
    for field in ("percent", "progress_text", "problems_text", "next_steps_text", "evidence"):
        assert f'name="{field}"' in page
        assert f'for="id_{field}"' in page  # every input has its label


def test_it_shows_no_report_form_to_another_departments_member(signed_in, task, db):
    from accounts.models import Role
    from tests.factories import DepartmentFactory, UserFactory

    stranger = UserFactory(role=Role.MEMBER, department=DepartmentFactory(short_name="财政局"))
    page = signed_in(stranger).get(url(task)).content.decode()
    assert 'id="report"' not in page
    assert 'href="#report"' not in page  # no report button
    assert 'name="progress_text"' not in page


def test_it_refuses_a_report_from_someone_not_allowed(signed_in, leader, task):
    response = report(signed_in(leader), task, percent="50", progress_text="代为报送")
    assert response.status_code == 403
    assert not ProgressEntry.objects.exists()


def test_it_records_a_report_with_evidence_and_shows_it(signed_in, member, task, today):
    client = signed_in(member)
    upload = SimpleUploadedFile("开工证明.pdf", PDF, "application/pdf")
    response = report(client, task, percent="35", progress_text="新开工项目8个",
                      problems_text="资金到位慢", next_steps_text="争取专项债",
                      evidence=[upload])
    entry = ProgressEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"{url(task)}#entry-{entry.pk}")
    assert (entry.author, entry.percent, entry.reported_on) == (member, 35, today)
    assert (entry.problems_text, entry.next_steps_text) == ("资金到位慢", "争取专项债")
    assert Evidence.objects.get().original_name == "开工证明.pdf"
    task.refresh_from_db()
    assert task.percent == 35
    page = client.get(response["Location"]).content.decode()
    assert "进展已报送" in page and "新开工项目8个" in page


def test_it_records_an_indicator_actual_with_the_report(signed_in, member, measure):
    indicator = IndicatorFactory(task=measure, target_value=40, unit="个")
    response = report(signed_in(member), measure, indicator=str(indicator.pk),
                      actual_value="21", progress_text="已实施21个")
    assert response.status_code == 302
    reading = IndicatorReading.objects.get()
    assert (reading.indicator, reading.value) == (indicator, Decimal(21))


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"percent": "150", "progress_text": "超额完成"}, "percent", "100"),
    ({"percent": "abc", "progress_text": "写错了"}, "percent", "整数"),
    ({"percent": "-1", "progress_text": "负数"}, "percent", "0"),
])
def test_it_shows_bad_input_inline_and_keeps_what_was_typed(signed_in, member, task, data,
                                                            field, message):
    response = report(signed_in(member), task, problems_text="征地难", **data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "报送未成功" in page
    assert message in page
    assert data["progress_text"] in page  # nothing typed is lost
    assert "征地难" in page
    assert not ProgressEntry.objects.exists()


def test_it_explains_an_empty_report_instead_of_saving_it(signed_in, member, task):
    response = report(signed_in(member), task)
    assert response.status_code == 200
    assert "请至少填写完成进度、进展情况或指标实际值中的一项" in response.content.decode()
    assert not ProgressEntry.objects.exists()


def test_it_refuses_an_oversized_evidence_file(signed_in, member, task, monkeypatch):
    monkeypatch.setattr("tracker.forms.EVIDENCE_MAX_BYTES", 10)
    upload = SimpleUploadedFile("大文件.pdf", PDF, "application/pdf")
    response = report(signed_in(member), task, percent="10", progress_text="附件太大",
                      evidence=[upload])
    page = response.content.decode()
    assert "大文件.pdf" in page and "附件太大" in page
    assert "请重新选择要上传的文件" in page
    assert not ProgressEntry.objects.exists()


def test_it_answers_404_for_a_task_that_does_not_exist(signed_in, member):
    assert signed_in(member).get(reverse("ui:task", args=[999999])).status_code == 404


def _fill(task, member, supervisor, n: int) -> None:
    """n of each thing the page lists: entries (with files and readings), milestones,
    indicators, measures and history records."""
    for i in range(n):
        MilestoneFactory(task=task, order=i + 1, due_date=dt.date(2023, 1 + i % 12, 1))
        indicator = IndicatorFactory(task=task, plan=task.plan)
        MeasureFactory(parent=task)
        progress_entry_create(
            task=task, author=member, percent=min(99, 10 + i), progress_text=f"第{i}次",
            indicator=indicator, actual_value=Decimal(i + 1),
            evidence_files=[SimpleUploadedFile(f"{i}.pdf", PDF, "application/pdf")])
        task.refresh_from_db()
        task.title = f"狠抓项目扩大投资{i}"
        task._history_user = supervisor
        task.save()


def test_it_runs_the_same_queries_for_3n_entries_as_for_n(signed_in, member, supervisor,
                                                          area, department):
    client = signed_in(member)
    small = TaskFactory(area=area, lead_department=department)
    large = TaskFactory(area=area, lead_department=department)
    _fill(small, member, supervisor, 2)
    _fill(large, member, supervisor, 6)
    queries = count_queries(client, url(small))
    assert queries == count_queries(client, url(large))
    assert queries <= 14  # session, user, task + one per prefetched list, history


def test_it_turns_a_null_character_into_a_form_error(signed_in, member, task):
    """PostgreSQL cannot store NUL in text; the form must say so instead of failing."""
    response = report(signed_in(member), task, percent="10", progress_text="含\x00空字符")
    assert response.status_code == 200
    assert "报送未成功" in response.content.decode()
    assert not ProgressEntry.objects.exists()
