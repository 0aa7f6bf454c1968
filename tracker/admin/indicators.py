"""Indicators (headline targets and measures' numbers) and milestones."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tracker.models import Indicator, IndicatorReading, Milestone
from tracker.rules.permissions import TaskOwners, can_manage_task, can_report_progress

from .base import HistoryAdmin, ReadOnlyInline, actor_of, scoped_task_ids

SOURCE_FIELDS = ("source_quote", "source_start", "source_end")


class HeadlineFilter(admin.SimpleListFilter):
    title = _("类型")
    parameter_name = "headline"

    def lookups(self, request, model_admin):
        return (("yes", _("主要预期目标")), ("no", _("任务指标")))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(task__isnull=self.value() == "yes")
        return queryset


class ReadingInline(ReadOnlyInline):
    model = IndicatorReading
    fk_name = "indicator"
    fields = ("measured_on", "value", "note", "author", "entry", "is_demo")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[IndicatorReading]:
        # 报送人 and 进展 columns (an entry's __str__ reads its task's code).
        return super().get_queryset(request).select_related("author", "entry__task")


@admin.register(Indicator)
class IndicatorAdmin(HistoryAdmin):
    list_display = ("code", "name", "target", "baseline_display", "latest_actual",
                    "latest_actual_on", "due_date", "task_code", "plan")
    list_display_links = ("code", "name")
    list_filter = ("plan", HeadlineFilter, "comparator")
    list_select_related = ("plan", "task")  # plan and task columns
    search_fields = ("code", "name", "task__title")
    autocomplete_fields = ("task",)
    readonly_fields = ("latest_actual", "latest_actual_on", *SOURCE_FIELDS, "created_at",
                       "updated_at")
    fieldsets = (
        (None, {"fields": ("plan", "task", "code", "order", "name")}),
        (_("目标"), {"fields": ("comparator", "direction", "target_value", "unit",
                              "due_date")}),
        (_("基期"), {"fields": ("baseline", "baseline_year", "baseline_quote")}),
        (_("实际"), {"fields": ("latest_actual", "latest_actual_on")}),
        (_("原文"), {"fields": SOURCE_FIELDS}),
        (_("记录"), {"fields": ("created_at", "updated_at")}),
    )
    inlines = (ReadingInline,)

    @admin.display(description=_("目标值"), ordering="target_value")
    def target(self, obj: Indicator) -> str:
        if obj.target_value is None:
            return obj.get_comparator_display()
        return f"{obj.get_comparator_display()} {obj.target_value.normalize():f}{obj.unit}"

    @admin.display(description=_("基期值"), ordering="baseline")
    def baseline_display(self, obj: Indicator) -> str:
        if obj.baseline is None:
            return "-"
        return f"{obj.baseline.normalize():f}{obj.unit}（{obj.baseline_year}）"

    @admin.display(description=_("所属任务"), ordering="task__position")
    def task_code(self, obj: Indicator) -> str:
        return obj.task.code if obj.task_id else "-"


@admin.register(Milestone)
class MilestoneAdmin(HistoryAdmin):
    """时间节点, also kept inline on the task page; heads change those of their tasks."""

    list_display = ("title", "task", "order", "due_date", "completed_on")
    list_filter = ("task__plan", ("completed_on", admin.EmptyFieldListFilter))
    list_select_related = ("task",)  # task column
    search_fields = ("title", "task__code", "task__title")
    autocomplete_fields = ("task",)
    fields = ("task", "order", "title", "due_date", "completed_on")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Milestone]:
        qs = super().get_queryset(request).select_related("task").prefetch_related(
            "task__co_departments")  # TaskOwners.of(milestone.task) in permission checks
        actor = actor_of(request)
        if not actor.is_supervisor:
            qs = qs.filter(task__in=scoped_task_ids(actor))
        return qs

    def has_view_permission(self, request: HttpRequest, obj: Milestone | None = None) -> bool:
        actor = actor_of(request)
        if obj is None or actor.is_supervisor or not super().has_view_permission(request):
            return super().has_view_permission(request, obj)
        # Object-level too: history pages load the milestone outside get_queryset.
        return can_report_progress(actor, TaskOwners.of(obj.task))

    def has_change_permission(self, request: HttpRequest, obj: Milestone | None = None) -> bool:
        actor = actor_of(request)
        if obj is None or actor.is_supervisor:
            return super().has_change_permission(request, obj) or bool(actor.head_of)
        return can_manage_task(actor, TaskOwners.of(obj.task))

    def get_readonly_fields(self, request: HttpRequest, obj: Milestone | None = None):
        if actor_of(request).is_supervisor:
            return ()
        return ("task",)  # a head keeps a node on its task; adding is on the task page
