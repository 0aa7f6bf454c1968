"""账户设置: a person's reminder channels and their own API tokens.

Members and leaders have no admin, so this page is where they switch e-mail reminders
off or make a token for an integration. Every write goes through a service; the page
only ever shows the signed-in person's own preferences and tokens.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.services_tokens import api_token_create, api_token_revoke
from accounts.tokens import ApiToken
from tracker.forms_account import ApiTokenCreateForm, NotificationPreferenceForm
from tracker.models import NotificationPreference
from tracker.rules.reminders import ROBOT_CHANNELS, Channel
from tracker.services.errors import PermissionDenied as ServicePermissionDenied
from tracker.services.errors import ValidationError as ServiceValidationError
from tracker.services.reminders import channel_options, notification_preference_update

from .common import forbidden

# Which preference switch belongs to which channel, for the "does it reach me" notes.
FIELD_CHANNELS = {
    "email_enabled": Channel.EMAIL,
    "wecom_enabled": Channel.WECOM,
    "dingtalk_enabled": Channel.DINGTALK,
    "webhook_enabled": Channel.WEBHOOK,
}


def _preference_initial(user) -> dict:
    """The saved switches, or the defaults a person without a row gets (all on)."""
    preference = NotificationPreference.objects.filter(user=user).first()
    if preference is None:
        return {**{name: True for name in FIELD_CHANNELS}, "language": settings.LANGUAGE_CODE}
    return {**{name: getattr(preference, name) for name in FIELD_CHANNELS},
            "language": preference.language}


def _page(request: HttpRequest, *, preference_form: NotificationPreferenceForm | None = None,
          token_form: ApiTokenCreateForm | None = None, new_token: ApiToken | None = None,
          new_secret: str | None = None) -> HttpResponse:
    """The whole page, in a constant number of queries whatever the number of tokens:
    the preferences for the form, channel_options (preferences and the department's
    robots again, so the page says what the sweep itself would use), the department's
    name, and the tokens in one query."""
    user = request.user
    if preference_form is None:
        preference_form = NotificationPreferenceForm(initial=_preference_initial(user))
    if token_form is None:
        token_form = ApiTokenCreateForm(request=request)
    available = channel_options([user])[user.pk].available
    channels = [{"field": preference_form[name], "reachable": channel in available,
                 "robot": channel in ROBOT_CHANNELS}
                for name, channel in FIELD_CHANNELS.items()]
    tokens = list(ApiToken.objects.filter(user=user).order_by("-created_at", "-id"))
    return render(request, "tracker/account.html", {
        "preference_form": preference_form,
        "channels": channels,
        "department": user.department if user.department_id else None,
        "has_email": Channel.EMAIL in available,
        "token_form": token_form,
        "tokens": tokens,
        "new_token": new_token,
        "new_secret": new_secret,
        "now": timezone.now(),
        "nav": "account",
    })


@login_required
@never_cache
@require_GET
def account_view(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _back_to_the_page(anchor: str) -> HttpResponse:
    """A GET of a form's POST address goes to the page. The page answering a POST keeps
    that address in the browser, so the language switch, a reload or a bookmark can
    come back here with a GET."""
    return redirect(reverse("ui:account") + anchor)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def preferences_update_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _back_to_the_page("#reminders")
    form = NotificationPreferenceForm(request.POST)
    if form.is_valid():
        try:
            notification_preference_update(user=request.user, **form.service_kwargs())
        except ServiceValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("提醒设置已保存。"))
            return _back_to_the_page("#reminders")
    return _page(request, preference_form=form)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def token_create_view(request: HttpRequest) -> HttpResponse:
    """Create a token and show its secret in this very response, once.

    Not a redirect: the secret would have to travel in the URL or sit in the session,
    and both outlive this page. never_cache keeps it out of the browser's cache.
    """
    if request.method != "POST":
        return _back_to_the_page("#tokens")
    form = ApiTokenCreateForm(request.POST, request=request)
    if form.is_valid():
        try:
            token, secret = api_token_create(user=request.user, created_by=request.user,
                                             **form.service_kwargs())
        except ServiceValidationError as error:
            form.add_service_errors(error)
        except ServicePermissionDenied as error:
            return forbidden(request, str(error))
        else:
            return _page(request, new_token=token, new_secret=secret)
    return _page(request, token_form=form)


@login_required
@never_cache
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the person's own tokens are found here: another's id is a 404, not a 403, so
    # the page does not confirm that the id exists. 督查室 revoke others' in the admin.
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk,
                              user=request.user)
    try:
        api_token_revoke(token=token, actor=request.user)
    except ServicePermissionDenied as error:
        return forbidden(request, str(error))
    messages.success(request, _("令牌 %(prefix)s… 已吊销，使用它的系统将无法再访问。")
                     % {"prefix": token.prefix})
    return redirect(reverse("ui:account") + "#tokens")
