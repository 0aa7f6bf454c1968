"""Every list runs the same number of queries for N rows and for 3N rows.

Queries per list request: the token lookup, the page's rows, and one query per related
list; a page that is not the last adds a capped COUNT. Filters that name a row (plan=,
department=) add one query each to validate the id.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from tests.factories import (
    AreaFactory,
    DepartmentFactory,
    IndicatorFactory,
    MeasureFactory,
    MilestoneFactory,
    TaskFactory,
    UserFactory,
)
from tracker.services.progress import indicator_reading_create, progress_entry_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _midyear(time_machine):
    time_machine.move_to(dt.datetime(2023, 6, 30, 10, tzinfo=dt.UTC), tick=False)


def _add_rows(plan, supervisor, n):
    """n of everything: tasks with measures, co-departments, indicators with readings,
    progress entries with readings, milestones, users and departments."""
    for _ in range(n):
        area = AreaFactory(plan=plan)
        department = DepartmentFactory()
        key = TaskFactory(area=area, lead_department=department)
        key.co_departments.add(DepartmentFactory(), DepartmentFactory())
        measure = MeasureFactory(parent=key)
        indicator = IndicatorFactory(task=measure)
        indicator_reading_create(indicator=indicator, value=1, measured_on=dt.date(2023, 5, 1),
                                 author=supervisor)
        progress_entry_create(task=measure, author=supervisor, percent=30,
                              actual_value=2)
        MilestoneFactory(task=key)
        UserFactory(role=Role.MEMBER, department=department)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.json()
    return len(ctx.captured_queries)


LISTS = {
    # url: queries on a last page (token, rows, then one per related list); a page with a
    # next page adds the capped COUNT (test_pagination.py)
    "/api/v1/plans/": 2,
    "/api/v1/areas/": 2,
    "/api/v1/tasks/": 4,  # + co_departments ids, measures ids
    "/api/v1/tasks/?department={department}&status=on_track&status=not_started": 5,
    "/api/v1/tasks/?plan={plan}&q=任务&overdue=false&ordering=deadline": 5,
    "/api/v1/indicators/": 2,
    "/api/v1/progress-entries/": 3,  # + readings
    "/api/v1/progress-entries/?plan={plan}": 4,
    "/api/v1/milestones/": 2,
    "/api/v1/departments/": 2,
    "/api/v1/users/": 2,
}


@pytest.mark.parametrize(("url", "expected"), LISTS.items())
def test_it_runs_a_fixed_number_of_queries_per_list(client_for, supervisor, plan, url,
                                                    expected):
    client = client_for(supervisor)
    client.get("/api/v1/me/")  # the token's first use records last_used_at once
    _add_rows(plan, supervisor, 2)
    department = TaskFactory._meta.model.objects.first().lead_department_id
    url = url.format(plan=plan.pk, department=department)
    small = _queries(client, url + ("&" if "?" in url else "?") + "page_size=500")
    _add_rows(plan, supervisor, 4)
    large = _queries(client, url + ("&" if "?" in url else "?") + "page_size=500")
    assert small == large == expected


def test_the_dashboard_runs_a_fixed_number_of_queries(client_for, supervisor, plan):
    client = client_for(supervisor)
    client.get("/api/v1/me/")
    _add_rows(plan, supervisor, 2)
    IndicatorFactory(task=None, plan=plan, code="GDP")
    small = _queries(client, f"/api/v1/plans/{plan.pk}/dashboard/")
    _add_rows(plan, supervisor, 4)
    IndicatorFactory(task=None, plan=plan, code="GDP2")
    assert _queries(client, f"/api/v1/plans/{plan.pk}/dashboard/") == small


def test_a_task_detail_runs_a_fixed_number_of_queries(client_for, supervisor, plan):
    client = client_for(supervisor)
    client.get("/api/v1/me/")
    _add_rows(plan, supervisor, 1)
    key = TaskFactory._meta.model.objects.filter(parent=None).first()
    small = _queries(client, f"/api/v1/tasks/{key.pk}/")
    for _ in range(3):
        measure = MeasureFactory(parent=key)
        IndicatorFactory(task=key, code=f"K{measure.pk}")
        MilestoneFactory(task=key)
    assert _queries(client, f"/api/v1/tasks/{key.pk}/") == small == 6
