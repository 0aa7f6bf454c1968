"""Forms of the 账户设置 page: reminder channels and the person's own API tokens.

They check the shape of the input; the services (notification_preference_update,
api_token_create) hold the rules and write.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tracker.services.errors import ValidationError as ServiceValidationError

# A token that outlives a few years is a token nobody remembers handing out; longer-lived
# integrations renew. Leaving the field empty still makes a token that never expires,
# as the admin and `create_api_token` allow.
TOKEN_MAX_DAYS = 3 * 365


class ServiceErrorsMixin:
    def add_service_errors(self, error: ServiceValidationError) -> None:
        """Show a service's validation errors next to the field they concern."""
        for field, messages in error.errors.items():
            target = field if field in self.fields else None  # type: ignore[attr-defined]
            for message in messages:
                self.add_error(target, message)  # type: ignore[attr-defined]


class NotificationPreferenceForm(ServiceErrorsMixin, forms.Form):
    """提醒设置: which channels bring the person's reminders, and their language."""

    email_enabled = forms.BooleanField(label=_("电子邮件"), required=False)
    wecom_enabled = forms.BooleanField(label=_("企业微信群机器人"), required=False)
    dingtalk_enabled = forms.BooleanField(label=_("钉钉群机器人"), required=False)
    webhook_enabled = forms.BooleanField(label=_("通用 Webhook"), required=False)
    language = forms.ChoiceField(label=_("消息语言"), choices=settings.LANGUAGES)

    CHANNEL_FIELDS = ("email_enabled", "wecom_enabled", "dingtalk_enabled", "webhook_enabled")

    def service_kwargs(self) -> dict:
        """The cleaned input as notification_preference_update's keyword arguments.
        Every switch is passed: an unticked box is an explicit "off"."""
        return {name: self.cleaned_data[name] for name in (*self.CHANNEL_FIELDS, "language")}


class ApiTokenCreateForm(ServiceErrorsMixin, forms.Form):
    """新建 API 令牌. The person types their current password: a stolen session alone
    should not mint a credential that outlives it."""

    name = forms.CharField(label=_("用途"), max_length=100,
                           help_text=_("例如：市大数据平台同步。"))
    read_only = forms.BooleanField(
        label=_("只读"), required=False, initial=True,
        help_text=_("只读令牌只能查询，不能报送或修改。"))
    # Interpolated when rendered, not at import, so it follows the request's language.
    expires_in_days = forms.IntegerField(
        label=_("有效天数"), required=False, min_value=1, max_value=TOKEN_MAX_DAYS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=lazy(lambda: gettext("1 至 %(max)d 天；留空表示永不过期。")
                       % {"max": TOKEN_MAX_DAYS}, str)())
    # Named "password" so django-axes masks it in the failed-attempt log it keeps.
    password = forms.CharField(
        label=_("当前密码"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("为确认是您本人操作，请输入登录密码。"))

    def __init__(self, *args, request: HttpRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        user = self.request.user
        # authenticate() with the request, not check_password(): django-axes counts this
        # failure with the sign-in's and locks the account after too many, so the form
        # cannot be used to guess the password of a session left open.
        checked = authenticate(self.request, username=user.get_username(), password=password)
        if checked is None or checked.pk != user.pk:
            raise forms.ValidationError(_("密码不正确。"), code="password_incorrect")
        return password

    def service_kwargs(self) -> dict:
        """The cleaned input as api_token_create's keyword arguments."""
        return {"name": self.cleaned_data["name"],
                "read_only": self.cleaned_data["read_only"],
                "expires_in_days": self.cleaned_data.get("expires_in_days")}
