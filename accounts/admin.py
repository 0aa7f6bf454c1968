"""Users and departments in the admin: 督查室 maintains them; department heads can look
up their own people (the 责任人 picker on their tasks searches this list)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from tracker.rules.permissions import Actor, can_manage_accounts, can_use_admin

from . import admin_tokens  # noqa: F401  (registers the API token admin)
from .models import Department, User
from .services import ADMIN_ROLES

# Only a superuser hands out superuser status or Django's own permissions.
PRIVILEGE_FIELDS = ("is_superuser", "groups", "user_permissions")


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "_tracker_actor", None)
    if actor is None:
        actor = request._tracker_actor = Actor.of(request.user)
    return actor


class AccountsAdminMixin:
    """Access by tracker.rules.permissions rather than Django's per-model permissions."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_use_admin(_actor(request))

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_use_admin(_actor(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_manage_accounts(_actor(request))

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_manage_accounts(_actor(request))

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_manage_accounts(_actor(request))


class AccountsHistoryMixin:
    """历史: who changed a person or department, what, and when. For reading only, as on
    the plan's admin pages (reverting would bypass accounts.services)."""

    def revert_disabled(self, request: HttpRequest, obj=None) -> bool:
        return True

    def history_form_view(self, request: HttpRequest, object_id, version_id,
                          extra_context=None) -> HttpResponse:
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_view_history_or_change_history_permission(self, request: HttpRequest,
                                                      obj=None) -> bool:
        # History pages may load the object outside get_queryset: scope it here too.
        if obj is not None and not self.get_queryset(request).filter(pk=obj.pk).exists():
            return False
        return self.has_view_permission(request, obj)


@admin.register(Department)
class DepartmentAdmin(AccountsAdminMixin, AccountsHistoryMixin, SimpleHistoryAdmin):
    list_display = ("short_name", "name", "head", "member_count")
    list_display_links = ("short_name", "name")
    list_select_related = ("head",)  # 负责人 column
    search_fields = ("short_name", "name")
    autocomplete_fields = ("head",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Department]:
        # member_count column: one aggregate in the list query, not a count per row.
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description=_("人数"), ordering="member_count")
    def member_count(self, obj: Department) -> int:
        return obj.member_count


@admin.register(User)
class UserAdmin(AccountsAdminMixin, AccountsHistoryMixin, SimpleHistoryAdmin, DjangoUserAdmin):
    list_display = ("username", "display_name", "role", "department", "is_staff",
                    "is_active", "last_login")
    list_filter = ("role", "department", "is_staff", "is_active")
    list_select_related = ("department",)  # 所属部门 column
    search_fields = ("username", "display_name", "email", "phone")
    autocomplete_fields = ("department",)
    ordering = ("id",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("display_name", "email", "phone")}),
        (_("单位与角色"), {"fields": ("department", "role")}),
        (_("权限"), {"fields": ("is_active", "is_staff", *PRIVILEGE_FIELDS)}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    # Role and department on the add page too: heads and members must have a department
    # (a database constraint), which the form can only check when it has both fields.
    add_fieldsets = (
        (None, {"classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2")}),
        (_("单位与角色"), {"fields": ("display_name", "department", "role")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request)
        actor = _actor(request)
        if can_manage_accounts(actor):
            return qs
        # Heads see the people of the departments they head, and themselves.
        return qs.filter(Q(department_id__in=actor.head_of) | Q(pk=actor.user_id))

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += PRIVILEGE_FIELDS
        return readonly

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        # As in accounts.services.user_upsert: the role decides who may enter the admin,
        # unless the same save sets is_staff explicitly.
        if "role" in form.changed_data and "is_staff" not in form.changed_data:
            obj.is_staff = obj.role in ADMIN_ROLES or obj.is_superuser
        super().save_model(request, obj, form, change)
