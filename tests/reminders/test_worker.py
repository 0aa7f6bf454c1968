"""A real Celery worker consuming from a real Redis: the production path, end to end.

The worker runs in a thread of this process (celery.contrib.testing), so it shares the
test database and the locmem outbox; it talks to Redis database 5 (TEST_REDIS_URL), which
the test empties before and after. Without Redis this skips, except in CI, where it fails.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import connections

from tracker.models import Delivery, DeliveryState, Reminder
from tracker.tasks import deliveries_enqueue, reminders_sweep_task

pytestmark = pytest.mark.django_db(transaction=True)


class Finished:
    """Counts tasks the worker finished, and closes the worker thread's connections."""

    def __init__(self):
        self.counts: Counter = Counter()
        self.changed = threading.Condition()

    def __call__(self, sender=None, **kwargs):
        connections.close_all()  # the worker thread's own connections
        with self.changed:
            self.counts[sender.name.rsplit(".", 1)[-1]] += 1
            self.changed.notify_all()

    def wait_for(self, name: str, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.counts[name] < count:
                left = deadline - time.monotonic()
                assert left > 0, f"worker did not finish {count} × {name}: {self.counts}"
                self.changed.wait(left)


@pytest.fixture
def redis_worker(requires_redis, broker_in_memory):
    app = broker_in_memory
    app.conf.broker_url = requires_redis
    store = redis.Redis.from_url(requires_redis)
    store.flushdb()
    finished = Finished()
    task_postrun.connect(finished, weak=False)
    root_level = logging.root.level  # the embedded worker sets up logging its own way
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield finished
    finally:
        task_postrun.disconnect(finished)
        logging.root.setLevel(root_level)
        store.flushdb()


def test_a_worker_on_redis_sends_the_sweep_once(redis_worker, task_for, owner, head):
    task_for("2026-06-17", title="下周到期的任务")
    task_for("2026-06-09", title="昨天到期的任务")

    reminders_sweep_task.delay("2026-06-10")
    redis_worker.wait_for("reminders_sweep_task", 1)
    redis_worker.wait_for("deliveries_send_task", 1)

    assert sorted(address for m in mail.outbox for address in m.to) == [head.email,
                                                                       owner.email]
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}
    assert Reminder.objects.count() == 3

    reminders_sweep_task.delay("2026-06-10")  # beat fires again, or a retry
    redis_worker.wait_for("reminders_sweep_task", 2)
    assert len(mail.outbox) == 2 and Reminder.objects.count() == 3


def test_a_nudge_queued_on_commit_is_delivered_by_the_worker(redis_worker, task_for,
                                                             owner, supervisor):
    from django.db import transaction

    from tracker.services.reminders import task_nudge

    task = task_for("2026-12-31")
    with transaction.atomic():
        result = task_nudge(task=task, actor_user=supervisor)
        assert redis_worker.counts["deliveries_send_task"] == 0  # not before commit

    redis_worker.wait_for("deliveries_send_task", 1)
    assert [m.subject[:7] for m in mail.outbox if owner.email in m.to] == ["【督查室催办】"]
    assert set(Delivery.objects.filter(pk__in=result.deliveries)
               .values_list("state", flat=True)) == {DeliveryState.SENT}


def test_enqueueing_with_redis_down_leaves_work_pending_without_raising(broker_in_memory,
                                                                       caplog):
    broker_in_memory.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    caplog.set_level(logging.WARNING, logger="tracker.tasks")

    assert deliveries_enqueue([1, 2, 3]) == 0

    assert "3 deliveries stay pending for the next sweep" in caplog.text
