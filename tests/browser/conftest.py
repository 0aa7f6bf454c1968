"""Playwright driving the system Chromium against pytest-django's live server.

The browser is Debian's `chromium` (`make chromium` installs it); Playwright downloads
nothing. Without it these tests skip with the reason, except in CI (CI=true), where a
missing browser is a failure. Screenshots go to var/screenshots/ (ignored by git) for a
person to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",  # root in a container has no user namespace for the sandbox
    "--disable-gpu",
    "--disable-background-networking",  # no calls home: the tests run offline
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "pass-1234-word"  # tests.factories.UserFactory's


def _chromium_problem() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium is not installed at {CHROMIUM} (run `make chromium`, or on Debian "\
               f"`apt-get install chromium`)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture
def browser(monkeypatch, transactional_db, live_server) -> Iterator:
    """A headless Chromium for one test.

    Playwright's sync API runs an event loop in this thread, which makes Django refuse
    ORM calls from it ("async unsafe"); the test's own set-up and checks are ordinary
    synchronous code, so the guard is lifted for the test's duration only.
    """
    problem = _chromium_problem()
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{problem}; CI runs the browser tests.")
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def open_page(browser, live_server):
    """open_page(viewport) -> a page in a fresh context that asks for Chinese."""
    contexts = []

    def open_(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, locale="zh-CN",
                                      base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def sign_in(page, username: str) -> None:
    page.goto("/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
