"""Reminder admin: channels, robots, every reminder and delivery, and the staff tools.

* 消息发送 (Delivery) lists every message with its state, attempts and last error;
  failures are one filter away and can be sent again.
* "预览明日提醒" shows who would get what on the next working day.
* "立即催办" on tasks sends one nudge at once and logs it like every reminder.

Access follows tracker.rules.permissions: whoever may use the admin may look (department
heads see their own departments' people), and only 督查室 changes anything.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tracker.models import (
    Delivery,
    DeliveryItem,
    DeliveryState,
    DepartmentRobot,
    NotificationPreference,
    Reminder,
    Task,
)
from tracker.rules.permissions import Actor, can_edit_plan, can_override_status, can_use_admin
from tracker.services import reminders as reminder_services
from tracker.services.errors import PermissionDenied as ServicePermissionDenied
from tracker.services.errors import ValidationError as ServiceValidationError


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "_tracker_actor", None)
    if actor is None:
        actor = request._tracker_actor = Actor.of(request.user)
    return actor


def _people_scope(actor: Actor, field: str = "recipient") -> Q:
    """Department heads see reminders of themselves and of their departments' people."""
    return Q(**{f"{field}_id": actor.user_id}) | Q(**{f"{field}__department_id__in":
                                                    actor.head_of})


class _RuleAdmin(admin.ModelAdmin):
    """Everyone who may use the admin may look; 督查室 may write."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_use_admin(_actor(request))

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_use_admin(_actor(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_edit_plan(_actor(request))

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_edit_plan(_actor(request))

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_edit_plan(_actor(request))


class _RecordAdmin(_RuleAdmin):
    """Reminders and deliveries are records: nobody edits or deletes them by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(_RuleAdmin):
    list_display = ("user", "email_enabled", "wecom_enabled", "dingtalk_enabled",
                    "webhook_enabled", "language", "updated_at")
    list_filter = ("email_enabled", "language")
    search_fields = ("user__username", "user__display_name")
    autocomplete_fields = ("user",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[NotificationPreference]:
        qs = super().get_queryset(request).select_related("user")  # 用户 column
        actor = _actor(request)
        return qs if actor.is_supervisor else qs.filter(_people_scope(actor, "user"))


@admin.register(DepartmentRobot)
class DepartmentRobotAdmin(_RuleAdmin):
    list_display = ("department", "channel", "masked_url", "signed", "is_active",
                    "updated_at")
    list_filter = ("channel", "is_active")
    search_fields = ("department__name", "department__short_name")
    autocomplete_fields = ("department",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[DepartmentRobot]:
        qs = super().get_queryset(request).select_related("department")  # 部门 column
        actor = _actor(request)
        return qs if actor.is_supervisor else qs.filter(department_id__in=actor.head_of)

    @admin.display(description=_("Webhook 地址"))
    def masked_url(self, robot: DepartmentRobot) -> str:
        # The query string holds the robot's access token: keep it off list pages.
        return robot.url.split("?", 1)[0] + ("?…" if "?" in robot.url else "")

    @admin.display(description=_("已设签名"), boolean=True)
    def signed(self, robot: DepartmentRobot) -> bool:
        return bool(robot.secret)


@admin.register(Reminder)
class ReminderAdmin(_RecordAdmin):
    list_display = ("day", "rule", "recipient", "role", "task_code", "milestone",
                    "occurrence", "created_by")
    list_filter = ("rule", "role", "day")
    date_hierarchy = "day"
    search_fields = ("task__code", "task__title", "recipient__username",
                     "recipient__display_name")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Reminder]:
        qs = super().get_queryset(request).select_related(
            "recipient",  # 接收人 column
            "task",  # 任务 column
            "milestone",  # 时间节点 column
            "created_by",  # 催办人 column
        )
        actor = _actor(request)
        return qs if actor.is_supervisor else qs.filter(_people_scope(actor))

    @admin.display(description=_("任务"), ordering="task__code")
    def task_code(self, reminder: Reminder) -> str:
        return str(reminder.task)


class DeliveryItemInline(admin.TabularInline):
    model = DeliveryItem
    extra = 0
    can_delete = False
    fields = ("reminder_rule", "reminder_task", "reminder_occurrence")
    readonly_fields = fields
    verbose_name = _("提醒事项")
    verbose_name_plural = _("提醒事项")

    def get_queryset(self, request: HttpRequest) -> QuerySet[DeliveryItem]:
        return super().get_queryset(request).select_related(
            "reminder__task", "reminder__milestone")  # the three columns

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_use_admin(_actor(request))

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("规则"))
    def reminder_rule(self, item: DeliveryItem) -> str:
        return item.reminder.get_rule_display()

    @admin.display(description=_("事项"))
    def reminder_task(self, item: DeliveryItem) -> str:
        reminder = item.reminder
        if reminder.milestone_id:
            return f"{reminder.task} · {reminder.milestone}"
        return str(reminder.task)

    @admin.display(description=_("对应日期"))
    def reminder_occurrence(self, item: DeliveryItem) -> dt.date:
        return item.reminder.occurrence


class FailureFilter(admin.SimpleListFilter):
    title = _("需要处理")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("failed", _("发送失败")), ("retrying", _("待重试（曾出错）"))]

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.filter(state=DeliveryState.FAILED)
        if self.value() == "retrying":
            return queryset.filter(state=DeliveryState.PENDING).exclude(last_error="")
        return queryset


@admin.register(Delivery)
class DeliveryAdmin(_RecordAdmin):
    list_display = ("day", "recipient", "channel", "kind", "state_badge", "item_count",
                    "attempts", "short_error", "sent_at")
    list_filter = (FailureFilter, "state", "channel", "kind", "day")
    date_hierarchy = "day"
    search_fields = ("recipient__username", "recipient__display_name", "last_error")
    inlines = (DeliveryItemInline,)
    readonly_fields = ("recipient", "channel", "kind", "day", "state", "attempts",
                       "last_error", "target", "robot", "next_attempt_at", "claimed_at",
                       "sent_at", "created_at", "updated_at")
    actions = ("send_again",)
    change_list_template = "admin/reminders/delivery_change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delivery]:
        qs = super().get_queryset(request).select_related(
            "recipient",  # 接收人 column
        ).annotate(n_items=Count("items"))  # 条目 column
        actor = _actor(request)
        return qs if actor.is_supervisor else qs.filter(_people_scope(actor))

    @admin.display(description=_("条目"), ordering="n_items")
    def item_count(self, delivery: Delivery) -> int:
        return delivery.n_items

    @admin.display(description=_("状态"), ordering="state")
    def state_badge(self, delivery: Delivery) -> str:
        colours = {DeliveryState.SENT: "#067647", DeliveryState.FAILED: "#b42318",
                   DeliveryState.SENDING: "#b54708", DeliveryState.PENDING: "#475467"}
        return format_html('<strong style="color: {}">{}</strong>',
                           colours.get(delivery.state, "#475467"),
                           delivery.get_state_display())

    @admin.display(description=_("最近错误"))
    def short_error(self, delivery: Delivery) -> str:
        return delivery.last_error[:80]

    def has_send_again_permission(self, request: HttpRequest) -> bool:
        return can_override_status(_actor(request))

    @admin.action(description=_("重新发送所选的失败消息"), permissions=["send_again"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        ids = [d.pk for d in queryset if reminder_services.delivery_retry(
            delivery=d, actor_user=request.user)]
        if ids:
            from tracker.tasks import deliveries_enqueue_on_commit

            deliveries_enqueue_on_commit(ids)
        self.message_user(request, ngettext(
            "%(count)d 条消息已重新排队发送。", "%(count)d 条消息已重新排队发送。", len(ids))
            % {"count": len(ids)})

    # ------------------------------------------------------------ preview

    def get_urls(self):
        preview = path("preview/", self.admin_site.admin_view(self.preview_view),
                       name="tracker_delivery_preview")
        return [preview, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "preview_url": reverse("admin:tracker_delivery_preview")}
        return super().changelist_view(request, extra_context)

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """预览明日提醒: the next working day's reminders, per person, nothing written."""
        if not can_use_admin(_actor(request)):
            raise PermissionDenied
        day = reminder_services.next_reminder_day(timezone.localdate())
        if request.GET.get("day"):
            try:
                day = dt.date.fromisoformat(request.GET["day"])
            except ValueError:
                messages.error(request, _("日期格式应为 YYYY-MM-DD。"))
        summary, people = reminder_services.reminders_preview(day=day)
        actor = _actor(request)
        if not actor.is_supervisor:
            people = [p for p in people if p.user.pk == actor.user_id
                      or p.user.department_id in actor.head_of]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("预览 %(day)s 的提醒") % {"day": day.isoformat()},
            "day": day,
            "summary": summary,
            "summary_lines": summary.lines(),
            "people": people,
        }
        return TemplateResponse(request, "admin/reminders/preview.html", context)


# ---------------------------------------------------------------- 催办 on tasks


@admin.action(description=_("立即催办（向责任人及部门负责人发送提醒）"))
def nudge_now(modeladmin: admin.ModelAdmin, request: HttpRequest,
              queryset: QuerySet[Task]) -> None:
    if not can_override_status(_actor(request)):
        modeladmin.message_user(request, _("只有督查室可以催办。"), messages.ERROR)
        return
    sent, skipped = 0, []
    for task in queryset:
        try:
            result = reminder_services.task_nudge(task=task, actor_user=request.user)
        except ServicePermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except ServiceValidationError as exc:
            skipped.append(f"{task.code}：{'；'.join(exc.errors.get('task', []))}")
            continue
        if result.recipients:
            sent += 1
        else:
            skipped.append(f"{task.code}：{_('今天已催办过')}")
    if sent:
        modeladmin.message_user(request, ngettext(
            "已对 %(count)d 项任务发出催办。", "已对 %(count)d 项任务发出催办。", sent)
            % {"count": sent}, messages.SUCCESS)
    for line in skipped:
        modeladmin.message_user(request, line, messages.WARNING)


def _offer_nudge_on_tasks() -> None:
    """Add 立即催办 to the task admin's actions, wherever that admin is registered.

    The task admin belongs to another module; this keeps the action with the reminder
    code. Listing `nudge_now` in TaskAdmin.actions directly works the same.
    """
    task_admin = admin.site.get_model_admin(Task) if admin.site.is_registered(Task) else None
    if task_admin is not None and nudge_now not in (task_admin.actions or ()):
        task_admin.actions = (*(task_admin.actions or ()), nudge_now)


_offer_nudge_on_tasks()
