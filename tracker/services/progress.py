from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.choices import Status
from tracker.models import Evidence, Indicator, IndicatorReading, ProgressEntry, Task
from tracker.rules.permissions import Actor, TaskOwners, can_report_progress

from .errors import PermissionDenied, ValidationError
from .evidence import evidence_files_validate
from .status import task_status_recompute


def progress_entry_check(*, task: Task, reported_on: dt.date, percent: int | None,
                         progress_text: str, self_status: str, indicator: Indicator | None,
                         actual_value: Decimal | None, today: dt.date,
                         ) -> tuple[Indicator | None, dict[str, list[str]]]:
    """The input rules of a progress entry, shared by the service and the forms that want
    to show the same messages beside their fields before anything is saved.

    Returns the indicator a bare actual value is read against (the task's first) and the
    errors by field; no errors means progress_entry_create will accept the input.
    """
    errors: dict[str, list[str]] = {}
    if percent is not None and not 0 <= percent <= 100:
        errors.setdefault("percent", []).append(_("完成进度必须在 0 到 100 之间。"))
    if reported_on > today:
        errors.setdefault("reported_on", []).append(_("报送日期不能晚于今天。"))
    if self_status and self_status not in Status.values:
        errors.setdefault("self_status", []).append(_("未知的状态。"))
    if actual_value is not None and indicator is None:
        indicator = task.indicators.order_by("order", "id").first()
        if indicator is None:
            errors.setdefault("actual_value", []).append(_("该任务没有可填报实际值的指标。"))
    if indicator is not None and indicator.task_id != task.pk:
        errors.setdefault("indicator", []).append(_("该指标不属于此任务。"))
    if indicator is not None and actual_value is None:
        errors.setdefault("actual_value", []).append(_("请填写指标实际值。"))
    if not any([percent is not None, (progress_text or "").strip(), actual_value is not None]):
        errors.setdefault("non_field_errors", []).append(
            _("请至少填写完成进度、进展情况或指标实际值中的一项。"))
    return indicator, errors


@transaction.atomic
def progress_entry_create(
    *,
    task: Task,
    author,
    reported_on: dt.date | None = None,
    percent: int | None = None,
    progress_text: str = "",
    problems_text: str = "",
    next_steps_text: str = "",
    self_status: str = "",
    indicator: Indicator | None = None,
    actual_value: Decimal | None = None,
    evidence_files: list[UploadedFile] | None = None,
    is_demo: bool = False,
) -> ProgressEntry:
    """Append a progress entry to a task, with an optional indicator reading and files.

    1. Check the author may report on this task (rules.permissions).
    2. Validate every field, collecting all errors before raising.
    3. Lock the task row, so two reports at once cannot interleave their roll-ups.
    4. Write the entry, its reading and its evidence.
    5. Roll the latest percent up onto the task and recompute its status.
    """
    task_for_check = Task.objects.prefetch_related("co_departments").get(pk=task.pk)
    if not can_report_progress(Actor.of(author), TaskOwners.of(task_for_check)):
        raise PermissionDenied(_("您不是该任务的责任人或责任单位成员，不能报送进展。"))

    today = timezone.localdate()
    reported_on = reported_on or today
    indicator, errors = progress_entry_check(
        task=task, reported_on=reported_on, percent=percent, progress_text=progress_text,
        self_status=self_status, indicator=indicator, actual_value=actual_value, today=today)
    # Size, type by content and by name, sanitised names (services.evidence).
    checked_files = evidence_files_validate(evidence_files, errors)
    if errors:
        raise ValidationError(errors)

    task = Task.objects.select_for_update().get(pk=task.pk)
    entry = ProgressEntry.objects.create(
        task=task, author=author, reported_on=reported_on, percent=percent,
        progress_text=progress_text.strip(), problems_text=problems_text.strip(),
        next_steps_text=next_steps_text.strip(), self_status=self_status, is_demo=is_demo,
    )
    if indicator is not None and actual_value is not None:
        indicator_reading_create(indicator=indicator, value=actual_value,
                                 measured_on=reported_on, author=author, entry=entry,
                                 is_demo=is_demo)
    for checked in checked_files:
        Evidence.objects.create(entry=entry,
                                file=File(checked.upload, name=checked.storage_name),
                                original_name=checked.display_name, size=checked.upload.size,
                                content_type=checked.content_type)

    # The latest report by date wins; an older back-dated entry does not roll percent back.
    latest = task.progress_entries.exclude(percent=None).order_by("-reported_on", "-id").first()
    if latest is not None:
        task.percent = latest.percent
    task.last_progress_at = timezone.now()
    if task.percent >= 100 and task.completed_on is None:
        task.completed_on = reported_on
    task._history_user = author
    task.save(update_fields=["percent", "last_progress_at", "completed_on", "updated_at"])
    task_status_recompute(task=task, today=today)
    return entry


@transaction.atomic
def indicator_reading_create(*, indicator: Indicator, value: Decimal, measured_on: dt.date,
                             author, entry: ProgressEntry | None = None, note: str = "",
                             is_demo: bool = False) -> IndicatorReading:
    """Record an actual value and keep the indicator's latest actual current."""
    reading = IndicatorReading.objects.create(
        indicator=indicator, value=value, measured_on=measured_on, author=author,
        entry=entry, note=note, is_demo=is_demo)
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if indicator.latest_actual_on is None or measured_on >= indicator.latest_actual_on:
        indicator.latest_actual = value
        indicator.latest_actual_on = measured_on
        indicator.save(update_fields=["latest_actual", "latest_actual_on", "updated_at"])
    return reading
