"""Celery tasks: thin wrappers that take ids (or a day) and call one service each.

Every task is acknowledged late and safe to run twice, because the services claim their
work in the database (tracker.services.reminders). Transient failures are retried with
backoff; nothing is swallowed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from tracker.channels import TransientDeliveryError
from tracker.services import reminders as reminder_services
from tracker.services.status import task_statuses_refresh

logger = logging.getLogger(__name__)

# A database that restarts or fails over is worth waiting for; the work is idempotent.
DATABASE_TRANSIENT = (OperationalError, InterfaceError)


@shared_task(bind=True, acks_late=True, autoretry_for=DATABASE_TRANSIENT, retry_backoff=True,
             retry_backoff_max=600, max_retries=5)
def reminders_sweep_task(self, day: str | None = None) -> dict:
    """The daily sweep (beat, 08:30): record today's reminders, then fan out the sending."""
    today = dt.date.fromisoformat(day) if day else None
    summary = reminder_services.reminders_sweep(today=today, deliver="enqueue")
    return {"day": summary.day.isoformat(), "working_day": summary.working_day,
            "recipients": len(summary.recipients), "new_reminders": summary.new_reminders,
            "deliveries": summary.deliveries, "enqueued": summary.enqueued}


@shared_task(bind=True, acks_late=True, autoretry_for=DATABASE_TRANSIENT, retry_backoff=True,
             retry_backoff_max=600, max_retries=settings.TRACKER_REMINDER_MAX_ATTEMPTS + 1)
def deliveries_send_task(self, delivery_ids: Sequence[int]) -> dict:
    """Send a few deliveries; those that failed transiently are retried with backoff."""
    result = reminder_services.deliveries_send(list(delivery_ids))
    if result.retrying:
        # The service already put them back to pending with next_attempt_at; retry just
        # those, a little after that moment (the backoff doubles with each attempt).
        countdown = reminder_services.backoff_seconds(self.request.retries + 1) + 1
        raise self.retry(args=[result.retrying], countdown=countdown,
                         exc=TransientDeliveryError(f"{len(result.retrying)} to retry"))
    return {"sent": result.sent, "failed": result.failed, "skipped": result.skipped}


@shared_task(bind=True, acks_late=True, autoretry_for=DATABASE_TRANSIENT, retry_backoff=True,
             max_retries=3)
def deliveries_flush_task(self) -> dict:
    """Every ten minutes: hand over what is pending (due retries, nudges whose enqueue
    failed while the broker was down, claims left by a dead worker), and run today's
    sweep if beat could not (see reminder_services.sweep_missed)."""
    if reminder_services.sweep_missed(now=timezone.now()):
        logger.warning("Today's reminder sweep did not run; running it now.")
        summary = reminder_services.reminders_sweep(deliver="enqueue")
        return {"caught_up": True, "enqueued": summary.enqueued}
    summary = reminder_services.deliveries_flush(deliver="enqueue")
    return {"caught_up": False, "enqueued": summary.enqueued}


@shared_task(bind=True, acks_late=True, autoretry_for=DATABASE_TRANSIENT, retry_backoff=True,
             max_retries=5)
def task_statuses_refresh_task(self) -> dict:
    """Just after midnight: move every stored 红黄绿灯 to the new day."""
    return {"updated": task_statuses_refresh()}


def deliveries_enqueue(delivery_ids: Sequence[int]) -> int:
    """Queue the deliveries in chunks; return how many were queued.

    Enqueueing must never break or stall the caller (a web request, a sweep): when the
    broker is unreachable it fails after one connection attempt instead of Celery's
    seconds of retries, the error is logged, and the deliveries stay pending in the
    database, where the next sweep or the ten-minute flush job picks them up. That is
    why this catches the broker's connection error, and nothing else.
    """
    if not delivery_ids:
        return 0
    from config.celery import app

    queued = 0
    chunk = reminder_services.SEND_CHUNK
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0, timeout=2)
            for start in range(0, len(delivery_ids), chunk):
                ids = list(delivery_ids[start:start + chunk])
                deliveries_send_task.apply_async(args=[ids], connection=connection,
                                                 retry=False)
                queued += len(ids)
    except BrokerUnavailable as exc:
        logger.warning("broker unavailable, %d deliveries stay pending for the next sweep: "
                       "%s", len(delivery_ids) - queued, exc)
    return queued


def deliveries_enqueue_on_commit(delivery_ids: Sequence[int]) -> None:
    """Queue after the surrounding transaction commits, so a worker never looks for rows
    that are not there yet (or that a rollback removed)."""
    ids = list(delivery_ids)
    transaction.on_commit(lambda: deliveries_enqueue(ids))
