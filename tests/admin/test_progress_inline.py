"""进展 on the task page: appended through the progress service, never edited after."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.admin.helpers import add_inline_row, change_form_data
from tests.factories import IndicatorFactory
from tracker.choices import Status
from tracker.models import ProgressEntry
from tracker.services.progress import progress_entry_create

pytestmark = pytest.mark.django_db
PREFIX = "progress_entries"


def change_url(task) -> str:
    return reverse("admin:tracker_task_change", args=[task.pk])


def new_entry(**values) -> dict:
    return {"reported_on": "2023-07-01", "percent": "", "self_status": "",
            "progress_text": "", "problems_text": "", "next_steps_text": "",
            "indicator": "", "actual_value": ""} | values


@pytest.mark.parametrize("role", ["supervisor", "department_head"])
def test_it_rolls_a_progress_entry_added_on_the_task_page_up_onto_the_task(
        role, request, own_task):
    from tests.admin.conftest import signed_in

    user = request.getfixturevalue(role)
    client = signed_in(user)
    data = change_form_data(client.get(change_url(own_task)))
    add_inline_row(data, PREFIX, new_entry(percent="60", progress_text="已开工32个项目"))
    response = client.post(change_url(own_task), data)
    assert response.status_code == 302

    own_task.refresh_from_db()
    assert own_task.percent == 60 and own_task.status == Status.ON_TRACK
    entry = ProgressEntry.objects.get(task=own_task)
    assert (entry.author, entry.percent, entry.progress_text) == (user, 60, "已开工32个项目")


def test_it_lets_a_co_departments_head_report_on_a_task_it_co_leads(as_head, co_task):
    data = change_form_data(as_head.get(change_url(co_task)))
    add_inline_row(data, PREFIX, new_entry(percent="20", progress_text="配合推进"))
    assert as_head.post(change_url(co_task), data).status_code == 302
    co_task.refresh_from_db()
    assert co_task.percent == 20


def test_it_records_an_indicator_actual_and_evidence_with_the_entry(as_head, own_task):
    indicator = IndicatorFactory(task=own_task, name="亿元以上重点项目", unit="个",
                                 target_value=40)
    data = change_form_data(as_head.get(change_url(own_task)))
    add_inline_row(data, PREFIX, new_entry(
        progress_text="新开工5个", indicator=str(indicator.pk), actual_value="32",
        evidence_file=SimpleUploadedFile("开工清单.pdf", b"%PDF-1.4", "application/pdf")))
    assert as_head.post(change_url(own_task), data).status_code == 302
    indicator.refresh_from_db()
    assert indicator.latest_actual == Decimal("32")
    entry = ProgressEntry.objects.get(task=own_task)
    assert [e.original_name for e in entry.evidence.all()] == ["开工清单.pdf"]


@pytest.mark.parametrize(("values", "field"), [
    (new_entry(reported_on="2023-07-03", percent="10"), "reported_on"),  # the future
    (new_entry(percent="120"), "percent"),
    (new_entry(actual_value="3"), "actual_value"),  # the task has no indicator
])
def test_it_shows_a_bad_entry_as_a_form_error_and_saves_nothing(as_head, own_task, values,
                                                                  field):
    data = change_form_data(as_head.get(change_url(own_task)))
    add_inline_row(data, PREFIX, values)
    response = as_head.post(change_url(own_task), data)
    assert response.status_code == 200
    inline = next(i for i in response.context["inline_admin_formsets"]
                  if i.formset.prefix == PREFIX)
    assert field in inline.formset.forms[-1].errors
    assert not ProgressEntry.objects.exists()


def test_it_refuses_an_entry_with_nothing_reported(as_head, own_task):
    data = change_form_data(as_head.get(change_url(own_task)))
    add_inline_row(data, PREFIX, new_entry(problems_text="只写了问题"))
    response = as_head.post(change_url(own_task), data)
    assert response.status_code == 200
    assert not ProgressEntry.objects.exists()


def test_it_shows_earlier_entries_read_only_and_ignores_edits_to_them(
        as_supervisor, own_task, member):
    entry = progress_entry_create(task=own_task, author=member, percent=30,
                                  progress_text="原始记录", reported_on=dt.date(2023, 6, 1))
    response = as_supervisor.get(change_url(own_task))
    inline = next(i for i in response.context["inline_admin_formsets"]
                  if i.formset.prefix == PREFIX)
    assert not inline.has_change_permission and not inline.has_delete_permission
    assert "原始记录" in response.content.decode()

    data = change_form_data(response)
    data |= {f"{PREFIX}-0-id": str(entry.pk), f"{PREFIX}-0-task": str(own_task.pk),
             f"{PREFIX}-0-percent": "99", f"{PREFIX}-0-progress_text": "篡改",
             f"{PREFIX}-0-DELETE": "on"}
    assert as_supervisor.post(change_url(own_task), data).status_code == 302
    entry.refresh_from_db()
    assert (entry.percent, entry.progress_text) == (30, "原始记录")


def test_it_offers_no_way_to_change_or_delete_an_entry_anywhere(as_supervisor, own_task,
                                                                  member):
    entry = progress_entry_create(task=own_task, author=member, percent=30,
                                  progress_text="原始记录")
    change = reverse("admin:tracker_progressentry_change", args=[entry.pk])
    delete = reverse("admin:tracker_progressentry_delete", args=[entry.pk])
    response = as_supervisor.get(change)
    assert response.status_code == 200 and not response.context["has_change_permission"]
    assert as_supervisor.post(change, {"percent": "99"}).status_code == 403
    assert as_supervisor.post(delete, {"post": "yes"}).status_code == 403
    # Deleting the task would take its entries with it, so that is refused as well.
    task_delete = reverse("admin:tracker_task_delete", args=[own_task.pk])
    assert as_supervisor.post(task_delete, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.percent == 30
