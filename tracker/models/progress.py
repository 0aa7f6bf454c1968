from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tracker.choices import Status

from .tasks import Indicator, Task


class ProgressEntry(models.Model):
    """进展: one dated report on a task. Append-only: a correction is a new entry.

    Nothing in the product updates or deletes a row (the admin and API offer neither);
    the latest entry is what the task's `percent` reflects.
    """

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="progress_entries",
                             verbose_name=_("任务"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="progress_entries", verbose_name=_("报送人"))
    reported_on = models.DateField(_("报送日期"))
    percent = models.PositiveSmallIntegerField(_("完成进度(%)"), null=True, blank=True)
    progress_text = models.TextField(_("进展情况"), blank=True)
    problems_text = models.TextField(_("存在问题"), blank=True)
    next_steps_text = models.TextField(_("下一步计划"), blank=True)
    self_status = models.CharField(_("自评状态"), max_length=12, choices=Status.choices,
                                   blank=True)
    # Demo entries come from fixtures/ and are never part of the real seed.
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("进展")
        verbose_name_plural = _("进展")
        ordering = ["-reported_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="progress_percent_0_100",
                condition=Q(percent__isnull=True) | (Q(percent__gte=0) & Q(percent__lte=100)),
            ),
            models.CheckConstraint(
                name="progress_self_status_valid",
                condition=Q(self_status="") | Q(self_status__in=Status.values),
            ),
        ]
        indexes = [
            # The task page's timeline and "latest entry" read by task, newest first.
            models.Index(fields=["task", "-reported_on", "-id"], name="progress_task_recent_idx"),
            # "Has this task reported in the current cycle?" (update-due reminders).
            models.Index(fields=["reported_on"], name="progress_reported_on_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task.code} @ {self.reported_on}"


class Evidence(models.Model):
    """佐证材料: a file attached to a progress entry."""

    entry = models.ForeignKey(ProgressEntry, on_delete=models.CASCADE,
                              related_name="evidence", verbose_name=_("进展"))
    file = models.FileField(_("文件"), upload_to="evidence/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    content_type = models.CharField(_("类型"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["entry", "id"]

    def __str__(self) -> str:
        return self.original_name


class IndicatorReading(models.Model):
    """An actual value of an indicator on a date. Append-only, like progress entries.

    Readings of a measure's indicator come with a progress entry; readings of a headline
    target (e.g. GDP growth from 统计局) may stand alone.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE,
                                  related_name="readings", verbose_name=_("指标"))
    entry = models.ForeignKey(ProgressEntry, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="readings", verbose_name=_("进展"))
    measured_on = models.DateField(_("统计日期"))
    value = models.DecimalField(_("实际值"), max_digits=18, decimal_places=4)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("报送人"))
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("指标实际值")
        verbose_name_plural = _("指标实际值")
        ordering = ["indicator", "measured_on", "id"]
        indexes = [
            # Charts read an indicator's readings in date order.
            models.Index(fields=["indicator", "measured_on"], name="reading_indicator_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} = {self.value} @ {self.measured_on}"


class StatusOverride(models.Model):
    """The record of every manual status decision (人工认定), append-only.

    `status` is blank when an override was withdrawn and the computed status applies again.
    """

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="status_overrides",
                             verbose_name=_("任务"))
    status = models.CharField(_("认定状态"), max_length=12, choices=Status.choices, blank=True)
    reason = models.TextField(_("理由"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("操作人"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("状态认定记录")
        verbose_name_plural = _("状态认定记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="status_override_reason_required",
                                   condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.task.code}: {self.status or '-'}"
