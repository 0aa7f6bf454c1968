from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker.choices import Comparator, Direction, Status, TaskKind

from .base import SourceReference
from .plans import Area, Plan


class Task(SourceReference):
    """A key task (重点任务) or one of its concrete measures (具体举措).

    A key task hangs off an area; a measure hangs off its key task (`parent`). Both carry
    owners, a deadline and progress. `percent`, `last_progress_at` and the status columns
    are maintained by tracker.services so that lists and dashboards can filter and count
    in the database instead of recomputing per row.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks",
                             verbose_name=_("工作报告"))
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="tasks",
                             verbose_name=_("工作领域"))
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="measures", verbose_name=_("所属重点任务"))
    kind = models.CharField(_("类型"), max_length=10, choices=TaskKind.choices,
                            default=TaskKind.KEY_TASK)
    code = models.CharField(_("编号"), max_length=30)
    # Reading order within the plan: areas, then each key task followed by its measures.
    position = models.PositiveIntegerField(_("序号"))
    title = models.CharField(_("任务"), max_length=300)
    text = models.TextField(_("任务内容"), blank=True)

    start_date = models.DateField(_("开始日期"))
    deadline = models.DateField(_("完成时限"))
    lead_department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, null=True, blank=True,
        related_name="led_tasks", verbose_name=_("责任单位"))
    co_departments = models.ManyToManyField(
        "accounts.Department", blank=True, related_name="co_tasks", verbose_name=_("配合单位"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="responsible_tasks", verbose_name=_("责任人"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="led_by_tasks", verbose_name=_("分管领导"))
    # True while the owners are the seed's default area-to-department map, not yet
    # confirmed by 督查室; cleared by task_assign.
    assignment_is_default = models.BooleanField(_("默认分工"), default=False)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2, default=1)

    percent = models.PositiveSmallIntegerField(_("完成进度(%)"), default=0)
    last_progress_at = models.DateTimeField(_("最近报送"), null=True, blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)

    # The effective 红黄绿灯: the override when there is one, else the computed status.
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices,
                              default=Status.NOT_STARTED)
    computed_status = models.CharField(_("计算状态"), max_length=12, choices=Status.choices,
                                       default=Status.NOT_STARTED)
    # The day `computed_status` was evaluated for; the daily refresh moves it forward.
    status_evaluated_on = models.DateField(_("状态评估日期"), null=True, blank=True)
    status_override = models.CharField(_("人工认定状态"), max_length=12,
                                       choices=Status.choices, blank=True)
    status_override_reason = models.TextField(_("认定理由"), blank=True)
    status_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("认定人"))
    status_override_at = models.DateTimeField(_("认定时间"), null=True, blank=True)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[co_departments])

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["plan", "position"]
        constraints = [
            *SourceReference.Meta.constraints,
            models.UniqueConstraint(fields=["plan", "code"], name="task_unique_code_in_plan"),
            models.UniqueConstraint(fields=["plan", "position"],
                                    name="task_unique_position_in_plan"),
            models.CheckConstraint(
                name="task_measure_has_parent",
                condition=(Q(kind=TaskKind.MEASURE) & Q(parent__isnull=False))
                | (Q(kind=TaskKind.KEY_TASK) & Q(parent__isnull=True)),
            ),
            models.CheckConstraint(name="task_percent_0_100",
                                   condition=Q(percent__gte=0) & Q(percent__lte=100)),
            models.CheckConstraint(name="task_weight_positive", condition=Q(weight__gt=0)),
            models.CheckConstraint(name="task_deadline_after_start",
                                   condition=Q(deadline__gte=F("start_date"))),
            models.CheckConstraint(
                name="task_override_needs_reason",
                condition=Q(status_override="") | ~Q(status_override_reason=""),
            ),
            models.CheckConstraint(name="task_status_valid",
                                   condition=Q(status__in=Status.values)),
        ]
        indexes = [
            # Dashboard counts by status within a plan (selectors.plan_status_counts).
            models.Index(fields=["plan", "status"], name="task_plan_status_idx"),
            # Overdue / due-soon lists and the reminder sweep scan by deadline.
            models.Index(fields=["deadline", "status"], name="task_deadline_status_idx"),
            # "My department's tasks" (selectors.task_list with department filter).
            models.Index(fields=["lead_department", "status"], name="task_lead_dept_status_idx"),
            # Integrations sync by difference with updated_since.
            models.Index(fields=["updated_at"], name="task_updated_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Indicator(SourceReference):
    """A quantified target (指标): a headline target of the plan, or a measure's number.

    Headline targets (主要预期目标) have no task. Qualitative "in step with" targets
    (同步) have no target value.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators",
                             verbose_name=_("工作报告"))
    task = models.ForeignKey(Task, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="indicators", verbose_name=_("所属任务"))
    code = models.CharField(_("编号"), max_length=30)
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("指标名称"), max_length=200)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    comparator = models.CharField(_("比较方式"), max_length=10, choices=Comparator.choices,
                                  default=Comparator.EQ)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices,
                                 default=Direction.INCREASE)
    target_value = models.DecimalField(_("目标值"), max_digits=18, decimal_places=4,
                                       null=True, blank=True)
    baseline = models.DecimalField(_("基期值"), max_digits=18, decimal_places=4,
                                   null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("基期年份"), null=True, blank=True)
    baseline_quote = models.TextField(_("基期原文"), blank=True)
    due_date = models.DateField(_("完成时限"))
    # Latest reading, kept by services.indicator_reading_create for dashboards.
    latest_actual = models.DecimalField(_("最新实际值"), max_digits=18, decimal_places=4,
                                        null=True, blank=True)
    latest_actual_on = models.DateField(_("最新实际值日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["plan", "task_id", "order", "id"]
        constraints = [
            *SourceReference.Meta.constraints,
            models.UniqueConstraint(fields=["plan", "code"],
                                    name="indicator_unique_code_in_plan"),
            models.CheckConstraint(
                name="indicator_quantified_has_target",
                condition=Q(comparator=Comparator.IN_STEP) | Q(target_value__isnull=False),
            ),
            models.CheckConstraint(
                name="indicator_baseline_has_year",
                condition=Q(baseline__isnull=True) | Q(baseline_year__isnull=False),
            ),
            models.CheckConstraint(name="indicator_comparator_valid",
                                   condition=Q(comparator__in=Comparator.values)),
        ]
        indexes = [
            models.Index(fields=["updated_at"], name="indicator_updated_at_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_headline(self) -> bool:
        return self.task_id is None


class Milestone(models.Model):
    """时间节点: a dated checkpoint inside a task (quarterly nodes are common)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones",
                             verbose_name=_("任务"))
    order = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("节点内容"), max_length=300)
    due_date = models.DateField(_("节点时间"))
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("时间节点")
        verbose_name_plural = _("时间节点")
        ordering = ["task", "due_date", "order"]
        constraints = [
            models.UniqueConstraint(fields=["task", "order"], name="milestone_unique_order"),
        ]
        indexes = [
            # The reminder sweep looks for open milestones by due date.
            models.Index(fields=["due_date"], condition=Q(completed_on__isnull=True),
                         name="milestone_open_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title
