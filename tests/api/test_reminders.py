"""The reminder log: 督查室 read who was reminded of what and whether it reached them."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import TaskFactory
from tracker.models import Delivery, DeliveryItem, Reminder

pytestmark = pytest.mark.django_db
URL = "/api/v1/reminders/"


def _remind(task, person, *, rule="overdue", day=dt.date(2023, 7, 1), state="sent"):
    reminder = Reminder.objects.create(task=task, recipient=person, rule=rule, occurrence=day,
                                       role="responsible", day=day)
    delivery = Delivery.objects.create(
        recipient=person, channel="email", day=day, state=state, attempts=1,
        sent_at=timezone.now() if state == "sent" else None,
        last_error="" if state == "sent" else "SMTP 550")
    DeliveryItem.objects.create(delivery=delivery, reminder=reminder, channel="email")
    return reminder


def test_supervisors_read_each_reminder_with_its_delivery(client_for, supervisor, member,
                                                          area):
    task = TaskFactory(area=area)
    reminder = _remind(task, member, state="failed")
    rows = client_for(supervisor).get(URL).json()["results"]
    assert [r["id"] for r in rows] == [reminder.pk]
    assert rows[0]["rule"] == "overdue" and rows[0]["recipient"] == member.pk
    assert rows[0]["deliveries"] == [{
        "id": reminder.delivery_items.get().delivery_id, "channel": "email", "kind": "digest",
        "state": "failed", "attempts": 1, "sent_at": None, "last_error": "SMTP 550"}]


def test_nobody_else_reads_the_log(client_for, member, department_head, leader):
    for person in (member, department_head, leader):
        response = client_for(person).get(URL)
        assert response.status_code == 403
        assert response.json()["message"] == "只有督查室可以查看提醒记录。"


def test_the_log_filters_by_task_rule_and_day(client_for, supervisor, member, area):
    first, second = TaskFactory(area=area), TaskFactory(area=area)
    late = _remind(first, member, rule="overdue", day=dt.date(2023, 7, 1))
    soon = _remind(second, member, rule="due_soon", day=dt.date(2023, 6, 20))
    client = client_for(supervisor)

    def ids(query):
        return {r["id"] for r in client.get(f"{URL}?{query}").json()["results"]}

    assert ids(f"task={first.pk}") == {late.pk}
    assert ids("rule=due_soon") == {soon.pk}
    assert ids("day_after=2023-06-25") == {late.pk}
    assert client.get(f"{URL}?rule=shout").status_code == 400


def test_the_log_runs_a_fixed_number_of_queries(client_for, supervisor, member, area):
    client = client_for(supervisor)
    client.get("/api/v1/me/")
    for n in range(2):
        _remind(TaskFactory(area=area), member, day=dt.date(2023, 7, 1 + n))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{URL}?page_size=500").status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for n in range(4):
        _remind(TaskFactory(area=area), member, day=dt.date(2023, 8, 1 + n))
    # token, headed departments (the permission rule), rows, delivery items
    assert count() == small == 4
