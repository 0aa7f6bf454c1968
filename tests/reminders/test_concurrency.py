"""Overlapping sweeps on PostgreSQL: real transactions, real row locks, one message each."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection

from tests.factories import DepartmentFactory, TaskFactory, UserFactory
from tracker.choices import Status
from tracker.models import Delivery, DeliveryState, Reminder, Task
from tracker.services.reminders import deliveries_send, reminders_sweep

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def at_once(*calls):
    """Run the calls in threads (each with its own database connection), released
    together by a barrier; re-raise the first error."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def _people_with_tasks(day: dt.date, n_people: int) -> set[str]:
    """n people, each responsible for a task due in 7 days and one a day overdue, in
    departments whose heads are copied on the overdue ones. Returns every address."""
    addresses = set()
    for i in range(n_people):
        department = DepartmentFactory()
        head = UserFactory(department=department, email=f"head{day:%m%d}{i}@example.gov.cn")
        department.head = head
        department.save()
        owner = UserFactory(department=department, email=f"owner{day:%m%d}{i}@example.gov.cn")
        for deadline in (day + dt.timedelta(days=7), day - dt.timedelta(days=1)):
            TaskFactory(area__plan__year=day.year, deadline=deadline,
                        start_date=dt.date(day.year, 1, 1), responsible=owner,
                        lead_department=department)
        addresses |= {owner.email, head.email}
    return addresses


def test_two_sweeps_at_once_send_exactly_one_message_per_person(requires_postgres,
                                                                  settings):
    settings.TRACKER_REMINDER_BATCH_SIZE = 5  # many small batches: many interleavings
    # Four rounds on four working days, each with its own people and tasks.
    for day in (dt.date(2026, 6, 10), dt.date(2026, 6, 11), dt.date(2026, 6, 12),
                dt.date(2026, 6, 15)):
        mail.outbox = []
        addresses = _people_with_tasks(day, n_people=12)

        first, second = at_once(lambda d=day: reminders_sweep(today=d),
                                lambda d=day: reminders_sweep(today=d))

        sent_to = sorted(address for message in mail.outbox for address in message.to)
        assert sent_to == sorted(addresses), f"{day}: one message per person"
        assert first.send.sent + second.send.sent == len(addresses)
        # 12 owners x 2 items + 12 heads x 1 copy, each recorded once.
        assert Reminder.objects.filter(day=day).count() == 36
        assert not Delivery.objects.filter(day=day).exclude(state=DeliveryState.SENT) \
            .filter(items__isnull=False).exists()
        Task.objects.update(status=Status.DONE)  # the next round starts quiet


def test_two_senders_racing_for_the_same_deliveries_send_each_once(requires_postgres):
    day = dt.date(2026, 6, 10)
    addresses = _people_with_tasks(day, n_people=10)
    reminders_sweep(today=day, deliver="none")
    ids = list(Delivery.objects.values_list("id", flat=True))

    first, second = at_once(lambda: deliveries_send(ids), lambda: deliveries_send(ids))

    assert first.sent + second.sent == len(addresses) == len(mail.outbox)
    assert first.skipped + second.skipped == len(ids)
