"""Plans and areas: 督查室 edits them; department heads may only look."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from tracker.models import Area, Plan
from tracker.rules.permissions import Actor, can_edit_plan

from .base import HistoryAdmin

SOURCE_FIELDS = ("source_quote", "source_start", "source_end")


@admin.register(Plan)
class PlanAdmin(HistoryAdmin):
    list_display = ("title", "year", "region", "adopted_on", "template_year", "task_count")
    list_filter = ("year", "region")
    search_fields = ("title", "region")
    # The report text is what every source offset points into: loaded by seed_report,
    # never edited by hand, or every quote would drift.
    readonly_fields = ("source_text", "template_year", "created_at", "updated_at")
    fields = ("year", "region", "title", "adopted_on", "template_year", "source_text",
              "created_at", "updated_at")

    def changelist_view(self, request, extra_context=None):
        # The "import a report" button shows for those who may load plans.
        extra_context = {**(extra_context or {}),
                         "can_import_report": can_edit_plan(Actor.of(request.user))}
        return super().changelist_view(request, extra_context=extra_context)

    def get_queryset(self, request):
        # task_count column: one aggregate in the list query, not a count per row.
        return super().get_queryset(request).annotate(task_count=Count("tasks"))

    @admin.display(description=_("任务数"), ordering="task_count")
    def task_count(self, obj: Plan) -> int:
        return obj.task_count


@admin.register(Area)
class AreaAdmin(HistoryAdmin):
    list_display = ("code", "title", "plan", "order")
    list_display_links = ("code", "title")
    list_filter = ("plan",)
    list_select_related = ("plan",)  # plan column
    search_fields = ("code", "title")
    readonly_fields = SOURCE_FIELDS
    fields = ("plan", "order", "code", "title", *SOURCE_FIELDS)
