"""The task list: filters in the URL, Chinese search, sorting, paging, bad input."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.factories import AreaFactory, DepartmentFactory, PlanFactory, TaskFactory
from tests.ui.conftest import count_queries
from tracker.choices import Status
from tracker.views.tasks import PAGE_SIZE

pytestmark = pytest.mark.django_db

LIST = reverse("ui:task_list")


def codes(response) -> list[str]:
    """Task codes in table order."""
    return re.findall(r'<td><a href="/tasks/\d+/">(\S+) ', response.content.decode())


@pytest.fixture
def tasks(area, department, other_department, today):
    second_area = AreaFactory(plan=area.plan, order=2, code="A2", title="抓创新促发展")
    return {
        "roads": TaskFactory(area=area, code="A1.1", position=1, title="推进老旧小区改造",
                             lead_department=department, deadline=dt.date(2023, 6, 20),
                             percent=40, status=Status.AT_RISK),
        "late": TaskFactory(area=area, code="A1.2", position=2, title="建设口袋公园",
                            lead_department=other_department, deadline=dt.date(2023, 6, 1),
                            percent=10, status=Status.OFF_TRACK),
        "tech": TaskFactory(area=second_area, code="A2.1", position=3,
                            title="培育高新技术企业", lead_department=other_department,
                            deadline=dt.date(2023, 12, 31), percent=70,
                            status=Status.ON_TRACK, source_quote="高新技术企业总量达到150家"),
    }


def test_it_lists_the_plans_tasks_in_report_order(signed_in, member, tasks):
    assert codes(signed_in(member).get(LIST)) == ["A1.1", "A1.2", "A2.1"]


def test_it_filters_by_area(signed_in, member, tasks):
    area = tasks["tech"].area
    assert codes(signed_in(member).get(LIST, {"area": area.pk})) == ["A2.1"]


def test_it_filters_by_department_including_co_departments(signed_in, member, tasks,
                                                            department):
    tasks["tech"].co_departments.add(department)
    response = signed_in(member).get(LIST, {"department": department.pk})
    assert codes(response) == ["A1.1", "A2.1"]


def test_it_filters_by_status(signed_in, member, tasks):
    assert codes(signed_in(member).get(LIST, {"status": "off_track"})) == ["A1.2"]


@pytest.mark.parametrize(("window", "expected"), [
    ("overdue", ["A1.2"]),
    ("7", ["A1.1"]),
    ("90", ["A1.1"]),
])
def test_it_filters_by_due_window(signed_in, member, tasks, window, expected):
    assert codes(signed_in(member).get(LIST, {"due": window})) == expected


@pytest.mark.parametrize(("query", "expected"), [
    ("老旧小区", ["A1.1"]),  # a Chinese substring of the title
    ("150家", ["A2.1"]),  # found in the source quote
    ("口袋 公园", ["A1.2"]),  # every word must match
    ("a2.1", ["A2.1"]),  # codes, case-insensitively
    ("不存在的词", []),
])
def test_it_searches_in_chinese(signed_in, member, tasks, query, expected):
    assert codes(signed_in(member).get(LIST, {"q": query})) == expected


@pytest.mark.postgres
def test_it_searches_in_chinese_on_postgres_too(requires_postgres, signed_in, member, tasks):
    assert codes(signed_in(member).get(LIST, {"q": "老旧小区"})) == ["A1.1"]


@pytest.mark.parametrize(("sort", "expected"), [
    ("deadline", ["A1.2", "A1.1", "A2.1"]),
    ("-percent", ["A2.1", "A1.1", "A1.2"]),
    ("status", ["A1.2", "A1.1", "A2.1"]),  # worst first
    ("-status", ["A2.1", "A1.1", "A1.2"]),
])
def test_it_sorts(signed_in, member, tasks, sort, expected):
    assert codes(signed_in(member).get(LIST, {"sort": sort})) == expected


def test_it_keeps_the_filters_in_sort_and_page_links(signed_in, member, tasks, area):
    page = signed_in(member).get(LIST, {"area": area.pk, "status": "at_risk"}).content.decode()
    assert f"?area={area.pk}&amp;status=at_risk&amp;plan={area.plan.pk}&amp;sort=deadline" in (
        page)
    # The export carries the same filters.
    assert f"{reverse('ui:task_export')}?area={area.pk}&amp;status=at_risk" in page


def test_it_paginates(signed_in, member, area, department):
    TaskFactory.create_batch(PAGE_SIZE + 3, area=area, lead_department=department)
    client = signed_in(member)
    assert len(codes(client.get(LIST))) == PAGE_SIZE
    assert len(codes(client.get(LIST, {"page": 2}))) == 3


@pytest.mark.parametrize("params", [
    {"status": "bogus"}, {"area": "x"}, {"department": "999999"}, {"due": "forever"},
    {"sort": "'; drop table"}, {"page": "abc"}, {"page": "99999"}, {"plan": "nope"},
    {"q": "x" * 500}, {"q": "\x00"},
])
def test_it_answers_bad_filters_without_an_error(signed_in, member, tasks, params):
    response = signed_in(member).get(LIST, params)
    assert response.status_code == 200


def test_it_tells_which_filter_was_ignored(signed_in, member, tasks):
    page = signed_in(member).get(LIST, {"status": "bogus"}).content.decode()
    assert "部分筛选条件无效" in page
    assert codes_from(page) == ["A1.1", "A1.2", "A2.1"]


def codes_from(page: str) -> list[str]:
    return re.findall(r'<td><a href="/tasks/\d+/">(\S+) ', page)


def test_it_shows_another_plan_when_asked(signed_in, member, tasks, department):
    other = PlanFactory(year=2022)
    TaskFactory(area=AreaFactory(plan=other), code="B1", lead_department=department)
    client = signed_in(member)
    assert codes(client.get(LIST, {"plan": other.pk})) == ["B1"]
    assert "B1" not in codes(client.get(LIST))  # this year's plan by default


def _rows(area, n):
    for _ in range(n):
        task = TaskFactory(area=area, lead_department=DepartmentFactory(),
                           responsible=None)
        task.co_departments.add(DepartmentFactory(), DepartmentFactory())


def test_it_runs_the_same_queries_for_3n_rows_as_for_n(signed_in, member, plan):
    client = signed_in(member)
    small, large = AreaFactory(plan=plan), AreaFactory(plan=plan)
    _rows(small, 4)
    _rows(large, 12)
    queries = count_queries(client, LIST, data={"area": small.pk})
    assert queries == count_queries(client, LIST, data={"area": large.pk})
    assert queries <= 12  # session, user, plan, the filter form's choices, count, rows
