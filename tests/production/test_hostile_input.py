"""Text fields take any Unicode, emoji included, and every page shows it as text: a
<script> in a progress note is displayed, never run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.services_tokens import api_token_create
from tests.factories import AreaFactory, PlanFactory, TaskFactory
from tracker.models import ProgressEntry
from tracker.services.progress import progress_entry_create

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("督办")</script>'
# Emoji (one a ZWJ sequence), a CJK extension-B character, Arabic with a right-to-left
# mark, a zero-width space, combining accents, and markup that must stay text.
UNICODE = "进展顺利👍🏽 👩‍💻 𠀀 مرحبا\u200f zero\u200bwidth e\u0301 <img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def _mid_year(time_machine):
    time_machine.move_to(dt.datetime(2023, 6, 15, 10, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def task(department, member):
    plan = PlanFactory(year=2023)
    return TaskFactory(area=AreaFactory(plan=plan), lead_department=department,
                       responsible=member, start_date=dt.date(2023, 1, 1),
                       deadline=dt.date(2023, 12, 31))


def test_a_script_in_a_progress_note_is_shown_as_text_on_the_task_page(client, member,
                                                                      task):
    client.force_login(member)
    response = client.post(reverse("ui:task", args=[task.pk]), {
        "percent": "30", "progress_text": SCRIPT, "problems_text": UNICODE,
        "next_steps_text": "", "self_status": ""})
    assert response.status_code == 302
    entry = ProgressEntry.objects.get()
    assert (entry.progress_text, entry.problems_text) == (SCRIPT, UNICODE)  # kept exactly

    page = client.get(reverse("ui:task", args=[task.pk])).content.decode()
    assert SCRIPT not in page and "<img src=x" not in page
    assert escape(SCRIPT) in page
    assert escape(UNICODE) in page
    # The dashboard's newest-progress list shows it too, as text.
    dashboard = client.get(reverse("ui:dashboard")).content.decode()
    assert SCRIPT not in dashboard


def test_unicode_round_trips_through_the_api_and_renders_escaped(client, member, task):
    _, secret = api_token_create(user=member)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    created = api.post("/api/v1/progress-entries/", {
        "task": task.pk, "percent": 40, "progress_text": UNICODE + SCRIPT}, format="json")
    assert created.status_code == 201, created.json()
    fetched = api.get(f"/api/v1/progress-entries/{created.json()['id']}/").json()
    assert fetched["progress_text"] == UNICODE + SCRIPT

    client.force_login(member)
    page = client.get(reverse("ui:task", args=[task.pk])).content.decode()
    assert escape(UNICODE + SCRIPT) in page and SCRIPT not in page


def test_markup_in_a_task_title_is_text_in_the_ui_and_admin(client, supervisor, task):
    task.title = f"狠抓项目{SCRIPT}"
    task.save()
    client.force_login(supervisor)
    for url in (reverse("ui:task_list"), reverse("ui:task", args=[task.pk]),
                reverse("admin:tracker_task_changelist"),
                reverse("admin:tracker_task_change", args=[task.pk])):
        page = client.get(url).content.decode()
        assert SCRIPT not in page, url
        assert escape(SCRIPT) in page, url


# Any text a person can type: every plane of Unicode except surrogates (not encodable)
# and control characters (the forms refuse NUL; the rest never come from a keyboard).
TYPED = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
                max_size=60).filter(lambda s: s.strip())


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TYPED)
def test_any_typed_text_is_stored_and_shown_escaped(client, member, task, text):
    entry = progress_entry_create(task=task, author=member, percent=10, progress_text=text)
    assert ProgressEntry.objects.get(pk=entry.pk).progress_text == text.strip()
    client.force_login(member)
    response = client.get(reverse("ui:task", args=[task.pk]))
    assert response.status_code == 200
    assert escape(text.strip()) in response.content.decode()
