"""The task change page: what each role may edit, what stays read-only, who changed
what, and a number of queries that does not grow with the task's records."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.admin.conftest import signed_in
from tests.admin.helpers import change_form_data
from tests.factories import IndicatorFactory, MilestoneFactory, UserFactory
from tracker.choices import Status
from tracker.models import Task
from tracker.services.progress import progress_entry_create
from tracker.services.status import task_status_override

pytestmark = pytest.mark.django_db

# Session, user, headed departments, the task with its co-departments, one query per
# inline (entries with evidence and readings, overrides, indicators, milestones),
# Django's own permissions for the sidebar, and the form's choices: the supervisor's
# form has more editable fields (plan, area, autocompletes) than a head's.
PAGE_QUERIES = {"supervisor": 19, "department_head": 16}


def change_url(task: Task) -> str:
    return reverse("admin:tracker_task_change", args=[task.pk])


def add_records(task, n: int, *, author, supervisor) -> None:
    for _ in range(n):
        IndicatorFactory(task=task)
        MilestoneFactory(task=task)
        progress_entry_create(task=task, author=author, percent=10, progress_text="推进中",
                              reported_on=dt.date(2023, 6, 1))
        task_status_override(task=task, actor_user=supervisor, status=Status.AT_RISK,
                             reason="进度偏慢")


@pytest.mark.parametrize("role", ["supervisor", "department_head"])
def test_it_renders_the_task_page_in_the_same_number_of_queries_for_n_and_3n_records(
        role, request, own_task, member, supervisor, department_head,
        django_assert_num_queries):
    client = signed_in(request.getfixturevalue(role))
    own_task.responsible = member
    own_task.save()
    add_records(own_task, 2, author=member, supervisor=supervisor)
    client.get(change_url(own_task))  # warm process-wide caches (content types)
    with django_assert_num_queries(PAGE_QUERIES[role]):
        response = client.get(change_url(own_task))
    assert response.status_code == 200

    add_records(own_task, 4, author=member, supervisor=supervisor)
    with django_assert_num_queries(PAGE_QUERIES[role]):
        response = client.get(change_url(own_task))
    assert response.status_code == 200
    assert response.content.decode().count("进度偏慢") >= 6


def test_it_shows_the_override_by_at_and_reason_read_only(as_supervisor, supervisor,
                                                           own_task):
    task_status_override(task=own_task, actor_user=supervisor, status=Status.OFF_TRACK,
                         reason="主体工程未开工")
    response = as_supervisor.get(change_url(own_task))
    form = response.context["adminform"].form
    assert not {"status", "status_override", "status_override_reason",
                "status_override_by", "status_override_at", "percent"} & set(form.fields)
    html = response.content.decode()
    assert "主体工程未开工" in html and str(supervisor) in html
    # The decision log is on the page too.
    inlines = {i.formset.model._meta.model_name for i in
               response.context["inline_admin_formsets"]}
    assert "statusoverride" in inlines


@pytest.mark.parametrize("role", ["supervisor", "department_head"])
def test_it_keeps_the_source_quote_read_only(role, request, own_task):
    response = signed_in(request.getfixturevalue(role)).get(change_url(own_task))
    fields = set(response.context["adminform"].form.fields)
    assert not {"source_quote", "source_start", "source_end"} & fields


def test_it_sends_a_department_head_away_from_another_departments_task(
        as_head, foreign_task):
    response = as_head.get(change_url(foreign_task))
    assert response.status_code == 302 and response.url == reverse("admin:index")
    history = reverse("admin:tracker_task_history", args=[foreign_task.pk])
    assert as_head.get(history).status_code in (302, 403)
    response = as_head.post(change_url(foreign_task), {"responsible": ""})
    assert response.status_code == 302 and response.url == reverse("admin:index")


def test_it_lets_a_head_change_only_the_responsible_person_on_a_task_they_lead(
        as_head, own_task, member, department):
    response = as_head.get(change_url(own_task))
    assert set(response.context["adminform"].form.fields) == {"responsible"}

    data = change_form_data(response) | {"responsible": member.pk, "title": "改了标题",
                                         "deadline": "2023-08-01"}
    response = as_head.post(change_url(own_task), data)
    assert response.status_code == 302
    own_task.refresh_from_db()
    assert own_task.responsible == member
    assert own_task.title == "狠抓项目扩大投资" and own_task.deadline == dt.date(2023, 12, 31)


def test_it_lets_a_head_name_only_someone_from_their_department(as_head, own_task, outsider):
    data = change_form_data(as_head.get(change_url(own_task))) | {"responsible": outsider.pk}
    response = as_head.post(change_url(own_task), data)
    assert response.status_code == 200
    assert "responsible" in response.context["adminform"].form.errors


def test_it_leaves_a_co_departments_head_nothing_to_edit_but_progress(as_head, co_task):
    response = as_head.get(change_url(co_task))
    assert response.status_code == 200
    assert not response.context["adminform"].form.fields
    inlines = {i.formset.model._meta.model_name: i for i in
               response.context["inline_admin_formsets"]}
    assert inlines["progressentry"].has_add_permission
    assert not inlines["milestone"].has_add_permission
    assert not inlines["indicator"].has_add_permission


def test_it_lets_a_head_keep_the_milestones_of_a_task_they_lead(as_head, own_task):
    milestone = MilestoneFactory(task=own_task, title="一季度节点")
    data = change_form_data(as_head.get(change_url(own_task)))
    data["milestones-0-completed_on"] = "2023-03-30"
    assert as_head.post(change_url(own_task), data).status_code == 302
    milestone.refresh_from_db()
    assert milestone.completed_on == dt.date(2023, 3, 30)
    assert milestone.history.latest().history_user.username == "fgj_head"


def test_it_records_who_changed_what_and_when_and_reevaluates_the_status(
        as_supervisor, supervisor, own_task, department_head):
    data = change_form_data(as_supervisor.get(change_url(own_task)))
    data |= {"deadline": "2023-06-30", "responsible": department_head.pk}
    response = as_supervisor.post(change_url(own_task), data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    own_task.refresh_from_db()
    assert own_task.status == Status.OFF_TRACK  # past the new deadline with no progress
    created, *saved = reversed(own_task.history.all())
    assert saved and {record.history_user for record in saved} == {supervisor}
    changed = {c.field for c in saved[-1].diff_against(created).changes}
    assert {"deadline", "responsible", "status"} <= changed

    history = as_supervisor.get(reverse("admin:tracker_task_history", args=[own_task.pk]))
    assert history.status_code == 200
    assert "duchashi" in history.content.decode() or str(supervisor) in history.content.decode()


def test_it_marks_the_seeded_assignment_as_confirmed_when_owners_change(
        as_supervisor, own_task, other_department):
    own_task.assignment_is_default = True
    own_task.save()
    data = change_form_data(as_supervisor.get(change_url(own_task)))
    data |= {"lead_department": other_department.pk}
    data.pop("assignment_is_default", None)
    data["assignment_is_default"] = "on"  # unchanged: still ticked as shown
    assert as_supervisor.post(change_url(own_task), data).status_code == 302
    own_task.refresh_from_db()
    assert own_task.lead_department == other_department
    assert own_task.assignment_is_default is False


def test_it_does_not_offer_history_reverts(as_supervisor, own_task):
    version = own_task.history.first()
    url = reverse("admin:tracker_task_simple_history", args=[own_task.pk, version.pk])
    assert as_supervisor.get(url).status_code == 200
    assert as_supervisor.post(url, {"title": "回退"}).status_code == 403


def test_it_refuses_a_task_page_to_a_member_made_staff_by_mistake(own_task, member):
    member.is_staff = True
    member.save()
    client = signed_in(member)
    assert client.get(change_url(own_task)).status_code == 403
    assert client.get(reverse("admin:index")).context["app_list"] == []


def test_it_keeps_members_and_leaders_out_of_the_admin(own_task, member, leader):
    for user in (member, leader):
        response = signed_in(user).get(reverse("admin:tracker_task_changelist"))
        assert response.status_code == 302 and "/login/" in response.url


def test_it_does_not_let_a_supervisor_without_superuser_hand_out_superuser(as_supervisor):
    user = UserFactory(role="member")
    response = as_supervisor.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert "is_superuser" not in response.context["adminform"].form.fields
