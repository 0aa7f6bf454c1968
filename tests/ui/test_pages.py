"""Department and indicator pages, and evidence downloads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import AreaFactory, DepartmentFactory, IndicatorFactory, TaskFactory
from tests.ui.conftest import count_queries
from tracker.choices import Status
from tracker.services.progress import indicator_reading_create, progress_entry_create

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_department_page_lists_the_tasks_it_leads_and_co_leads(signed_in, leader, area,
                                                                 department, other_department):
    TaskFactory(area=area, title="牵头的任务", lead_department=department,
                status=Status.OFF_TRACK, deadline=dt.date(2023, 6, 1))
    co = TaskFactory(area=area, title="配合的任务", lead_department=other_department)
    co.co_departments.add(department)
    TaskFactory(area=area, title="无关的任务", lead_department=other_department)
    response = signed_in(leader).get(reverse("ui:department", args=[department.pk]))
    page = response.content.decode()
    assert "牵头的任务" in page and "配合的任务" in page and "无关的任务" not in page
    assert [t.title for t in response.context["overdue"]] == ["牵头的任务"]
    assert response.context["counts"][Status.OFF_TRACK] == 1


def test_a_department_page_answers_404_for_an_unknown_department(signed_in, leader, plan):
    assert signed_in(leader).get(reverse("ui:department", args=[99999])).status_code == 404


def test_a_department_page_runs_the_same_queries_for_3n_tasks_as_for_n(signed_in, leader,
                                                                       plan):
    client = signed_in(leader)
    counts = []
    for n in (3, 9):
        department = DepartmentFactory()
        area = AreaFactory(plan=plan)
        for _ in range(n):
            TaskFactory(area=area, lead_department=department).co_departments.add(
                DepartmentFactory())
        counts.append(count_queries(client, reverse("ui:department", args=[department.pk])))
    assert counts[0] == counts[1]


def test_an_indicator_page_charts_the_readings_and_quotes_the_source(signed_in, leader, area,
                                                                     member, department):
    task = TaskFactory(area=area, lead_department=department)
    indicator = IndicatorFactory(task=task, plan=area.plan, name="新增就业", unit="万人",
                                 target_value=Decimal("1.76"), source_quote="新增就业1.76万人")
    progress_entry_create(task=task, author=member, actual_value=Decimal("0.8"),
                          indicator=indicator, reported_on=dt.date(2023, 5, 31))
    page = signed_in(leader).get(reverse("ui:indicator", args=[indicator.pk])).content.decode()
    assert "新增就业1.76万人" in page
    assert 'class="chart-trajectory"' in page
    assert "0.8 万人" in page
    assert str(member) in page


def test_an_indicator_page_runs_the_same_queries_for_3n_readings_as_for_n(signed_in, leader,
                                                                          plan, supervisor):
    client = signed_in(leader)
    counts = []
    for n in (3, 9):
        indicator = IndicatorFactory(plan=plan, task=None)
        for i in range(n):
            indicator_reading_create(indicator=indicator, value=Decimal(i),
                                     measured_on=dt.date(2023, 1, 1 + i), author=supervisor)
        counts.append(count_queries(client, reverse("ui:indicator", args=[indicator.pk])))
    assert counts[0] == counts[1]


@pytest.fixture
def evidence(area, department, member):
    task = TaskFactory(area=area, lead_department=department)
    entry = progress_entry_create(
        task=task, author=member, percent=10, progress_text="见附件",
        evidence_files=[SimpleUploadedFile("验收报告.pdf", PDF, "application/pdf")])
    return entry.evidence.get()


def test_evidence_is_downloaded_through_a_signed_in_view(signed_in, outsider, evidence):
    response = signed_in(outsider).get(reverse("ui:evidence", args=[evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''%E9%AA%8C%E6%94%B6%E6%8A%A5%E5%91%8A.pdf" in (
        response["Content-Disposition"])


def test_evidence_is_not_served_to_a_visitor(client, evidence):
    response = client.get(reverse("ui:evidence", args=[evidence.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("ui:login"))


def test_evidence_is_refused_to_a_deactivated_user(client, evidence, outsider):
    outsider.is_active = False
    outsider.save()
    client.force_login(outsider)
    response = client.get(reverse("ui:evidence", args=[evidence.pk]))
    assert response.status_code in (302, 403)


def test_evidence_whose_file_is_gone_is_a_404(signed_in, member, evidence):
    evidence.file.delete(save=False)
    assert signed_in(member).get(reverse("ui:evidence", args=[evidence.pk])).status_code == 404
