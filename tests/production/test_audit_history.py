"""Every write is in the history with the person who made it, and supervisors can read
who changed what in the admin: the plan, progress and status decisions, and now users
and departments too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Role, User
from tests.factories import AreaFactory, PlanFactory, TaskFactory
from tracker.models import StatusOverride, Task
from tracker.services.progress import progress_entry_create
from tracker.services.status import task_status_override

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mid_year(time_machine):
    time_machine.move_to(dt.datetime(2023, 6, 15, 10, tzinfo=dt.UTC), tick=False)


def test_a_department_change_in_the_admin_is_recorded_with_its_actor(client, supervisor,
                                                                    department):
    client.force_login(supervisor)
    response = client.post(reverse("admin:accounts_department_change", args=[department.pk]),
                           {"short_name": "发改委", "name": department.name, "head": ""})
    assert response.status_code == 302
    latest = department.history.latest()
    assert (latest.history_type, latest.short_name, latest.history_user) == \
        ("~", "发改委", supervisor)
    page = client.get(reverse("admin:accounts_department_history", args=[department.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "发改委" in text and str(supervisor) in text


def test_a_role_change_in_the_admin_is_recorded_with_its_actor(client, supervisor, member,
                                                              department):
    client.force_login(supervisor)
    url = reverse("admin:accounts_user_change", args=[member.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items()
            if value is not None and name not in ("password", "last_login", "date_joined",
                                                  "groups", "user_permissions")}
    data.update({"role": Role.DEPARTMENT_HEAD, "department": department.pk,
                 "date_joined_0": "2023-01-01", "date_joined_1": "08:00:00"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = member.history.latest()
    assert (latest.role, latest.history_user) == (Role.DEPARTMENT_HEAD, supervisor)
    history = client.get(reverse("admin:accounts_user_history", args=[member.pk]))
    assert history.status_code == 200 and str(supervisor) in history.content.decode()


def test_user_history_keeps_no_password_hashes(member):
    fields = {f.name for f in User.history.model._meta.get_fields()}
    assert "password" not in fields and "role" in fields


def test_a_sign_in_writes_no_history_row_but_records_the_time(client, member):
    before = member.history.count()
    response = client.post(reverse("ui:login"),
                           {"username": member.username, "password": "pass-1234-word"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.last_login is not None
    assert member.history.count() == before


def test_a_head_cannot_read_the_history_of_someone_outside_their_departments(
        client, department_head, outsider):
    client.force_login(department_head)
    own = client.get(reverse("admin:accounts_user_history", args=[department_head.pk]))
    assert own.status_code == 200
    foreign = client.get(reverse("admin:accounts_user_history", args=[outsider.pk]))
    assert foreign.status_code == 403


def test_plan_writes_progress_and_status_decisions_name_who_made_them(
        client, supervisor, member, department):
    plan = PlanFactory()
    task = TaskFactory(area=AreaFactory(plan=plan), lead_department=department)
    client.force_login(supervisor)
    url = reverse("admin:tracker_task_change", args=[task.pk])
    form = client.get(url).context["adminform"].form
    assert form.fields  # the change page opens for 督查室

    entry = progress_entry_create(task=task, author=member, percent=30, progress_text="推进中")
    task_status_override(task=task, status="at_risk", reason="征地受阻", actor_user=supervisor)

    assert entry.author == member
    assert StatusOverride.objects.get(task=task).actor == supervisor
    by_whom = list(Task.history.filter(id=task.pk).order_by("history_id")
                   .values_list("history_user__username", flat=True))
    assert member.username in by_whom and supervisor.username in by_whom
    page = client.get(reverse("admin:tracker_task_history", args=[task.pk])).content.decode()
    assert str(member) in page and str(supervisor) in page


def test_a_department_created_by_a_command_is_recorded_too(db):
    from accounts.services import department_upsert, user_upsert

    department, _ = department_upsert(short_name="统计局", name="区统计局")
    user, _ = user_upsert(username="tjj", role=Role.MEMBER, department=department)
    assert department.history.get().history_type == "+"
    assert user.history.get().history_type == "+"
