"""Repeated failed sign-ins lock the account for a while, on the web UI and the admin
alike (django-axes); a success resets the count; sessions end after a working day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory, override_settings
from django.urls import reverse

from config.settings import base as production_settings

pytestmark = [pytest.mark.django_db,
              pytest.mark.usefixtures("axes_on")]

PASSWORD = "pass-1234-word"  # tests.factories.UserFactory's
UI_LOGIN = reverse("ui:login")
ADMIN_LOGIN = reverse("admin:login")
LIMIT = production_settings.AXES_FAILURE_LIMIT


@pytest.fixture
def axes_on(settings, time_machine):
    # The test settings switch axes off (client.login has no request); on here, with
    # the production limits.
    time_machine.move_to(dt.datetime(2023, 6, 15, 9, 0, tzinfo=dt.UTC), tick=False)
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = production_settings.AXES_FAILURE_LIMIT
    settings.AXES_COOLOFF_TIME = production_settings.AXES_COOLOFF_TIME


def fail(client, url: str, username: str, times: int) -> None:
    for _ in range(times):
        response = client.post(url, {"username": username, "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error


def lock(client, url: str, username: str) -> None:
    """Fail until the limit: the attempt that reaches it is already answered 429."""
    fail(client, url, username, LIMIT - 1)
    response = client.post(url, {"username": username, "password": "wrong"})
    assert response.status_code == 429


def sign_in(client, url: str, username: str, password: str = PASSWORD):
    return client.post(url, {"username": username, "password": password})


def test_it_locks_the_ui_sign_in_after_repeated_failures(client, member):
    fail(client, UI_LOGIN, member.username, LIMIT - 1)
    assert sign_in(client, UI_LOGIN, member.username).status_code == 302  # still fine
    client.post(reverse("ui:logout"))

    lock(client, UI_LOGIN, member.username)
    # Even the right password is refused while the lock lasts, with a page that says so.
    refused = sign_in(client, UI_LOGIN, member.username)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "登录已暂时锁定" in page and "15 分钟" in page
    assert "_auth_user_id" not in client.session


def test_the_lock_covers_the_admin_sign_in_too(client, supervisor):
    fail(client, UI_LOGIN, supervisor.username, LIMIT - 1)
    client.post(ADMIN_LOGIN, {"username": supervisor.username, "password": "wrong"})
    assert sign_in(client, ADMIN_LOGIN, supervisor.username).status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302  # not signed in


def test_the_lock_is_per_account_not_per_address(client, member, outsider):
    lock(client, UI_LOGIN, member.username)
    # Colleagues behind the same address (one office, one NAT) still sign in.
    assert sign_in(client, UI_LOGIN, outsider.username).status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, member, time_machine):
    lock(client, UI_LOGIN, member.username)
    assert sign_in(client, UI_LOGIN, member.username).status_code == 429
    time_machine.shift(production_settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1))
    assert sign_in(client, UI_LOGIN, member.username).status_code == 302


def test_a_success_resets_the_count(client, member):
    fail(client, UI_LOGIN, member.username, LIMIT - 1)
    assert sign_in(client, UI_LOGIN, member.username).status_code == 302
    client.post(reverse("ui:logout"))
    fail(client, UI_LOGIN, member.username, LIMIT - 1)
    assert sign_in(client, UI_LOGIN, member.username).status_code == 302


def test_every_password_check_goes_through_the_lock(member):
    # authenticate() without the request cannot be counted, so axes refuses it: no code
    # path can check a password behind the lock's back.
    from axes.exceptions import AxesBackendRequestParameterRequired

    with pytest.raises(AxesBackendRequestParameterRequired):
        authenticate(username=member.username, password=PASSWORD)
    request = RequestFactory().post(UI_LOGIN)
    assert authenticate(request, username=member.username, password=PASSWORD) == member


@override_settings(SESSION_COOKIE_AGE=production_settings.SESSION_COOKIE_AGE,
                   SESSION_EXPIRE_AT_BROWSER_CLOSE=True)
def test_a_session_ends_after_a_working_day_and_with_the_browser(client, member,
                                                                time_machine):
    assert production_settings.SESSION_COOKIE_AGE == 8 * 3600
    response = sign_in(client, UI_LOGIN, member.username)
    cookie = response.cookies["sessionid"]
    assert not cookie["expires"] and not cookie["max-age"]  # a browser-session cookie
    assert client.get(reverse("ui:dashboard")).status_code == 200

    time_machine.shift(dt.timedelta(hours=8, minutes=1))
    expired = client.get(reverse("ui:dashboard"))
    assert expired.status_code == 302
    assert expired["Location"].startswith(UI_LOGIN)


def test_a_weak_new_password_is_refused(client, member):
    client.force_login(member)
    response = client.post(reverse("ui:password_change"), {
        "old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200  # the form again, not the "done" page
    errors = " ".join(response.context["form"].errors["new_password2"])
    assert "太常见" in errors or "全都是数字" in errors
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
