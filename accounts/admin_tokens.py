"""Admin pages for API tokens: create one (its secret is shown once) and revoke.

Registered on the default admin site when this module is imported (accounts/admin.py
imports it). Supervisors see every token; other admin users see only their own.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tracker.rules.permissions import Actor, can_use_admin

from .services_tokens import api_token_create, api_token_revoke
from .tokens import ApiToken


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "read_only", "expires_at"]

    def clean_expires_at(self):
        value = self.cleaned_data.get("expires_at")
        if value is not None and self.instance.pk is None and value <= timezone.now():
            raise forms.ValidationError(_("过期时间必须晚于现在。"))
        return value


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ["prefix", "user", "name", "read_only", "expires_at", "last_used_at",
                    "state"]
    list_filter = ["read_only", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "name", "user__username", "user__display_name"]
    list_select_related = ["user"]  # the user column
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None):
        if obj is None:
            return ["user", "name", "read_only", "expires_at"]
        return ["user", "name", "prefix", "read_only", "expires_at", "created_at",
                "created_by", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None):
        # A token's owner and scope are fixed once it exists; make a new one instead.
        if obj is None:
            return []
        return [*self.readonly_fields, "user", "read_only", "expires_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not Actor.of(request.user).is_supervisor:
            from django.contrib.auth import get_user_model

            kwargs["queryset"] = get_user_model().objects.filter(pk=request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        qs = super().get_queryset(request)
        if Actor.of(request.user).is_supervisor:
            return qs
        return qs.filter(user=request.user)

    # Admin access follows the permission module rather than Django's per-model perms.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_use_admin(Actor.of(request.user))

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # revoke instead, so the record of who had access stays

    @admin.display(description=_("状态"))
    def state(self, obj: ApiToken) -> str:
        if obj.revoked_at is not None:
            return gettext("已吊销")
        if obj.is_expired():
            return gettext("已过期")
        return gettext("有效")

    def save_model(self, request: HttpRequest, obj: ApiToken, form, change: bool) -> None:
        if change:
            obj.save(update_fields=["name"])
            return
        token, secret = api_token_create(
            user=obj.user, name=obj.name, read_only=obj.read_only,
            expires_at=obj.expires_at, created_by=request.user)
        obj.pk = token.pk
        obj.prefix, obj.key_hash, obj.created_at = token.prefix, token.key_hash, token.created_at
        messages.warning(request, format_html(
            "{}<br><code style='user-select:all'>{}</code>",
            gettext("令牌已创建。它只显示这一次，请立即复制保存："), secret))

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.select_related("user"):
            api_token_revoke(token=token, actor=request.user)
            count += 1
        self.message_user(request, gettext("已吊销 %(count)d 个令牌。") % {"count": count})
