"""A Celery worker killed in the middle of a sweep: nothing is lost, and nothing is sent
twice except the one message the reminder engine documents.

A real worker runs as a subprocess (`celery -A config worker`) on a spare Redis database
and on this test's PostgreSQL database, with e-mail written to a journal file
(tests/faults/mail.py) that survives the worker. Its e-mail backend stalls on the fourth
message; the test SIGKILLs the worker there, then runs the sweep again the way production
does once the dead worker's claims have expired (`send_reminders`, past
TRACKER_REMINDER_CLAIM_TIMEOUT), twice.

The documented window (tracker/services/reminders.py): a worker that dies after the channel
accepted a message but before its delivery was marked sent leaves a claim that the next
sweep takes over, so that one message goes out again. Killed before the channel accepted
it, nothing repeats at all.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.factories import DepartmentFactory, TaskFactory, UserFactory
from tests.faults.conftest import keys_per_message, point_broker, wait_until
from tests.faults.mail import read_journal
from tracker.models import Delivery, DeliveryState, Reminder
from tracker.tasks import reminders_sweep_task

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DAY = dt.date(2026, 6, 10)  # a Wednesday
ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 5  # five owners and their five department heads: ten digests
STALL_AT = 4  # the fourth message: three sent before it, six claimed behind it


def _people_with_tasks() -> None:
    """Each owner has a task due in 7 days and one a day overdue (copied to the head)."""
    for i in range(PEOPLE):
        department = DepartmentFactory()
        head = UserFactory(department=department, email=f"head{i}@example.gov.cn")
        department.head = head
        department.save()
        owner = UserFactory(department=department, email=f"owner{i}@example.gov.cn")
        for n, deadline in enumerate((DAY + dt.timedelta(days=7), DAY - dt.timedelta(days=1))):
            TaskFactory(area__plan__year=DAY.year, code=f"K{i}-{n}", deadline=deadline,
                        start_date=dt.date(DAY.year, 1, 1), responsible=owner,
                        lead_department=department)


def _database_url() -> str:
    """This test's PostgreSQL database (created by pytest-django), for the subprocess."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "postgres")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    return (f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            f"/{quote(db['NAME'])}")


@contextmanager
def worker_process(tmp_path: Path, *, broker: str, stall_when: str) -> Iterator:
    """`celery -A config worker` in its own process group, killed in any case on the way
    out. Its log is tmp_path/worker.log."""
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
        "TEST_DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker,
        "FAULTS_MAIL_JOURNAL": str(tmp_path / "journal.jsonl"),
        "FAULTS_MAIL_STALL_AT": str(STALL_AT),
        "FAULTS_MAIL_STALL_WHEN": stall_when,
        "FAULTS_MAIL_STALL_FLAG": str(tmp_path / "stalled"),
        "PYTHONPATH": str(ROOT),
        "TMPDIR": str(tmp_path),  # the test settings' media directory lands here
    }
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=INFO",
         f"--hostname=faults-{os.getpid()}@localhost"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        log.close()


def _worker_log(tmp_path: Path) -> str:
    return (tmp_path / "worker.log").read_text(errors="replace")[-3000:]


def _kill_mid_sweep(tmp_path: Path, celery_app, broker: str, stall_when: str) -> list[str]:
    """Run the day's sweep on a worker subprocess and SIGKILL it while it is sending the
    STALL_AT-th message. Returns the recipients of that message."""
    point_broker(celery_app, broker)
    flag = tmp_path / "stalled"
    with worker_process(tmp_path, broker=broker, stall_when=stall_when) as worker:
        reminders_sweep_task.delay(DAY.isoformat())
        wait_until(lambda: flag.exists() or worker.poll() is not None,
                   "the worker to reach the stalling message")
        assert worker.poll() is None, f"the worker died early:\n{_worker_log(tmp_path)}"
        os.killpg(worker.pid, signal.SIGKILL)
        assert worker.wait(timeout=10) == -signal.SIGKILL
    return json.loads(flag.read_text(encoding="utf-8"))


def _sweep_again_after_the_claims_expired(tmp_path: Path, settings_, monkeypatch) -> None:
    """What production does next: a sweep in this process (the same journal), first while
    the dead worker's claims are fresh, then twice once they are older than the claim
    timeout."""
    settings_.EMAIL_BACKEND = "tests.faults.mail.JournalBackend"
    monkeypatch.setenv("FAULTS_MAIL_JOURNAL", str(tmp_path / "journal.jsonl"))
    journal = tmp_path / "journal.jsonl"
    before = len(read_journal(journal))
    call_command("send_reminders", "--today", DAY.isoformat(), stdout=io.StringIO())
    assert len(read_journal(journal)) == before, "a fresh claim is left to its worker"

    later = timezone.now() + dt.timedelta(seconds=settings_.TRACKER_REMINDER_CLAIM_TIMEOUT
                                          + 60)
    with time_machine.travel(later, tick=True):
        for _run in range(2):
            call_command("send_reminders", "--today", DAY.isoformat(), stdout=io.StringIO())


def _state_counts() -> Counter:
    return Counter(Delivery.objects.values_list("state", flat=True))


def test_a_worker_killed_before_a_message_is_accepted_loses_and_repeats_nothing(
        requires_postgres, worker_redis, celery_app, tmp_path, settings, monkeypatch):
    _people_with_tasks()

    stalled_on = _kill_mid_sweep(tmp_path, celery_app, worker_redis, "before")

    journal = tmp_path / "journal.jsonl"
    assert len(read_journal(journal)) == STALL_AT - 1
    # Killed mid-sweep: three sent, the stalled one and the six behind it still claimed.
    assert _state_counts() == {DeliveryState.SENT: STALL_AT - 1,
                               DeliveryState.SENDING: 2 * PEOPLE - STALL_AT + 1}

    _sweep_again_after_the_claims_expired(tmp_path, settings, monkeypatch)

    messages = read_journal(journal)
    assert Counter(address for m in messages for address in m["to"]) == dict.fromkeys(
        [f"{who}{i}@example.gov.cn" for who in ("owner", "head") for i in range(PEOPLE)], 1)
    assert stalled_on[0] in {m["to"][0] for m in messages if m["pid"] == os.getpid()}
    keys = set(Reminder.objects.values_list("task_id", "milestone_id", "recipient_id", "rule",
                                            "occurrence"))
    assert len(keys) == 3 * PEOPLE  # two items per owner, one copy per head
    assert keys_per_message(messages) == dict.fromkeys(keys, 1), "each reminder once"
    assert _state_counts() == {DeliveryState.SENT: 2 * PEOPLE}


def test_a_worker_killed_after_a_message_was_accepted_repeats_only_that_message(
        requires_postgres, worker_redis, celery_app, tmp_path, settings, monkeypatch):
    _people_with_tasks()

    stalled_on = _kill_mid_sweep(tmp_path, celery_app, worker_redis, "after")

    journal = tmp_path / "journal.jsonl"
    assert len(read_journal(journal)) == STALL_AT  # the channel took the fourth
    assert _state_counts() == {DeliveryState.SENT: STALL_AT - 1,
                               DeliveryState.SENDING: 2 * PEOPLE - STALL_AT + 1}

    _sweep_again_after_the_claims_expired(tmp_path, settings, monkeypatch)

    messages = read_journal(journal)
    everyone = [f"{who}{i}@example.gov.cn" for who in ("owner", "head") for i in range(PEOPLE)]
    (in_flight,) = stalled_on
    assert Counter(address for m in messages for address in m["to"]) == (
        dict.fromkeys(everyone, 1) | {in_flight: 2}), "only the in-flight message repeats"
    keys = set(Reminder.objects.values_list("task_id", "milestone_id", "recipient_id", "rule",
                                            "occurrence"))
    assert len(keys) == 3 * PEOPLE
    in_flight_recipient = Delivery.objects.get(recipient__email=in_flight).recipient_id
    in_flight_keys = {key for key in keys if key[2] == in_flight_recipient}
    assert keys_per_message(messages) == {key: 2 if key in in_flight_keys else 1
                                          for key in keys}
    assert _state_counts() == {DeliveryState.SENT: 2 * PEOPLE}
