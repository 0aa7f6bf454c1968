"""Every page is sent with a Content-Security-Policy that allows no inline script, and
no page needs one: the web UI, the admin and the API docs alike."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import AreaFactory, PlanFactory, TaskFactory

pytestmark = pytest.mark.django_db

# A <script> element without a src attribute, or an on…= event handler attribute.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_no_inline_script(response) -> None:
    html = response.content.decode()
    assert not INLINE_SCRIPT.findall(html), INLINE_SCRIPT.findall(html)
    assert not EVENT_HANDLER.findall(html), EVENT_HANDLER.findall(html)


def test_the_policy_allows_scripts_only_from_our_own_files(client):
    directives = policy(client.get(reverse("ui:login")))
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-eval'" not in directives["script-src"]


@pytest.fixture
def pages(supervisor, department):
    plan = PlanFactory()
    task = TaskFactory(area=AreaFactory(plan=plan), lead_department=department)
    return [
        reverse("ui:dashboard"), reverse("ui:task_list"), reverse("ui:task", args=[task.pk]),
        reverse("ui:my_tasks"), reverse("ui:department", args=[department.pk]),
        reverse("admin:index"), reverse("admin:tracker_task_changelist"),
        reverse("admin:tracker_task_change", args=[task.pk]),
        reverse("admin:tracker_task_history", args=[task.pk]),
        reverse("admin:accounts_user_changelist"),
    ]


def test_signed_in_pages_of_the_ui_and_admin_carry_the_policy_and_no_inline_script(
        client, supervisor, pages):
    client.force_login(supervisor)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Content-Security-Policy" in response, url
        assert_no_inline_script(response)


def test_the_sign_in_pages_have_no_inline_script(client):
    for url in (reverse("ui:login"), reverse("admin:login")):
        response = client.get(url)
        assert response.status_code == 200
        assert_no_inline_script(response)


def test_the_api_docs_load_their_start_up_script_as_a_file(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert_no_inline_script(response)
    scripts = re.findall(r'<script src="([^"]+)"', response.content.decode())
    assert any("?script" in src or "&script" in src for src in scripts), scripts
    start_up = next(s for s in scripts if "script" in s.split("?", 1)[-1]).replace("&amp;", "&")
    script = client.get(start_up)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content
    # Same origin, so script-src 'self' covers it; no CDN anywhere.
    assert all(src.startswith("/") for src in scripts), scripts
