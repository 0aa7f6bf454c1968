"""In a real browser, under the Content-Security-Policy: the API docs (Swagger UI) load
their files and render, and the web UI and admin run without a single violation."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, screenshot, sign_in
from tests.factories import AreaFactory, PlanFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.browser


def record_violations(page) -> list[str]:
    """Chromium reports every blocked script, style or image on the console."""
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    return violations


def test_the_api_docs_render_under_the_policy(open_page):
    page = open_page(DESKTOP)
    violations = record_violations(page)
    response = page.goto("/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # Swagger UI's own script builds this from the schema: it ran, and fetched the schema.
    page.get_by_text("目标任务督办 API").first.wait_for()
    page.locator(".opblock-tag", has_text="tasks").first.wait_for()
    screenshot(page, "api-docs-under-csp")
    assert violations == []


def test_the_ui_and_admin_run_without_violations(transactional_db, open_page):
    from accounts.models import Role

    supervisor = UserFactory(username="duchashi", role=Role.SUPERVISOR, is_staff=True)
    task = TaskFactory(area=AreaFactory(plan=PlanFactory()))
    page = open_page(DESKTOP)
    violations = record_violations(page)
    sign_in(page, supervisor.username)
    for url in ("/", "/tasks/", f"/tasks/{task.pk}/", "/admin/",
                f"/admin/tracker/task/{task.pk}/change/"):
        page.goto(url)
        page.wait_for_load_state("load")
    # The admin's own scripts (files) did run: its sidebar toggle is wired up.
    assert page.locator("#toggle-nav-sidebar").count() == 1
    assert violations == []
