"""DRF permission classes: thin adapters over tracker.rules.permissions.

Reading needs only a signed-in, active user (can_view_plan: everyone may read), which
DRF's IsAuthenticated and the authentication classes already ensure without a query.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from accounts.tokens import ApiToken
from tracker.rules.permissions import Actor, can_edit_plan, can_view_reminder_log


class TokenScope(BasePermission):
    """A read-only token reads and never writes, whatever its user may do."""

    message = _("只读令牌不能写入。")

    def has_permission(self, request: Request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        token = request.auth
        return not (isinstance(token, ApiToken) and token.read_only)


class PlanEditorWrites(BasePermission):
    """Reads for everyone; creating and changing the plan's content for 督查室 (can_edit_plan)."""

    message = _("只有督查室可以修改任务和指标。")

    def has_permission(self, request: Request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return can_edit_plan(Actor.of(request.user))


class ReminderLogReaders(BasePermission):
    """The reminder log is 督查室's (can_view_reminder_log)."""

    message = _("只有督查室可以查看提醒记录。")

    def has_permission(self, request: Request, view) -> bool:
        return can_view_reminder_log(Actor.of(request.user))
