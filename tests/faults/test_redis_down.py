"""Redis down: the site keeps working, and when Redis is back every reminder that was due
goes out once.

The broker is "down" by pointing the Celery app at a loopback port where nothing listens
(the machine's Redis keeps running for everyone else); it "comes back" as a spare Redis
database with a real Celery worker on it. Without Redis the second half cannot run, so the
test skips, except in CI, where it fails.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services_tokens import api_token_create
from tests.factories import AreaFactory, PlanFactory, TaskFactory
from tests.faults.conftest import (
    DEAD_BROKER,
    keys_per_message,
    no_hang,
    point_broker,
    thread_worker,
)
from tracker.models import Delivery, DeliveryState, ProgressEntry, Reminder, Task
from tracker.tasks import deliveries_flush_task, reminders_sweep_task

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DAY = dt.date(2026, 6, 10)  # a Wednesday, not a reporting-cycle reminder day
MORNING = dt.datetime(2026, 6, 10, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def api(user) -> APIClient:
    _, secret = api_token_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_the_site_works_while_redis_is_down_and_due_reminders_go_out_once_it_is_back(
        celery_app, recovery_redis, client, member, department_head, department,
        supervisor, caplog):
    member.email, department_head.email = "owner@example.gov.cn", "head@example.gov.cn"
    member.save()
    department_head.save()
    area = AreaFactory(plan=PlanFactory(year=DAY.year))
    owned = {"area": area, "responsible": member, "lead_department": department,
             "start_date": dt.date(2026, 1, 1)}
    due_soon = TaskFactory(code="F-1", deadline=DAY + dt.timedelta(days=7), **owned)
    overdue = TaskFactory(code="F-2", deadline=DAY - dt.timedelta(days=1), **owned)
    nudged = TaskFactory(code="F-3", deadline=dt.date(2026, 12, 31), **owned)
    caplog.set_level(logging.WARNING, logger="tracker.tasks")

    point_broker(celery_app, DEAD_BROKER)
    with time_machine.travel(MORNING, tick=True):
        # The 08:30 sweep was handed to a worker just before Redis went away: it records
        # the day's reminders and fills the digests, but cannot queue the sending.
        with no_hang("the sweep with the broker down"):
            swept = reminders_sweep_task.apply(args=[DAY.isoformat()]).get()
        assert (swept["new_reminders"], swept["enqueued"]) == (3, 0)

        # The web UI: pages and a progress report.
        client.force_login(member)
        with no_hang("the dashboard"):
            assert client.get(reverse("ui:dashboard")).status_code == 200
        with no_hang("a progress report from the task page"):
            response = client.post(reverse("ui:task", args=[nudged.pk]), {
                "percent": "30", "progress_text": "已完成前期手续", "problems_text": "",
                "next_steps_text": "", "self_status": ""})
        assert response.status_code == 302

        # The API: a list, a progress report, and a new task due today.
        with no_hang("the API task list"):
            assert api(member).get("/api/v1/tasks/").status_code == 200
        with no_hang("a progress report through the API"):
            response = api(member).post("/api/v1/progress-entries/", {
                "task": nudged.pk, "percent": 40, "progress_text": "已开工"}, format="json")
        assert response.status_code == 201, response.json()
        with no_hang("a task created through the API"):
            response = api(supervisor).post("/api/v1/tasks/", {
                "plan": area.plan_id, "area": area.pk, "code": "F-4", "title": "今天到期的任务",
                "start_date": "2026-01-01", "deadline": DAY.isoformat(),
                "lead_department": department.pk}, format="json")
        assert response.status_code == 201, response.json()

        # 督查室 presses 催办 in the admin: the nudge is recorded, its queuing fails after
        # the commit, and the page answers as usual.
        client.force_login(supervisor)
        with no_hang("催办 in the admin"):
            response = client.post(reverse("admin:tracker_task_changelist"),
                                   {"action": "nudge_now", "_selected_action": [nudged.pk]},
                                   follow=True)
        assert "已对 1 项任务发出催办" in response.content.decode()

        # The ten-minute flush job cannot hand anything over either.
        with no_hang("the flush job with the broker down"):
            assert deliveries_flush_task.apply().get() == {"caught_up": False, "enqueued": 0}

    assert ProgressEntry.objects.filter(task=nudged).count() == 2
    assert "stay pending for the next sweep" in caplog.text
    assert mail.outbox == []
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.PENDING}

    # Redis is back. The daily sweep runs again (beat, a retry, or staff), twice: the
    # second finds the first one's work queued but not yet sent, and queues it again.
    point_broker(celery_app, recovery_redis)
    with thread_worker(celery_app) as worker:
        reminders_sweep_task.delay(DAY.isoformat())
        reminders_sweep_task.delay(DAY.isoformat())
        worker.wait_for("reminders_sweep_task", 2)
        queued = sum(1 for r in worker.results["reminders_sweep_task"] if r["enqueued"])
        worker.wait_for("deliveries_send_task", queued)

    created = Task.objects.get(code="F-4")
    owner, head = member.pk, department_head.pk
    expected = {
        (due_soon.pk, None, owner, "due_soon", DAY),  # occurrence: 7 days before
        (overdue.pk, None, owner, "overdue", DAY),
        (overdue.pk, None, head, "overdue", DAY),
        # recorded by the sweep after Redis came back: the task was created meanwhile
        (created.pk, None, head, "due_today", DAY),
        (nudged.pk, None, owner, "nudge", DAY),
        (nudged.pk, None, head, "nudge", DAY),
    }
    assert set(Reminder.objects.values_list("task_id", "milestone_id", "recipient_id",
                                            "rule", "occurrence")) == expected
    sent = keys_per_message({"to": m.to, "subject": m.subject, "body": m.body}
                            for m in mail.outbox)
    assert sent == dict.fromkeys(expected, 1), "every due reminder exactly once"
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}
