"""A sweep that beat could not publish (broker down at 08:30) is run by the flush job."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail

from tests.reminders.conftest import at
from tracker.models import Reminder
from tracker.services.reminders import reminders_sweep, sweep_missed
from tracker.tasks import deliveries_flush_task

pytestmark = pytest.mark.django_db


def test_it_knows_when_todays_sweep_did_not_happen(task_for):
    task_for("2026-06-17")  # due in 7 days on 2026-06-10: there is something to remind
    assert not sweep_missed(now=at("2026-06-10", 8, 40))  # before the catch-up time
    assert sweep_missed(now=at("2026-06-10", 9, 10))
    with time_machine.travel(at("2026-06-10"), tick=False):
        reminders_sweep()
    assert not sweep_missed(now=at("2026-06-10", 9, 10))
    assert sweep_missed(now=at("2026-06-11", 9, 10))  # a new day, a new sweep


def test_it_runs_the_missed_sweep_from_the_flush_job_once(task_for, owner):
    task_for("2026-06-17", title="完成老旧小区改造")
    with time_machine.travel(at("2026-06-10", 9, 10), tick=False):
        first = deliveries_flush_task.apply().get()
        second = deliveries_flush_task.apply().get()
    assert first["caught_up"] is True and second["caught_up"] is False
    assert Reminder.objects.filter(recipient=owner).count() == 1
    # The memory broker took the enqueued send; run it as a worker would.
    from tracker.services.reminders import deliveries_flush

    with time_machine.travel(at("2026-06-10", 9, 20), tick=False):
        deliveries_flush(deliver="inline")
    assert [m for m in mail.outbox if owner.email in m.to]
