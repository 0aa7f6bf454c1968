"""Bad input gets a 400 in the one error shape, naming the field, and writes nothing."""

import datetime as dt

import pytest

from tests.factories import IndicatorFactory, MeasureFactory
from tracker.models import IndicatorReading, ProgressEntry, Task

pytestmark = pytest.mark.django_db
ENTRIES = "/api/v1/progress-entries/"


@pytest.fixture(autouse=True)
def _midyear(time_machine):
    time_machine.move_to(dt.datetime(2023, 6, 30, 10, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def measure(department, area):
    measure = MeasureFactory(parent__area=area, parent__lead_department=department)
    IndicatorFactory(task=measure)
    return measure


def _assert_nothing_written(measure):
    assert not ProgressEntry.objects.exists()
    assert not IndicatorReading.objects.exists()
    assert Task.objects.get(pk=measure.pk).percent == 0


@pytest.mark.parametrize(("change", "field"), [
    ({"percent": 101}, "percent"),
    ({"percent": -1}, "percent"),
    ({"actual_value": "一百"}, "actual_value"),
    ({"reported_on": "2023-02-30"}, "reported_on"),
    ({"reported_on": "下周三"}, "reported_on"),
    ({"task": 987654}, "task"),
    ({"indicator": 987654, "actual_value": "1"}, "indicator"),
    ({"progress_text": "进" * 5001}, "progress_text"),
    ({"self_status": "green"}, "self_status"),
])
def test_it_names_the_bad_field_and_writes_nothing(client_for, member, measure, change, field):
    body = {"task": measure.pk, "percent": 50, "progress_text": "推进中", **change}
    response = client_for(member).post(ENTRIES, body, format="json")
    assert response.status_code == 400
    error = response.json()
    assert error["status"] == 400
    assert error["code"] == "invalid"
    assert list(error["errors"]) == [field]
    assert error["errors"][field][0]
    _assert_nothing_written(measure)


def test_it_reports_every_bad_field_at_once(client_for, member, measure):
    response = client_for(member).post(
        ENTRIES, {"task": measure.pk, "percent": 200, "reported_on": "昨天"}, format="json")
    assert set(response.json()["errors"]) == {"percent", "reported_on"}


def test_it_refuses_a_report_dated_in_the_future(client_for, member, measure):
    response = client_for(member).post(
        ENTRIES, {"task": measure.pk, "percent": 5, "reported_on": "2023-07-01"},
        format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["reported_on"]
    _assert_nothing_written(measure)


def test_it_answers_a_malformed_json_body_with_the_same_shape(client_for, member, measure):
    response = client_for(member).post(ENTRIES, data='{"task": 1, "percent": ',
                                       content_type="application/json")
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "parse_error"
    assert list(error["errors"]) == ["body"]
    _assert_nothing_written(measure)


@pytest.mark.parametrize(("query", "field"), [
    ("status=purple", "status"),
    ("department=987654", "department"),
    ("plan=abc", "plan"),
    ("due_before=2023-13-01", "due_before"),
    ("overdue=maybe", "overdue"),
    ("year=twenty", "year"),
    ("ordering=password", "ordering"),
    ("updated_since=yesterday", "updated_since"),
    ("q=" + "搜" * 101, "q"),
])
def test_it_refuses_an_unknown_filter_value(client_for, member, query, field):
    response = client_for(member).get(f"/api/v1/tasks/?{query}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_it_speaks_chinese_by_default(client_for, member, measure):
    response = client_for(member).post(ENTRIES, {"task": measure.pk, "percent": 101},
                                       format="json")
    assert response.json()["errors"]["percent"] == ["请确保该值小于或者等于 100。"]
    assert response.json()["message"] == "请求有误，请检查 errors 中列出的字段。"


def test_it_speaks_english_when_asked(client_for, member, measure):
    client = client_for(member, language="en")
    response = client.post(ENTRIES, {"task": measure.pk, "percent": 101}, format="json")
    assert response.json()["errors"]["percent"] == [
        "Ensure this value is less than or equal to 100."]
    assert response.json()["message"] == "Bad request: see the fields listed in errors."
    future = client.post(ENTRIES, {"task": measure.pk, "percent": 5,
                                   "reported_on": "2023-12-01"}, format="json")
    assert future.json()["errors"]["reported_on"] == [
        "The report date cannot be in the future."]


def test_it_answers_404_in_the_same_shape(client_for, member):
    response = client_for(member).get("/api/v1/tasks/987654/")
    assert response.status_code == 404
    assert set(response.json()) == {"status", "code", "message", "errors"}
    assert response.json()["code"] == "not_found"
