"""督查室's actions on the task list: mark done, and override the status with a reason."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from tracker.choices import Status
from tracker.models import StatusOverride

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:tracker_task_changelist")


def run_action(client, action: str, tasks, **extra):
    return client.post(CHANGELIST, {"action": action, "index": 0,
                                    ACTION_CHECKBOX_NAME: [t.pk for t in tasks], **extra})


def apply_override(client, tasks, **fields):
    """The second step: the intermediate page posts back with apply=1."""
    return client.post(CHANGELIST, {"action": "override_status", "apply": "1",
                                    ACTION_CHECKBOX_NAME: [t.pk for t in tasks], **fields})


def test_it_marks_the_selected_tasks_done(as_supervisor, supervisor, own_task, co_task,
                                          foreign_task):
    response = run_action(as_supervisor, "mark_done", [own_task, co_task])
    assert response.status_code == 302
    for task in (own_task, co_task):
        task.refresh_from_db()
        assert (task.status, task.percent) == (Status.DONE, 100)
        assert task.history.first().history_user == supervisor
    foreign_task.refresh_from_db()
    assert foreign_task.status == Status.NOT_STARTED


def test_it_asks_for_a_status_and_a_reason_before_overriding(as_supervisor, own_task):
    response = run_action(as_supervisor, "override_status", [own_task])
    assert response.status_code == 200
    assert response.templates[0].name == "admin/tracker/task/override_status.html"
    assert set(response.context["form"].fields) == {"status", "reason"}
    own_task.refresh_from_db()
    assert own_task.status_override == ""


def test_it_overrides_the_status_and_records_who_why_and_when(as_supervisor, supervisor,
                                                               own_task, co_task):
    response = apply_override(as_supervisor, [own_task, co_task], status=Status.OFF_TRACK,
                              reason="主体工程未开工")
    assert response.status_code == 302
    for task in (own_task, co_task):
        task.refresh_from_db()
        assert (task.status, task.status_override) == (Status.OFF_TRACK, Status.OFF_TRACK)
        assert (task.status_override_by, task.status_override_reason) == (
            supervisor, "主体工程未开工")
        assert task.history.first().history_user == supervisor
    log = StatusOverride.objects.filter(reason="主体工程未开工")
    assert {(o.task_id, o.status, o.actor_id) for o in log} == {
        (own_task.pk, Status.OFF_TRACK, supervisor.pk), (co_task.pk, Status.OFF_TRACK,
                                                         supervisor.pk)}


@pytest.mark.parametrize("reason", ["", "   "])
def test_it_refuses_an_override_without_a_reason(as_supervisor, own_task, reason):
    response = apply_override(as_supervisor, [own_task], status=Status.DONE, reason=reason)
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    own_task.refresh_from_db()
    assert own_task.status == Status.NOT_STARTED
    assert not StatusOverride.objects.exists()


def test_it_withdraws_an_override_so_the_computed_status_applies_again(
        as_supervisor, own_task):
    apply_override(as_supervisor, [own_task], status=Status.DONE, reason="已验收")
    apply_override(as_supervisor, [own_task], status="withdraw", reason="验收材料不全")
    own_task.refresh_from_db()
    assert own_task.status_override == "" and own_task.status == own_task.computed_status
    assert list(StatusOverride.objects.values_list("status", flat=True)) == ["", "done"]


def test_it_overrides_one_task_from_its_change_page(as_supervisor, own_task):
    url = reverse("admin:tracker_task_override_status", args=[own_task.pk])
    assert url in as_supervisor.get(
        reverse("admin:tracker_task_change", args=[own_task.pk])).content.decode()
    response = as_supervisor.post(url, {"apply": "1", "status": Status.AT_RISK,
                                        "reason": "资金未到位"})
    assert response.status_code == 302
    own_task.refresh_from_db()
    assert own_task.status == Status.AT_RISK


def test_it_offers_the_actions_to_supervisors_only(as_head, own_task):
    response = as_head.get(CHANGELIST)
    assert response.context["action_form"] is None or not any(
        name in ("mark_done", "override_status")
        for name, _ in response.context["action_form"].fields["action"].choices)
    run_action(as_head, "mark_done", [own_task])
    apply_override(as_head, [own_task], status=Status.DONE, reason="自报完成")
    own_task.refresh_from_db()
    assert own_task.status == Status.NOT_STARTED and not StatusOverride.objects.exists()
    url = reverse("admin:tracker_task_override_status", args=[own_task.pk])
    assert as_head.post(url, {"apply": "1", "status": "done", "reason": "x"}).status_code == 403
