"""Signing in and out, changing the password, and switching language."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = reverse("ui:login")


def test_it_signs_a_member_in_and_lands_on_the_dashboard(client, member, plan):
    page = client.get(LOGIN).content.decode()
    assert 'for="id_username"' in page and 'for="id_password"' in page
    response = client.post(LOGIN, {"username": member.username, "password": "pass-1234-word"})
    assert response.status_code == 302
    assert response["Location"] == reverse("ui:dashboard")


def test_it_refuses_a_wrong_password_with_a_message(client, member):
    response = client.post(LOGIN, {"username": member.username, "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_it_signs_out_on_post(signed_in, member):
    client = signed_in(member)
    response = client.post(reverse("ui:logout"))
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert client.get(reverse("ui:dashboard")).status_code == 302


def test_it_changes_the_password(signed_in, member):
    client = signed_in(member)
    assert client.get(reverse("ui:password_change")).status_code == 200
    response = client.post(reverse("ui:password_change"), {
        "old_password": "pass-1234-word", "new_password1": "沙河口-督办-2024",
        "new_password2": "沙河口-督办-2024"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("沙河口-督办-2024")


def test_it_shows_password_errors_inline(signed_in, member):
    response = signed_in(member).post(reverse("ui:password_change"), {
        "old_password": "wrong", "new_password1": "a", "new_password2": "b"})
    assert response.status_code == 200
    assert "请修改标出的内容" in response.content.decode()


@pytest.mark.parametrize("name", [
    "registration/password_change_form.html", "registration/password_change_done.html",
    "registration/logged_out.html"])
def test_it_leaves_the_admins_own_account_pages_alone(name):
    """The UI's templates have their own names, so the admin's are not replaced."""
    from django.template.loader import get_template

    assert "django/contrib/admin" in get_template(name).origin.name


def test_it_speaks_chinese_by_default(signed_in, member, plan):
    page = signed_in(member).get(reverse("ui:dashboard")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "我的任务" in page


def test_it_switches_to_english_and_back(signed_in, member, plan):
    client = signed_in(member)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/my/"})
    assert response.status_code == 302 and response["Location"] == "/my/"
    page = client.get(reverse("ui:my_tasks")).content.decode()
    assert '<html lang="en">' in page
    assert "My tasks" in page and "Dashboard" in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "我的任务" in client.get(reverse("ui:my_tasks")).content.decode()
