"""Reporting progress through the API: who may, what is written, and that it is append-only."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import IndicatorFactory, MeasureFactory, TaskFactory
from tracker.models import IndicatorReading, ProgressEntry

URL = "/api/v1/progress-entries/"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _midyear(time_machine):
    time_machine.move_to(dt.datetime(2023, 6, 30, 10, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def measure(department, area):
    key = TaskFactory(area=area, lead_department=department)
    return MeasureFactory(parent=key, lead_department=department)


def test_it_records_a_progress_entry_with_an_indicator_reading(client_for, member, measure):
    indicator = IndicatorFactory(task=measure)
    response = client_for(member).post(URL, {
        "task": measure.pk, "percent": 40, "progress_text": "已开工 16 个项目。",
        "actual_value": "0.8", "reported_on": "2023-06-28"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["percent"] == 40
    assert body["author"] == member.pk
    assert body["readings"][0]["indicator"] == indicator.pk
    assert body["readings"][0]["value"] == "0.8000"
    measure.refresh_from_db()
    indicator.refresh_from_db()
    assert measure.percent == 40
    assert indicator.latest_actual == Decimal("0.8")


def test_it_lets_the_responsible_person_of_another_department_report(client_for, outsider,
                                                                     measure):
    measure.responsible = outsider
    measure.save()
    response = client_for(outsider).post(URL, {"task": measure.pk, "percent": 10},
                                         format="json")
    assert response.status_code == 201


def test_it_lets_a_co_department_member_report(client_for, outsider, other_department,
                                               measure):
    measure.co_departments.add(other_department)
    response = client_for(outsider).post(URL, {"task": measure.pk, "percent": 10},
                                         format="json")
    assert response.status_code == 201


def test_it_refuses_a_member_of_another_department(client_for, outsider, measure):
    response = client_for(outsider).post(URL, {"task": measure.pk, "percent": 10},
                                         format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not ProgressEntry.objects.exists()


def test_it_refuses_a_leader(client_for, leader, measure):
    response = client_for(leader).post(URL, {"task": measure.pk, "percent": 10},
                                       format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_it_never_edits_or_deletes_an_entry(client_for, supervisor, member, measure, method):
    created = client_for(member).post(URL, {"task": measure.pk, "percent": 10},
                                      format="json").json()
    response = getattr(client_for(supervisor), method)(
        f"{URL}{created['id']}/", {"percent": 90}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert ProgressEntry.objects.get().percent == 10


def test_it_writes_nothing_when_the_reading_is_refused(client_for, member, measure):
    other = IndicatorFactory()  # belongs to another task
    response = client_for(member).post(URL, {
        "task": measure.pk, "percent": 50, "indicator": other.pk, "actual_value": "3"},
        format="json")
    assert response.status_code == 400
    assert "indicator" in response.json()["errors"]
    assert not ProgressEntry.objects.exists()
    assert not IndicatorReading.objects.exists()
    measure.refresh_from_db()
    assert measure.percent == 0
