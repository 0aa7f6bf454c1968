"""Reporting progress: who may, what is checked, and what rolls up onto the task."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import IndicatorFactory, MeasureFactory, TaskFactory
from tracker.choices import Status
from tracker.models import Evidence, IndicatorReading, ProgressEntry
from tracker.services.errors import PermissionDenied, ValidationError
from tracker.services.progress import progress_entry_create
from tracker.services.status import task_mark_done, task_status_override

pytestmark = pytest.mark.django_db
MID_YEAR = dt.datetime(2023, 7, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def task(department):
    return TaskFactory(lead_department=department)


@time_machine.travel(MID_YEAR)
def test_it_rolls_the_latest_percent_and_status_onto_the_task(task, member):
    progress_entry_create(task=task, author=member, percent=20, progress_text="启动",
                          reported_on=dt.date(2023, 5, 1))
    progress_entry_create(task=task, author=member, percent=50, progress_text="过半")
    task.refresh_from_db()
    assert (task.percent, task.status) == (50, Status.ON_TRACK)
    # A back-dated correction does not roll the percent back.
    progress_entry_create(task=task, author=member, percent=10, reported_on=dt.date(2023, 3, 1),
                          progress_text="补录")
    task.refresh_from_db()
    assert task.percent == 50
    assert ProgressEntry.objects.filter(task=task).count() == 3


@time_machine.travel(MID_YEAR)
def test_it_marks_the_task_done_at_100_percent(task, member):
    progress_entry_create(task=task, author=member, percent=100, progress_text="完成")
    task.refresh_from_db()
    assert task.status == Status.DONE and task.completed_on == dt.date(2023, 7, 2)


@time_machine.travel(MID_YEAR)
def test_it_refuses_a_member_of_another_department(task, outsider):
    with pytest.raises(PermissionDenied):
        progress_entry_create(task=task, author=outsider, percent=10, progress_text="越权")
    assert not ProgressEntry.objects.exists()


@time_machine.travel(MID_YEAR)
def test_it_lets_the_co_department_and_the_responsible_person_report(task, outsider,
                                                                     other_department):
    task.co_departments.add(other_department)
    progress_entry_create(task=task, author=outsider, percent=10, progress_text="配合")
    task.co_departments.clear()
    task.responsible = outsider
    task.save()
    progress_entry_create(task=task, author=outsider, percent=20, progress_text="牵头")
    assert ProgressEntry.objects.filter(task=task).count() == 2


@time_machine.travel(MID_YEAR)
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"percent": 101}, "percent"),
        ({"percent": 10, "reported_on": dt.date(2023, 8, 1)}, "reported_on"),
        ({"percent": 10, "self_status": "purple"}, "self_status"),
        ({}, "non_field_errors"),
        ({"actual_value": Decimal("3")}, "actual_value"),  # the task has no indicator
    ],
)
def test_it_names_the_field_that_is_wrong_and_writes_nothing(task, member, kwargs, field):
    with pytest.raises(ValidationError) as error:
        progress_entry_create(task=task, author=member, **kwargs)
    assert field in error.value.errors
    assert not ProgressEntry.objects.exists()


@time_machine.travel(MID_YEAR)
def test_it_records_an_indicator_reading_and_evidence(department, member):
    measure = MeasureFactory(lead_department=department)
    indicator = IndicatorFactory(task=measure)
    upload = SimpleUploadedFile("台账.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    entry = progress_entry_create(task=measure, author=member, percent=60,
                                  actual_value=Decimal("1.2"), evidence_files=[upload])
    indicator.refresh_from_db()
    assert indicator.latest_actual == Decimal("1.2")
    assert IndicatorReading.objects.get().entry == entry
    evidence = Evidence.objects.get()
    assert (evidence.original_name, evidence.size) == ("台账.pdf", 13)


@time_machine.travel(MID_YEAR)
def test_it_lets_a_supervisor_override_the_status_with_a_reason(task, supervisor, member):
    with pytest.raises(ValidationError):
        task_status_override(task=task, actor_user=supervisor, status=Status.DONE, reason=" ")
    with pytest.raises(PermissionDenied):
        task_status_override(task=task, actor_user=member, status=Status.DONE, reason="完成")
    task = task_status_override(task=task, actor_user=supervisor, status=Status.AT_RISK,
                                reason="资金未到位")
    assert (task.status, task.computed_status) == (Status.AT_RISK, Status.OFF_TRACK)
    latest_change = task.history.order_by("-history_id").first()
    assert (latest_change.history_user, latest_change.status_override_reason) == (
        supervisor, "资金未到位")
    # Withdrawing the override brings the computed status back.
    task = task_status_override(task=task, actor_user=supervisor, status="", reason="已落实")
    assert task.status == Status.OFF_TRACK
    assert task.status_overrides.count() == 2


@time_machine.travel(MID_YEAR)
def test_it_marks_a_task_done(task, supervisor):
    task = task_mark_done(task=task, actor_user=supervisor)
    assert (task.status, task.percent, task.completed_on) == (Status.DONE, 100,
                                                              dt.date(2023, 7, 2))


def test_it_moves_statuses_on_as_time_passes(task):
    from tracker.services.status import task_statuses_refresh

    assert task_statuses_refresh(today=dt.date(2023, 1, 2)) == 1
    task.refresh_from_db()
    assert task.status == Status.NOT_STARTED
    assert task_statuses_refresh(today=dt.date(2023, 1, 2)) == 0  # nothing to write
    task_statuses_refresh(today=dt.date(2024, 1, 2))
    task.refresh_from_db()
    assert task.status == Status.OFF_TRACK
