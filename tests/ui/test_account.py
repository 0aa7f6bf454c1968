"""账户设置: a person chooses their reminder channels and manages their own API tokens."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services_tokens import api_token_create, api_token_revoke
from accounts.tokens import ApiToken, token_hash
from config.settings import base as production_settings
from tracker.forms_account import TOKEN_MAX_DAYS
from tracker.models import DepartmentRobot, NotificationPreference
from tracker.rules.reminders import Channel, ReminderRule, channels_for
from tracker.services.reminders import channel_options

from .conftest import count_queries

pytestmark = pytest.mark.django_db

PASSWORD = "pass-1234-word"  # tests.factories.UserFactory's
ACCOUNT = reverse("ui:account")
PREFERENCES = reverse("ui:account_preferences")
CREATE = reverse("ui:account_token_create")
ME = reverse("api-v1:me")


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    # The API's throttle counters live in the cache; these tests call the API.
    cache.clear()
    yield
    cache.clear()


def revoke_url(token: ApiToken) -> str:
    return reverse("ui:account_token_revoke", args=[token.pk])


def preferences(**changes) -> dict:
    """A preferences POST: every box ticked and Chinese, unless changed. A box that is
    off is left out of the POST, as a browser does."""
    data = {"email_enabled": True, "wecom_enabled": True, "dingtalk_enabled": True,
            "webhook_enabled": True, "language": "zh-hans", **changes}
    return {key: ("on" if value is True else value) for key, value in data.items()
            if value is not False}


def new_token(**changes) -> dict:
    return {"name": "市大数据平台同步", "read_only": "on", "expires_in_days": "",
            "password": PASSWORD, **changes}


def api_me(secret: str):
    return APIClient().get(ME, HTTP_AUTHORIZATION=f"Token {secret}")


class Inputs(HTMLParser):
    """The form controls of a page and the `for` of its labels."""

    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self.label_for: set[str] = set()
        self._open_labels = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self._open_labels += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        elif tag in ("input", "select", "textarea"):
            self.controls.append({**attrs, "_tag": tag, "_in_label": self._open_labels > 0})

    def handle_endtag(self, tag):
        if tag == "label":
            self._open_labels -= 1


def checked(page: str) -> set[str]:
    """The names of the ticked checkboxes on a page."""
    parser = Inputs()
    parser.feed(page)
    return {c["name"] for c in parser.controls
            if c.get("type") == "checkbox" and "checked" in c}


# ---------------------------------------------------------------- who may come


def test_it_sends_anonymous_visitors_to_sign_in(client, member):
    token, _secret = api_token_create(user=member)
    for url in (ACCOUNT, PREFERENCES, CREATE, revoke_url(token)):
        response = client.post(url, {}) if url != ACCOUNT else client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("ui:login"))
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not NotificationPreference.objects.exists()
    assert ApiToken.objects.count() == 1


def test_it_is_linked_from_every_pages_user_menu(signed_in, member, plan):
    page = signed_in(member).get(reverse("ui:dashboard")).content.decode()
    assert f'href="{ACCOUNT}"' in page


@pytest.mark.parametrize("cast", ["member", "leader", "department_head", "supervisor"])
def test_it_opens_for_every_role(signed_in, request, cast):
    user = request.getfixturevalue(cast)
    response = signed_in(user).get(ACCOUNT)
    assert response.status_code == 200
    assert "账户设置" in response.content.decode()


# ---------------------------------------------------------------- reminder preferences


def test_it_starts_with_every_channel_on_in_the_site_language(signed_in, member):
    form = signed_in(member).get(ACCOUNT).context["preference_form"]
    assert form.initial == {"email_enabled": True, "wecom_enabled": True,
                            "dingtalk_enabled": True, "webhook_enabled": True,
                            "language": "zh-hans"}


def test_it_switches_email_off_and_keeps_the_other_channels(signed_in, member):
    client = signed_in(member)
    response = client.post(PREFERENCES, preferences(email_enabled=False, language="en"))
    assert response.status_code == 302
    assert response["Location"] == ACCOUNT + "#reminders"
    saved = NotificationPreference.objects.get(user=member)
    assert not saved.email_enabled
    assert saved.wecom_enabled and saved.dingtalk_enabled and saved.webhook_enabled
    assert saved.language == "en"

    page = client.get(ACCOUNT)
    assert "提醒设置已保存" in page.content.decode()
    assert checked(page.content.decode()) >= {"wecom_enabled", "dingtalk_enabled",
                                               "webhook_enabled"}
    assert "email_enabled" not in checked(page.content.decode())


def test_it_switches_a_channel_back_on(signed_in, member):
    client = signed_in(member)
    client.post(PREFERENCES, preferences(email_enabled=False, webhook_enabled=False))
    client.post(PREFERENCES, preferences())
    saved = NotificationPreference.objects.get(user=member)
    assert saved.email_enabled and saved.webhook_enabled


def test_switching_email_off_mutes_due_soon_but_never_an_escalation(signed_in, department):
    """What the page promises is what the sweep does: e-mail off silences the routine
    reminders, and 逾期督办 / 逾期未报送进展 / 催办 still arrive by e-mail."""
    from tests.factories import UserFactory

    person = UserFactory(department=department, email="fgj@example.cn")
    signed_in(person).post(PREFERENCES, preferences(email_enabled=False))
    options = channel_options([person])[person.pk]
    assert Channel.EMAIL not in channels_for(ReminderRule.DUE_SOON, options)
    assert Channel.EMAIL not in channels_for(ReminderRule.UPDATE_DUE, options)
    for escalation in (ReminderRule.OVERDUE, ReminderRule.UPDATE_MISSED, ReminderRule.NUDGE):
        assert Channel.EMAIL in channels_for(escalation, options)


def test_it_says_that_escalations_always_arrive_by_email(signed_in, member):
    page = signed_in(member).get(ACCOUNT).content.decode()
    assert "督办提醒不能关闭" in page
    assert "逾期督办、逾期未报送进展和催办" in page and "电子邮件" in page


@pytest.mark.parametrize("language", ["fr", "", "zh-hans'><script>"])
def test_it_refuses_an_unknown_language_with_a_form_error(signed_in, member, language):
    response = signed_in(member).post(PREFERENCES, preferences(language=language))
    assert response.status_code == 200
    assert "language" in response.context["preference_form"].errors
    page = response.content.decode()
    assert "保存未成功" in page and 'role="alert"' in page
    assert "<script>" not in page
    assert not NotificationPreference.objects.filter(user=member).exists()


def test_it_says_which_robots_the_department_has(signed_in, member, department):
    DepartmentRobot.objects.create(department=department, channel=Channel.WECOM,
                                   url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send")
    DepartmentRobot.objects.create(department=department, channel=Channel.DINGTALK,
                                   url="https://oapi.dingtalk.com/robot/send",
                                   is_active=False)  # switched off: does not reach anyone
    response = signed_in(member).get(ACCOUNT)
    reachable = {row["field"].name: row["reachable"] for row in response.context["channels"]}
    assert reachable == {"email_enabled": False, "wecom_enabled": True,
                         "dingtalk_enabled": False, "webhook_enabled": False}
    page = response.content.decode()
    assert page.count("没有配置此类机器人") == 2  # DingTalk and the webhook
    assert "没有登记电子邮箱" in page  # the cast has no address


def test_it_does_not_warn_about_email_when_there_is_an_address(signed_in, member):
    member.email = "fgj@example.cn"
    member.save(update_fields=["email"])
    assert "没有登记电子邮箱" not in signed_in(member).get(ACCOUNT).content.decode()


@pytest.mark.parametrize(("url", "anchor"), [(PREFERENCES, "#reminders"), (CREATE, "#tokens")])
def test_it_sends_a_get_of_a_form_address_back_to_the_page(signed_in, member, url, anchor):
    """The page that answers a POST keeps the form's address; switching the language
    there comes back to it with a GET."""
    client = signed_in(member)
    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response["Location"] == url
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == ACCOUNT + anchor
    assert not ApiToken.objects.exists() and not NotificationPreference.objects.exists()


# ---------------------------------------------------------------- creating tokens


def test_it_creates_a_token_and_shows_its_secret_once(signed_in, member, today):
    client = signed_in(member)
    response = client.post(CREATE, new_token(expires_in_days="30"))
    assert response.status_code == 200  # the page itself, not a redirect
    secret = response.context["new_secret"]
    assert secret.startswith("dbt_")
    page = response.content.decode()
    assert f'>{secret}</textarea>' in page and "只显示这一次" in page
    assert "no-store" in response["Cache-Control"]

    token = ApiToken.objects.get(user=member)
    assert token.key_hash == token_hash(secret)
    assert token.name == "市大数据平台同步" and token.read_only
    assert token.created_by == member
    assert token.expires_at == timezone.now() + dt.timedelta(days=30)

    # Never again: not on the next visit, not in the session.
    assert secret not in client.get(ACCOUNT).content.decode()
    assert all(secret not in str(value) for value in client.session.values())


def test_the_new_token_reads_the_api_as_its_owner(signed_in, member):
    secret = signed_in(member).post(CREATE, new_token()).context["new_secret"]
    response = api_me(secret)
    assert response.status_code == 200
    assert response.json()["username"] == member.username


def test_an_unticked_box_makes_a_token_that_may_write(signed_in, member):
    data = new_token()
    del data["read_only"]
    signed_in(member).post(CREATE, data)
    token = ApiToken.objects.get(user=member)
    assert not token.read_only and token.expires_at is None


def test_it_offers_read_only_by_default(signed_in, member):
    page = signed_in(member).get(ACCOUNT).content.decode()
    assert "read_only" in checked(page)


def test_it_refuses_a_wrong_password_and_creates_nothing(signed_in, member):
    response = signed_in(member).post(CREATE, new_token(password="wrong"))
    assert response.status_code == 200
    assert response.context["new_secret"] is None
    assert response.context["token_form"].errors["password"] == ["密码不正确。"]
    page = response.content.decode()
    assert "令牌未创建" in page
    assert 'value="wrong"' not in page  # the password is not echoed back
    assert not ApiToken.objects.exists()


def test_it_refuses_another_persons_password(signed_in, member, outsider):
    outsider.set_password("outsider-secret-9")
    outsider.save()
    response = signed_in(member).post(CREATE, new_token(password="outsider-secret-9"))
    assert "password" in response.context["token_form"].errors
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(("field", "value"), [
    ("name", ""), ("name", "   "), ("name", "用" * 101),
    ("expires_in_days", "0"), ("expires_in_days", "-3"),
    ("expires_in_days", str(TOKEN_MAX_DAYS + 1)), ("expires_in_days", "三十"),
    ("password", ""),
])
def test_it_refuses_bad_token_input_with_a_form_error(signed_in, member, field, value):
    response = signed_in(member).post(CREATE, new_token(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["token_form"].errors
    assert not ApiToken.objects.exists()


def test_it_refuses_a_token_for_a_deactivated_person_in_the_service(member):
    # The page needs a signed-in, hence active, person; the service is the backstop.
    from tracker.services.errors import ValidationError

    member.is_active = False
    member.save(update_fields=["is_active"])
    with pytest.raises(ValidationError):
        api_token_create(user=member, created_by=member)


# ---------------------------------------------------------------- lockout


@pytest.fixture
def axes_on(settings, time_machine):
    # Test settings switch django-axes off (client.login has no request); on here, with
    # the production limits, as tests/production/test_login_lockout.py does.
    time_machine.move_to(dt.datetime(2023, 6, 15, 9, 0, tzinfo=dt.UTC), tick=False)
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = production_settings.AXES_FAILURE_LIMIT
    settings.AXES_COOLOFF_TIME = production_settings.AXES_COOLOFF_TIME
    return production_settings.AXES_FAILURE_LIMIT


def test_it_creates_a_token_with_the_right_password_while_the_lock_is_on(
        signed_in, member, axes_on):
    response = signed_in(member).post(CREATE, new_token())
    assert response.status_code == 200 and response.context["new_secret"]


def test_it_locks_token_creation_after_repeated_wrong_passwords(signed_in, member, axes_on):
    client = signed_in(member)
    for _attempt in range(axes_on - 1):
        assert client.post(CREATE, new_token(password="wrong")).status_code == 200
    locked = client.post(CREATE, new_token(password="wrong"))
    assert locked.status_code == 429
    assert "登录已暂时锁定" in locked.content.decode()

    # Even the right password is refused while the lock lasts, here and at the sign-in.
    assert client.post(CREATE, new_token()).status_code == 429
    assert not ApiToken.objects.exists()
    client.post(reverse("ui:logout"))
    signin = client.post(reverse("ui:login"),
                         {"username": member.username, "password": PASSWORD})
    assert signin.status_code == 429


def test_failed_sign_ins_also_lock_token_creation(signed_in, member, axes_on):
    session = signed_in(member)  # opened before someone else started guessing
    guesser = Client()
    for _attempt in range(axes_on):
        guesser.post(reverse("ui:login"), {"username": member.username, "password": "wrong"})
    assert session.post(CREATE, new_token()).status_code == 429
    assert not ApiToken.objects.exists()


def test_the_lock_is_per_account(signed_in, member, outsider, axes_on):
    client = signed_in(member)
    for _attempt in range(axes_on):
        client.post(CREATE, new_token(password="wrong"))
    other = signed_in(outsider)
    assert other.post(CREATE, new_token()).status_code == 200
    assert ApiToken.objects.filter(user=outsider).count() == 1


# ---------------------------------------------------------------- listing and revoking


def test_it_lists_only_the_persons_own_tokens(signed_in, member, outsider, today):
    mine, _ = api_token_create(user=member, name="我的同步")
    expired, _ = api_token_create(user=member, name="旧的", expires_in_days=1)
    revoked, _ = api_token_create(user=member, name="不用了", read_only=True)
    api_token_revoke(token=revoked, actor=member)
    api_token_create(user=outsider, name="别人的令牌")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now()
                                                  - dt.timedelta(days=1))

    response = signed_in(member).get(ACCOUNT)
    assert {t.pk for t in response.context["tokens"]} == {mine.pk, expired.pk, revoked.pk}
    page = response.content.decode()
    assert "别人的令牌" not in page
    assert mine.prefix in page and "有效" in page and "已过期" in page and "已吊销" in page
    assert "从未使用" in page and "永不过期" in page
    # Revoked tokens keep their row but lose their button.
    assert f'action="{revoke_url(mine)}"' in page
    assert f'action="{revoke_url(revoked)}"' not in page


def test_it_shows_when_a_token_was_last_used(signed_in, member, today):
    _token, secret = api_token_create(user=member, name="大屏")
    assert api_me(secret).status_code == 200
    page = signed_in(member).get(ACCOUNT).content.decode()
    assert "从未使用" not in page
    assert timezone.localtime().strftime("%Y-%m-%d %H:%M") in page


def test_it_revokes_a_token_so_the_api_refuses_it(signed_in, member):
    token, secret = api_token_create(user=member, name="停用的")
    assert api_me(secret).status_code == 200
    client = signed_in(member)
    response = client.post(revoke_url(token))
    assert response.status_code == 302
    assert response["Location"] == ACCOUNT + "#tokens"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_me(secret).status_code == 401
    assert "已吊销" in client.get(ACCOUNT).content.decode()


def test_revoking_twice_keeps_the_first_time(signed_in, member, today, time_machine):
    token, _ = api_token_create(user=member)
    client = signed_in(member)
    client.post(revoke_url(token))
    token.refresh_from_db()
    first = token.revoked_at
    time_machine.shift(dt.timedelta(hours=1))
    assert client.post(revoke_url(token)).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at == first


@pytest.mark.parametrize("cast", ["member", "department_head", "supervisor"])
def test_it_does_not_find_another_persons_token(signed_in, request, outsider, cast):
    """Not even 督查室 revoke others' tokens here (they have the admin for that); the id
    of someone else's token is a 404, so the page does not confirm it exists."""
    token, secret = api_token_create(user=outsider)
    response = signed_in(request.getfixturevalue(cast)).post(revoke_url(token))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert api_me(secret).status_code == 200


def test_it_answers_a_get_to_revoke_with_405(signed_in, member):
    token, _ = api_token_create(user=member)
    assert signed_in(member).get(revoke_url(token)).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_refuses_a_post_without_the_csrf_token(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    token, _ = api_token_create(user=member)
    assert client.post(revoke_url(token)).status_code == 403
    assert client.post(CREATE, new_token()).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None and ApiToken.objects.count() == 1


def make_tokens(user, n: int) -> None:
    """Tokens in every state: in use, expired, revoked."""
    now = timezone.now()
    for i in range(n):
        token, _ = api_token_create(user=user, name=f"令牌{i}", read_only=bool(i % 2))
        if i % 3 == 1:
            api_token_revoke(token=token)
        elif i % 3 == 2:
            ApiToken.objects.filter(pk=token.pk).update(
                expires_at=now - dt.timedelta(days=1), last_used_at=now)


def test_it_lists_tokens_in_the_same_number_of_queries_for_3n(signed_in, member,
                                                               department):
    DepartmentRobot.objects.create(department=department, channel=Channel.WECOM,
                                   url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send")
    client = signed_in(member)
    make_tokens(member, 3)
    few = count_queries(client, ACCOUNT)
    make_tokens(member, 6)
    assert len(client.get(ACCOUNT).context["tokens"]) == 9
    many = count_queries(client, ACCOUNT)
    assert few == many
    # Session, user, preferences, channel_options' two, the department, the tokens.
    assert many <= 7


# ---------------------------------------------------------------- the page itself


def test_every_control_has_a_label(signed_in, member):
    client = signed_in(member)
    client.post(CREATE, new_token())  # the page with a new secret on it, too
    for response in (client.get(ACCOUNT), client.post(CREATE, new_token())):
        parser = Inputs()
        parser.feed(response.content.decode())
        visible = [c for c in parser.controls if c.get("type") not in ("hidden", "submit")]
        assert len(visible) >= 9
        for control in visible:
            assert control.get("id") in parser.label_for or control["_in_label"], control


def test_it_speaks_english_after_the_language_switch(signed_in, member):
    client = signed_in(member)
    client.post(reverse("set_language"), {"language": "en", "next": ACCOUNT})
    page = client.get(ACCOUNT).content.decode()
    assert '<html lang="en">' in page
    for text in ("Account settings", "Reminder settings", "API tokens", "Create a token",
                 "Current password", "Escalations cannot be switched off",
                 "You have no API tokens yet."):
        assert text in page, text
    for text in ("账户设置", "提醒设置", "新建令牌", "当前密码", "督办提醒不能关闭"):
        assert text not in page, text

    response = client.post(CREATE, new_token(password="wrong"))
    assert "Incorrect password." in response.content.decode()
    page = client.post(CREATE, new_token()).content.decode()
    assert "New token" in page and "it is shown only this once" in page
    assert "Read-only" in page and "never" in page
