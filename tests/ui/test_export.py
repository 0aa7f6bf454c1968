"""The Excel 台账 export of the current task list."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import AreaFactory, DepartmentFactory, TaskFactory
from tracker.choices import Status
from tracker.services.progress import progress_entry_create

pytestmark = pytest.mark.django_db

EXPORT = reverse("ui:task_export")
COLUMNS = ["序号", "任务", "责任单位", "配合单位", "责任人", "完成时限", "进展情况", "存在问题",
           "下一步", "状态"]


def sheet_of(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(BytesIO(response.content)).active


def rows_of(sheet) -> list[tuple]:
    return [row for row in sheet.iter_rows(min_row=3, values_only=True)]


def test_it_exports_the_ledger_columns_with_the_latest_entry(signed_in, member, area,
                                                             department, other_department):
    task = TaskFactory(area=area, code="A1.1", title="狠抓项目扩大投资",
                       lead_department=department, responsible=member,
                       deadline=dt.date(2023, 12, 31))
    task.co_departments.add(other_department)
    progress_entry_create(task=task, author=member, percent=20, progress_text="旧进展",
                          reported_on=dt.date(2023, 4, 1))
    progress_entry_create(task=task, author=member, percent=45, progress_text="开工28个",
                          problems_text="征地偏慢", next_steps_text="加快供地")
    sheet = sheet_of(signed_in(member).get(EXPORT))
    assert [c.value for c in sheet[2]] == COLUMNS
    [row] = rows_of(sheet)
    assert row[:5] == (1, "A1.1 狠抓项目扩大投资", "发改局", "教育局", str(member))
    assert row[5].date() == dt.date(2023, 12, 31)
    task.refresh_from_db()
    assert row[6:] == ("开工28个", "征地偏慢", "加快供地", task.get_status_display())


def test_it_exports_only_the_filtered_list(signed_in, member, area, department):
    TaskFactory(area=area, code="A1.1", lead_department=department, status=Status.DONE)
    TaskFactory(area=area, code="A1.2", lead_department=department, status=Status.AT_RISK)
    sheet = sheet_of(signed_in(member).get(EXPORT, {"status": "at_risk"}))
    assert [r[1].split()[0] for r in rows_of(sheet)] == ["A1.2"]


def test_it_writes_a_formula_typed_by_a_user_as_plain_text(signed_in, member, area,
                                                           department):
    task = TaskFactory(area=area, lead_department=department)
    progress_entry_create(task=task, author=member, percent=5,
                          progress_text='=HYPERLINK("http://example.com","点我")')
    sheet = sheet_of(signed_in(member).get(EXPORT))
    cell = sheet.cell(row=3, column=7)
    assert cell.data_type == "s"
    assert cell.value.startswith("=HYPERLINK")


def test_it_runs_the_same_queries_for_3n_rows_as_for_n(signed_in, member, plan):
    client = signed_in(member)
    counts = []
    for n in (3, 9):
        area = AreaFactory(plan=plan)
        for _ in range(n):
            task = TaskFactory(area=area, lead_department=DepartmentFactory(), responsible=member)
            task.co_departments.add(DepartmentFactory())
            progress_entry_create(task=task, author=member, percent=10, progress_text="进展")
        with CaptureQueriesContext(connection) as queries:
            sheet = sheet_of(client.get(EXPORT, {"area": area.pk}))
        assert len(rows_of(sheet)) == n
        counts.append(len(queries))
    assert counts[0] == counts[1]
