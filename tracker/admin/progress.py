"""Append-only records: progress entries, evidence, indicator readings, status decisions.

Nobody changes or deletes them here. Progress is added on the task page (so it rolls
up through progress_entry_create); readings of headline targets are added here by
督查室 through indicator_reading_create.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tracker.models import Evidence, IndicatorReading, ProgressEntry, StatusOverride
from tracker.services.progress import indicator_reading_create

from .base import AppendOnlyMixin, ReadOnlyInline, RuleAdminMixin, actor_of, scoped_task_ids
from .display import status_badge


class ScopedToTasksMixin:
    """Department heads see the records of their own department's tasks only."""

    task_path = "task"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        actor = actor_of(request)
        if actor.is_supervisor:
            return qs
        return qs.filter(**{f"{self.task_path}__in": scoped_task_ids(actor)})


def evidence_link(obj: Evidence):
    # Through the permission-checking view: there is no public media URL.
    return format_html('<a href="{}">{}</a>', reverse("ui:evidence", args=[obj.pk]), _("下载"))


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ("link", "original_name", "size", "content_type", "created_at")
    readonly_fields = fields

    @admin.display(description=_("下载"))
    def link(self, obj: Evidence):
        return evidence_link(obj)


class ReadingOfEntryInline(ReadOnlyInline):
    model = IndicatorReading
    fk_name = "entry"
    fields = ("indicator", "measured_on", "value")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[IndicatorReading]:
        return super().get_queryset(request).select_related("indicator")  # 指标 column


@admin.register(ProgressEntry)
class ProgressEntryAdmin(ScopedToTasksMixin, AppendOnlyMixin, RuleAdminMixin, admin.ModelAdmin):
    list_display = ("task", "reported_on", "percent", "self_status_badge", "author",
                    "is_demo", "created_at")
    list_filter = ("task__plan", "self_status", "is_demo", "reported_on")
    list_select_related = ("task", "author")  # task and 报送人 columns
    search_fields = ("task__code", "task__title", "progress_text", "problems_text",
                     "next_steps_text")
    date_hierarchy = "reported_on"
    fields = ("task", "reported_on", "percent", "self_status", "progress_text",
              "problems_text", "next_steps_text", "author", "is_demo", "created_at")
    inlines = (ReadingOfEntryInline, EvidenceInline)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # added on the task page, where it rolls up onto the task

    @admin.display(description=_("自评状态"), ordering="self_status")
    def self_status_badge(self, obj: ProgressEntry):
        return status_badge(obj.self_status)


@admin.register(Evidence)
class EvidenceAdmin(ScopedToTasksMixin, AppendOnlyMixin, RuleAdminMixin, admin.ModelAdmin):
    task_path = "entry__task"
    list_display = ("original_name", "entry", "content_type", "size", "created_at", "link")
    list_select_related = ("entry__task",)  # entry column reads its task's code
    search_fields = ("original_name", "entry__task__code", "entry__task__title")
    # "link", not "file": a file field would link its public media URL, which is not served.
    fields = ("entry", "link", "original_name", "size", "content_type", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # uploaded with a progress entry

    @admin.display(description=_("下载"))
    def link(self, obj: Evidence):
        return evidence_link(obj)


@admin.register(IndicatorReading)
class IndicatorReadingAdmin(AppendOnlyMixin, RuleAdminMixin, admin.ModelAdmin):
    list_display = ("indicator", "measured_on", "value", "author", "entry", "is_demo",
                    "created_at")
    list_filter = ("indicator__plan", "is_demo", ("indicator__task", admin.EmptyFieldListFilter))
    # indicator, author and entry columns (an entry's __str__ reads its task's code).
    list_select_related = ("indicator", "author", "entry__task")
    search_fields = ("indicator__code", "indicator__name", "note")
    autocomplete_fields = ("indicator",)
    fields = ("indicator", "measured_on", "value", "note", "author", "entry", "is_demo",
              "created_at")
    readonly_fields = ("author", "entry", "is_demo", "created_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[IndicatorReading]:
        qs = super().get_queryset(request)
        actor = actor_of(request)
        if actor.is_supervisor:
            return qs
        # Heads: readings of their tasks' indicators, and the plan's headline targets.
        return qs.filter(Q(indicator__task__in=scoped_task_ids(actor))
                         | Q(indicator__task__isnull=True))

    def save_model(self, request: HttpRequest, obj: IndicatorReading, form,
                   change: bool) -> None:
        # A reading also moves the indicator's latest actual: the service keeps both.
        reading = indicator_reading_create(indicator=obj.indicator, value=obj.value,
                                           measured_on=obj.measured_on, note=obj.note,
                                           author=request.user)
        obj.pk, obj.author, obj.created_at = reading.pk, reading.author, reading.created_at
        obj._state.adding = False


@admin.register(StatusOverride)
class StatusOverrideAdmin(ScopedToTasksMixin, AppendOnlyMixin, RuleAdminMixin,
                          admin.ModelAdmin):
    """状态认定记录: written by the override action, read here."""

    list_display = ("task", "status_display", "reason", "actor", "created_at")
    list_filter = ("status", "task__plan")
    list_select_related = ("task", "actor")  # task and 操作人 columns
    search_fields = ("task__code", "task__title", "reason")
    fields = ("task", "status", "reason", "actor", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # only through the task admin's 认定状态, which runs the service

    @admin.display(description=_("认定状态"), ordering="status")
    def status_display(self, obj: StatusOverride):
        if not obj.status:
            return _("撤销认定")
        return status_badge(obj.status)
