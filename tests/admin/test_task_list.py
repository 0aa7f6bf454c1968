"""The task change list: who sees which tasks, what the columns say, filters and search,
all in a number of queries that does not grow with the list."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.admin.conftest import signed_in
from tests.factories import TaskFactory
from tracker.choices import Status

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:tracker_task_changelist")

# Session, user, the actor's headed departments, the plan, area and department filter
# choices, two counts, Django's own permissions (for other apps' admins in the sidebar),
# the rows and their co-departments: the same at any length.
LIST_QUERIES = {"supervisor": 12, "department_head": 12}


def listed_codes(response) -> set[str]:
    return {task.code for task in response.context["cl"].result_list}


@pytest.mark.parametrize("role", ["supervisor", "department_head"])
def test_it_lists_tasks_in_the_same_number_of_queries_for_n_and_3n_rows(
        role, request, make_tasks, django_assert_num_queries):
    client = signed_in(request.getfixturevalue(role))
    make_tasks(2)
    client.get(CHANGELIST)  # warm process-wide caches (content types)
    with django_assert_num_queries(LIST_QUERIES[role]):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    rows_n = len(response.context["cl"].result_list)

    make_tasks(4)
    with django_assert_num_queries(LIST_QUERIES[role]):
        response = client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == 3 * rows_n


def test_it_shows_a_department_head_only_tasks_their_department_leads_or_co_leads(
        as_head, own_task, co_task, foreign_task):
    response = as_head.get(CHANGELIST)
    assert listed_codes(response) == {own_task.code, co_task.code}


def test_it_shows_a_supervisor_every_task(as_supervisor, own_task, co_task, foreign_task):
    response = as_supervisor.get(CHANGELIST)
    assert listed_codes(response) == {own_task.code, co_task.code, foreign_task.code}


def test_it_shows_progress_status_and_a_marker_for_an_overridden_status(
        as_supervisor, supervisor, own_task):
    from tracker.services.status import task_status_override

    task_status_override(task=own_task, actor_user=supervisor, status=Status.AT_RISK,
                         reason="用地手续未完成")
    html = as_supervisor.get(CHANGELIST).content.decode()
    assert "status-at_risk" in html and "有风险" in html
    assert "✎人工" in html and "用地手续未完成" in html  # marker with the reason as title
    assert '<progress max="100" value="0"' in html


@pytest.mark.postgres
@pytest.mark.parametrize("term", ["扩大投资", "亿元以上重点项目", "A1.1"])
def test_it_finds_a_task_by_chinese_text_in_code_title_or_text(
        as_supervisor, own_task, co_task, term):
    response = as_supervisor.get(CHANGELIST, {"q": term})
    assert listed_codes(response) == {own_task.code}


def test_it_filters_overdue_tasks_by_todays_date(as_supervisor, area, time_machine):
    late = TaskFactory(area=area, code="LATE", deadline=dt.date(2023, 6, 30))
    done = TaskFactory(area=area, code="DONE", deadline=dt.date(2023, 6, 30),
                       status=Status.DONE)
    due = TaskFactory(area=area, code="DUE", deadline=dt.date(2023, 7, 10))

    overdue = as_supervisor.get(CHANGELIST, {"overdue": "yes"})
    assert listed_codes(overdue) == {late.code}
    assert listed_codes(as_supervisor.get(CHANGELIST, {"overdue": "no"})) == {done.code,
                                                                              due.code}
    # The overdue column agrees with the filter.
    assert [t.overdue for t in overdue.context["cl"].result_list] == [True]

    time_machine.move_to(dt.datetime(2023, 7, 11, 10, 0, tzinfo=dt.UTC))
    assert listed_codes(as_supervisor.get(CHANGELIST, {"overdue": "yes"})) == {late.code,
                                                                               due.code}


def test_it_filters_by_plan_area_lead_department_and_status(
        as_supervisor, own_task, co_task, foreign_task, department):
    response = as_supervisor.get(CHANGELIST, {"lead_department__id__exact": department.pk})
    assert listed_codes(response) == {own_task.code}
    response = as_supervisor.get(CHANGELIST, {"plan__id__exact": own_task.plan_id,
                                              "area__id__exact": own_task.area_id,
                                              "status__exact": Status.NOT_STARTED})
    assert listed_codes(response) == {own_task.code, co_task.code, foreign_task.code}
