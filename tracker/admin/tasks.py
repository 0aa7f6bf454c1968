"""The task admin: where 督查室 corrects owners and deadlines, decides statuses, and
department heads add progress on their own tasks.

Every write that has a rule goes through tracker.services (progress entries, mark done,
status overrides), so the admin rolls percent and status up exactly as the web UI and
the API do.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from tracker.models import Indicator, Milestone, ProgressEntry, StatusOverride, Task
from tracker.rules.permissions import (
    TaskOwners,
    can_manage_task,
    can_override_status,
    can_report_progress,
    can_use_admin,
)
from tracker.selectors import overdue_q, task_list
from tracker.services.errors import PermissionDenied as ServicePermissionDenied
from tracker.services.errors import ValidationError as ServiceValidationError
from tracker.services.progress import progress_entry_create
from tracker.services.status import task_mark_done, task_status_override, task_status_recompute

from .base import HistoryAdmin, ReadOnlyInline, RuleAdminMixin, actor_of
from .display import percent_bar, status_badge
from .forms import (
    IndicatorFormSet,
    IndicatorInlineForm,
    ProgressEntryFormSet,
    ProgressEntryInlineForm,
    StatusOverrideForm,
)

SOURCE_FIELDS = ("source_quote", "source_start", "source_end")
# Owners the seed assigns by default; once 督查室 changes them, the seed keeps theirs.
SEEDED_OWNER_FIELDS = {"lead_department", "co_departments"}
# Facts the status rule reads; changing one re-evaluates the status.
STATUS_INPUT_FIELDS = {"start_date", "deadline"}


class OverdueFilter(admin.SimpleListFilter):
    """逾期: past the deadline and not done, by the one definition in selectors."""

    title = _("是否逾期")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return (("yes", _("已逾期")), ("no", _("未逾期")))

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.filter(overdue_q(today))
        if self.value() == "no":
            return queryset.exclude(overdue_q(today))
        return queryset


def _owners(task: Task) -> TaskOwners:
    return TaskOwners.of(task)


class IndicatorInline(RuleAdminMixin, admin.TabularInline):
    model = Indicator
    form = IndicatorInlineForm
    formset = IndicatorFormSet
    fk_name = "task"
    extra = 0
    show_change_link = True
    fields = ("code", "order", "name", "unit", "comparator", "target_value", "baseline",
              "baseline_year", "due_date", "latest_actual")
    readonly_fields = ("latest_actual",)


class MilestoneInline(RuleAdminMixin, admin.TabularInline):
    """时间节点: heads keep the nodes of the tasks their department leads."""

    model = Milestone
    extra = 0
    fields = ("order", "title", "due_date", "completed_on")

    def _may_manage(self, request: HttpRequest, obj: Task | None) -> bool:
        actor = actor_of(request)
        if obj is None:
            return actor.is_supervisor
        return can_manage_task(actor, _owners(obj))

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_manage(request, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_manage(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may_manage(request, obj)


class ProgressEntryInline(admin.TabularInline):
    """进展, append-only: earlier entries are shown read-only and a new one can be added.

    Django shows existing rows read-only when change permission is refused and still
    offers blank rows when add permission is granted; TaskAdmin.save_formset then
    passes each new row to progress_entry_create.
    """

    model = ProgressEntry
    form = ProgressEntryInlineForm
    formset = ProgressEntryFormSet
    extra = 1
    can_delete = False
    fields = ("reported_on", "percent", "self_status", "progress_text", "problems_text",
              "next_steps_text", "indicator", "actual_value", "evidence_file", "author",
              "created_at")
    readonly_fields = ("author", "created_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProgressEntry]:
        return super().get_queryset(request).select_related(
            "task",  # each row's label (__str__ reads the task's code)
            "author",  # 报送人 column
        ).prefetch_related(
            "evidence",  # 佐证材料 column
            "readings__indicator",  # 指标 and 指标实际值 columns
        )

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_use_admin(actor_of(request))

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        actor = actor_of(request)
        if obj is None:
            return actor.is_supervisor
        return can_report_progress(actor, _owners(obj))

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    # Shown for existing (read-only) rows in place of the new-row form fields.
    @admin.display(description=_("指标"))
    def indicator(self, obj: ProgressEntry) -> str:
        return "；".join(r.indicator.name for r in obj.readings.all()) or "-"

    @admin.display(description=_("指标实际值"))
    def actual_value(self, obj: ProgressEntry) -> str:
        return "；".join(f"{r.value.normalize():f}{r.indicator.unit}"
                        for r in obj.readings.all()) or "-"

    @admin.display(description=_("佐证材料"))
    def evidence_file(self, obj: ProgressEntry) -> str:
        files = list(obj.evidence.all())
        if not files:
            return "-"
        # Through the permission-checking view: there is no public media URL.
        return format_html_join(mark_safe("<br>"), '<a href="{}">{}</a>',
                                ((reverse("ui:evidence", args=[e.pk]), e.original_name)
                                 for e in files))


class StatusOverrideInline(ReadOnlyInline):
    """状态认定记录: every decision on this task, newest first."""

    model = StatusOverride
    fields = ("created_at", "status", "reason", "actor")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[StatusOverride]:
        return super().get_queryset(request).select_related(
            "task",  # each row's label (__str__ reads the task's code)
            "actor",  # 操作人 column
        )


@admin.register(Task)
class TaskAdmin(HistoryAdmin):
    list_display = ("code", "title", "area_code", "lead_department", "responsible",
                    "deadline", "progress", "status_badge", "is_overdue")
    list_display_links = ("code", "title")
    list_filter = ("plan", "area", "lead_department", "status", OverdueFilter)
    search_fields = ("code", "title", "text")
    search_help_text = _("按编号、任务名称或任务内容搜索")
    autocomplete_fields = ("parent", "lead_department", "co_departments", "responsible",
                           "leader")
    actions = ("mark_done", "override_status")
    inlines = (IndicatorInline, MilestoneInline, ProgressEntryInline, StatusOverrideInline)
    fieldsets = (
        (None, {"fields": ("plan", "area", "kind", "parent", "code", "position", "title",
                           "text")}),
        (_("责任分工"), {"fields": ("lead_department", "co_departments", "responsible",
                                "leader", "assignment_is_default", "weight")}),
        (_("时限"), {"fields": ("start_date", "deadline")}),
        (_("进度与状态"), {"fields": ("progress", "status_badge", "computed_status",
                                  "status_evaluated_on", "is_overdue", "last_progress_at",
                                  "completed_on")}),
        (_("人工认定"), {"fields": ("status_override", "status_override_reason",
                                "status_override_by", "status_override_at",
                                "override_link")}),
        (_("原文"), {"fields": SOURCE_FIELDS}),
        (_("记录"), {"fields": ("created_at", "updated_at")}),
    )
    # Kept by services (progress roll-up, status rule, overrides) or by the seed.
    supervisor_readonly_fields = (
        "progress", "status_badge", "computed_status", "status_evaluated_on", "is_overdue",
        "last_progress_at", "completed_on", "status_override", "status_override_reason",
        "status_override_by", "status_override_at", "override_link", *SOURCE_FIELDS,
        "created_at", "updated_at",
    )

    # ------------------------------------------------------------ queryset and access

    def get_queryset(self, request: HttpRequest) -> QuerySet[Task]:
        # task_list joins what the columns read (area, lead department, responsible) and
        # prefetches co-departments for TaskOwners; ChangeList keeps those joins.
        actor = actor_of(request)
        qs = task_list(actor=actor, own_department_only=not actor.is_supervisor)
        return qs.select_related("status_override_by").annotate(  # override marker
            # 逾期 column: the same definition as the overdue filter, computed in SQL.
            overdue=ExpressionWrapper(overdue_q(timezone.localdate()),
                                      output_field=BooleanField()),
        )

    def has_view_permission(self, request: HttpRequest, obj: Task | None = None) -> bool:
        actor = actor_of(request)
        if not can_use_admin(actor):
            return False
        # Object-level too: history pages load the task outside get_queryset.
        return obj is None or actor.is_supervisor or can_report_progress(actor, _owners(obj))

    def has_change_permission(self, request: HttpRequest, obj: Task | None = None) -> bool:
        # Heads "change" the tasks they report on: adding a progress entry saves the task
        # page. get_readonly_fields decides which fields they may actually edit.
        return self.has_view_permission(request, obj)

    def has_override_permission(self, request: HttpRequest) -> bool:
        return can_override_status(actor_of(request))

    def get_readonly_fields(self, request: HttpRequest, obj: Task | None = None):
        actor = actor_of(request)
        if actor.is_supervisor:
            return self.supervisor_readonly_fields
        editable = set()
        if obj is not None and can_manage_task(actor, _owners(obj)):
            editable = {"responsible"}
        return [f for f in flatten_fieldsets(self.fieldsets) if f not in editable]

    def get_form(self, request: HttpRequest, obj: Task | None = None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        actor = actor_of(request)
        if not actor.is_supervisor and "responsible" in form.base_fields:
            # A head names someone from their own department (or keeps who is there).
            allowed = Q(department_id__in=actor.head_of)
            if obj is not None and obj.responsible_id is not None:
                allowed |= Q(pk=obj.responsible_id)
            form.base_fields["responsible"].queryset = User.objects.filter(allowed)
        return form

    # ------------------------------------------------------------ saving

    def save_model(self, request: HttpRequest, obj: Task, form, change: bool) -> None:
        changed = set(form.changed_data)
        if change and not changed:
            return  # only inlines changed: no empty history row for the task
        if change and changed & SEEDED_OWNER_FIELDS and "assignment_is_default" not in changed:
            obj.assignment_is_default = False
        super().save_model(request, obj, form, change)
        if not change or changed & STATUS_INPUT_FIELDS:
            task_status_recompute(task=obj)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not ProgressEntry:
            super().save_formset(request, form, formset, change)
            return
        entries = []
        for entry_form in formset.extra_forms:
            if not entry_form.has_changed():
                continue
            data = entry_form.cleaned_data
            upload = data.get("evidence_file")
            try:
                entries.append(progress_entry_create(
                    task=form.instance, author=request.user,
                    reported_on=data.get("reported_on"), percent=data.get("percent"),
                    progress_text=data.get("progress_text", ""),
                    problems_text=data.get("problems_text", ""),
                    next_steps_text=data.get("next_steps_text", ""),
                    self_status=data.get("self_status", ""),
                    indicator=data.get("indicator"), actual_value=data.get("actual_value"),
                    evidence_files=[upload] if upload else None,
                ))
            except ServicePermissionDenied as exc:
                raise PermissionDenied(str(exc)) from exc
        # The admin's change message reads what the formset saved.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = entries, [], []

    # ------------------------------------------------------------ columns

    @admin.display(description=_("工作领域"), ordering="area__order")
    def area_code(self, obj: Task) -> str:
        return obj.area.code

    @admin.display(description=_("完成进度"), ordering="percent")
    def progress(self, obj: Task):
        return percent_bar(obj.percent)

    @admin.display(description=_("状态"), ordering="status")
    def status_badge(self, obj: Task):
        title = ""
        if obj.status_override:
            title = gettext("%(by)s 于 %(at)s 认定：%(reason)s") % {
                "by": obj.status_override_by or "-",
                "at": timezone.localtime(obj.status_override_at).strftime("%Y-%m-%d %H:%M")
                if obj.status_override_at else "-",
                "reason": obj.status_override_reason,
            }
        return status_badge(obj.status, overridden=bool(obj.status_override), title=title)

    @admin.display(description=_("逾期"), boolean=True, ordering="overdue")
    def is_overdue(self, obj: Task) -> bool | None:
        overdue = getattr(obj, "overdue", None)
        if overdue is None:  # the add page has no annotated row
            return None
        return bool(overdue)

    @admin.display(description=_("认定状态"))
    def override_link(self, obj: Task):
        if obj.pk is None:
            return "-"
        url = reverse("admin:tracker_task_override_status", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url,
                           gettext("认定状态 / 撤销认定"))

    def get_fieldsets(self, request: HttpRequest, obj: Task | None = None):
        fieldsets = self.fieldsets
        if not self.has_override_permission(request):
            # Heads see the override facts but have no button for it.
            fieldsets = tuple(
                (name, {**opts, "fields": tuple(f for f in opts["fields"]
                                                if f != "override_link")})
                for name, opts in fieldsets)
        return fieldsets

    # ------------------------------------------------------------ actions

    @admin.action(description=_("标记为已完成"), permissions=["override"])
    def mark_done(self, request: HttpRequest, queryset: QuerySet[Task]) -> None:
        count = 0
        with transaction.atomic():
            for task in queryset:
                try:
                    task_mark_done(task=task, actor_user=request.user)
                except ServicePermissionDenied as exc:
                    raise PermissionDenied(str(exc)) from exc
                count += 1
        self.message_user(request, ngettext("已将 %(count)d 项任务标记为已完成。",
                                            "已将 %(count)d 项任务标记为已完成。", count)
                          % {"count": count})

    @admin.action(description=_("认定状态（须填写理由）"), permissions=["override"])
    def override_status(self, request: HttpRequest,
                        queryset: QuerySet[Task]) -> HttpResponse | None:
        cancel_url = reverse("admin:tracker_task_changelist")
        return self._override_status_page(request, list(queryset), action="override_status",
                                          cancel_url=cancel_url)

    def get_urls(self):
        urls = super().get_urls()
        override = path(
            "<path:object_id>/override-status/",
            self.admin_site.admin_view(self.override_status_view),
            name="tracker_task_override_status",
        )
        return [override, *urls]

    def override_status_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """One task's 认定状态 page, reached from the button on its change page."""
        task = self.get_object(request, unquote(object_id))
        if task is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_override_permission(request):
            raise PermissionDenied
        change_url = reverse("admin:tracker_task_change", args=[task.pk])
        response = self._override_status_page(request, [task], action=None,
                                              cancel_url=change_url)
        return response or HttpResponseRedirect(change_url)

    def _override_status_page(self, request: HttpRequest, tasks: list[Task], *,
                              action: str | None, cancel_url: str) -> HttpResponse | None:
        """Ask for the status and reason, then apply them to every task, all or none.

        Returns None once applied (the caller redirects), else the form page, with the
        service's complaints as form errors.
        """
        form = StatusOverrideForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                with transaction.atomic():
                    for task in tasks:
                        task_status_override(task=task, actor_user=request.user,
                                             status=form.status_value,
                                             reason=form.cleaned_data["reason"])
            except ServicePermissionDenied as exc:
                raise PermissionDenied(str(exc)) from exc
            except ServiceValidationError as exc:
                for field, messages in exc.errors.items():
                    for message in messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
                self.message_user(request, ngettext(
                    "已认定 %(count)d 项任务的状态。", "已认定 %(count)d 项任务的状态。",
                    len(tasks)) % {"count": len(tasks)})
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("认定任务状态"),
            "opts": self.opts,
            "tasks": tasks,
            "form": form,
            "action": action,
            "cancel_url": cancel_url,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/tracker/task/override_status.html", context)
