from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.choices import Status
from tracker.models import StatusOverride, Task
from tracker.rules.permissions import Actor, can_override_status
from tracker.rules.status import StatusFacts, StatusResult, Thresholds, compute_status

from .errors import PermissionDenied, ValidationError

STATUS_FIELDS = ["computed_status", "status", "status_evaluated_on"]
REFRESH_BATCH_SIZE = 1000


def task_status_facts(task: Task) -> StatusFacts:
    return StatusFacts(
        percent=task.percent,
        start_date=task.start_date,
        deadline=task.deadline,
        has_progress=task.last_progress_at is not None,
        completed_on=task.completed_on,
    )


def task_status_evaluate(task: Task, *, today: dt.date) -> StatusResult:
    """The computed status of `task` on `today`, with its reason (overrides aside)."""
    return compute_status(task_status_facts(task), today=today,
                          thresholds=Thresholds.from_settings())


def _apply_status(task: Task, *, today: dt.date, thresholds: Thresholds) -> bool:
    """Set the status columns on the instance; return True when anything changed."""
    computed = compute_status(task_status_facts(task), today=today, thresholds=thresholds).status
    effective = task.status_override or computed
    changed = (task.computed_status, task.status, task.status_evaluated_on) != (
        computed, effective, today)
    task.computed_status, task.status, task.status_evaluated_on = computed, effective, today
    return changed


def task_status_recompute(*, task: Task, today: dt.date | None = None) -> Task:
    """Recompute one task's status after its facts changed, and save it."""
    today = today or timezone.localdate()
    if _apply_status(task, today=today, thresholds=Thresholds.from_settings()):
        task.save(update_fields=[*STATUS_FIELDS, "updated_at"])
    return task


def task_statuses_refresh(*, tasks: Iterable[Task] | None = None,
                          today: dt.date | None = None) -> int:
    """Re-evaluate stored statuses for `today` (all tasks when `tasks` is None).

    Time moves statuses on its own (a deadline passes, the trajectory rises), so a daily
    job calls this just after midnight. It works in batches of REFRESH_BATCH_SIZE and
    writes only the rows whose status changed. Returns the number of rows updated.
    """
    today = today or timezone.localdate()
    thresholds = Thresholds.from_settings()
    if tasks is None:
        tasks = Task.objects.only(
            "id", "percent", "start_date", "deadline", "last_progress_at", "completed_on",
            "status_override", "computed_status", "status", "status_evaluated_on",
        ).order_by("id").iterator(chunk_size=REFRESH_BATCH_SIZE)
    updated = 0
    batch: list[Task] = []
    for task in tasks:
        if _apply_status(task, today=today, thresholds=thresholds):
            batch.append(task)
        if len(batch) >= REFRESH_BATCH_SIZE:
            updated += Task.objects.bulk_update(batch, STATUS_FIELDS)
            batch = []
    if batch:
        updated += Task.objects.bulk_update(batch, STATUS_FIELDS)
    return updated


@transaction.atomic
def task_status_override(*, task: Task, actor_user, status: str, reason: str,
                         today: dt.date | None = None) -> Task:
    """Set (or, with status="", withdraw) a supervisor's manual status, with a reason.

    Every decision is kept in StatusOverride and in the task's history.
    """
    actor = Actor.of(actor_user)
    if not can_override_status(actor):
        raise PermissionDenied(_("只有督查室可以认定任务状态。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("认定状态必须填写理由。")]})
    if status and status not in Status.values:
        raise ValidationError({"status": [_("未知的状态：%(status)s") % {"status": status}]})
    task = Task.objects.select_for_update().get(pk=task.pk)
    task.status_override = status
    task.status_override_reason = reason if status else ""
    task.status_override_by = actor_user if status else None
    task.status_override_at = timezone.now() if status else None
    _apply_status(task, today=today or timezone.localdate(),
                  thresholds=Thresholds.from_settings())
    task._history_user = actor_user
    task.save()
    StatusOverride.objects.create(task=task, status=status, reason=reason, actor=actor_user)
    return task


@transaction.atomic
def task_mark_done(*, task: Task, actor_user, today: dt.date | None = None) -> Task:
    """Record a task as completed today (督查室 confirms completion)."""
    actor = Actor.of(actor_user)
    if not can_override_status(actor):
        raise PermissionDenied(_("只有督查室可以确认任务完成。"))
    today = today or timezone.localdate()
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.completed_on is None:
        task.completed_on = today
    task.percent = 100
    _apply_status(task, today=today, thresholds=Thresholds.from_settings())
    task._history_user = actor_user
    task.save()
    return task
