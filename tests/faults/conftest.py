"""Shared by the fault tests: where the broker points, a real Redis when asked for, a
guard against hangs, a Celery worker in a thread, and counting what reached people."""

from __future__ import annotations

import logging
import os
import re
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pytest

from tracker.models import Delivery, DeliveryKind

REDIS_SERVER = os.environ.get("TEST_FAULTS_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
# Spare Redis databases, emptied before and after each test that uses them (5 belongs to
# tests/reminders).
RECOVERY_DB = 6
WORKER_DB = 7
# Nothing listens on port 1 of the loopback: a broker that is down, refusing at once.
DEAD_BROKER = "redis://127.0.0.1:1/0"
# A request, sweep or enqueue that takes longer than this is hanging, not slow.
HANG_SECONDS = 10
# How long to wait for a worker to finish what it was given before failing the test.
WORKER_WAIT_SECONDS = 60

Key = tuple  # (task_id, milestone_id, recipient_id, rule, occurrence): the reminder key


def point_broker(app, url: str) -> None:
    """Point the Celery app at another broker. `.delay()` publishes through the app's
    connection pool, which keeps the URL it was made with, so the app forgets its pool and
    takes kombu's pool for the new URL (kept open in kombu's registry, for the next test
    that points here)."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture(autouse=True)
def celery_app():
    """Nothing a fault test enqueues reaches a real broker unless the test points it
    there; the previous broker is restored afterwards."""
    from config.celery import app

    previous = app.conf.broker_url
    point_broker(app, "memory://")
    yield app
    point_broker(app, previous)


def _redis(db: int) -> str:
    """The URL of a spare Redis database, emptied; skip with the reason when there is no
    Redis, except in CI (CI=true), where a missing Redis is a failure."""
    import redis

    url = f"{REDIS_SERVER}/{db}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.exceptions.RedisError as exc:
        message = f"Redis is not reachable at {url} ({exc})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; CI requires it.")
        pytest.skip(f"{message}; start it to run this test.")
    return url


@pytest.fixture
def recovery_redis():
    url = _redis(RECOVERY_DB)
    yield url
    _redis(RECOVERY_DB)


@pytest.fixture
def worker_redis():
    url = _redis(WORKER_DB)
    yield url
    _redis(WORKER_DB)


@contextmanager
def no_hang(what: str, seconds: int = HANG_SECONDS) -> Iterator[None]:
    """Fail the test if the block has not returned after `seconds`: hang detection with a
    generous bound, not a measure of speed. (SIGALRM interrupts a blocked socket call in
    the main thread; pytest.fail raises an exception no `except Exception` swallows.)"""

    def hung(signum, frame):
        pytest.fail(f"{what} did not return within {seconds} s", pytrace=True)

    previous = signal.signal(signal.SIGALRM, hung)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def wait_until(condition, what: str, timeout: float = WORKER_WAIT_SECONDS,
               poll: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up after {timeout} s waiting for {what}"
        time.sleep(poll)


# ---------------------------------------------------------------- a worker in a thread


class Finished:
    """What the in-thread worker finished: counts per task name and their return values.
    Closes the worker thread's database connections after each task."""

    def __init__(self):
        self.counts: Counter = Counter()
        self.results: dict[str, list] = {}
        self.changed = threading.Condition()

    def __call__(self, sender=None, retval=None, **kwargs):
        from django.db import connections

        connections.close_all()
        name = sender.name.rsplit(".", 1)[-1]
        with self.changed:
            self.counts[name] += 1
            self.results.setdefault(name, []).append(retval)
            self.changed.notify_all()

    def wait_for(self, name: str, count: int, timeout: float = WORKER_WAIT_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.counts[name] < count:
                left = deadline - time.monotonic()
                assert left > 0, f"worker did not finish {count} × {name}: {self.counts}"
                self.changed.wait(left)


@contextmanager
def thread_worker(app) -> Iterator[Finished]:
    """A real Celery worker (solo pool) consuming from the app's broker in a thread of
    this process, so it shares the test database and the locmem outbox."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    finished = Finished()
    task_postrun.connect(finished, weak=False)
    root_level = logging.root.level  # the embedded worker sets up logging its own way
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield finished
    finally:
        task_postrun.disconnect(finished)
        logging.root.setLevel(root_level)


# ---------------------------------------------------------------- what reached people

NUDGE_SUBJECT = "【督查室催办】"
ITEM_CODE = re.compile(r"^- \d{4}·(\S+) ", re.MULTILINE)


def keys_per_message(messages: Iterable[dict]) -> Counter:
    """How many e-mails carried each reminder key (task, milestone, recipient, rule,
    occurrence).

    An e-mail is traced to its Delivery by recipient and kind (a 催办 subject, else the
    daily digest); the fault tests give each (person, kind) one e-mail delivery, which
    this checks, and it checks that the e-mail lists exactly that delivery's items.
    """
    deliveries: dict[tuple[str, str], Delivery] = {}
    for delivery in (Delivery.objects.filter(channel="email").select_related("recipient")
                     .prefetch_related("items__reminder__task")):
        key = (delivery.recipient.email, delivery.kind)
        assert key not in deliveries, f"two e-mail deliveries for {key}"
        deliveries[key] = delivery
    counts: Counter = Counter()
    for message in messages:
        (address,) = message["to"]
        kind = (DeliveryKind.NUDGE if message["subject"].startswith(NUDGE_SUBJECT)
                else DeliveryKind.DIGEST)
        delivery = deliveries[(address, kind)]
        reminders = [item.reminder for item in delivery.items.all()]
        assert sorted(ITEM_CODE.findall(message["body"])) == sorted(
            r.task.code for r in reminders), f"the e-mail to {address} lists other items"
        counts.update((r.task_id, r.milestone_id, r.recipient_id, r.rule, r.occurrence)
                      for r in reminders)
    return counts
