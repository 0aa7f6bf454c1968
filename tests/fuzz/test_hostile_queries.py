"""Requests `make fuzz` (tools/fuzz_api.py) once turned into 500s or into answers the OpenAPI
document did not describe, kept here as plain tests so they stay fixed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services_tokens import api_token_create
from tests.factories import TaskFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def api(supervisor) -> APIClient:
    cache.clear()  # throttle counters
    _, secret = api_token_create(user=supervisor)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


@pytest.mark.parametrize("path", ["/api/v1/tasks/", "/api/v1/milestones/",
                                  "/api/v1/departments/"])
def test_it_answers_a_page_number_beyond_any_offset_with_404(api, path):
    TaskFactory()
    response = api.get(path, {"page": "471513669078012608", "page_size": "50"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_it_still_serves_the_last_real_page(api):
    TaskFactory()
    assert api.get("/api/v1/tasks/", {"page": "1"}).json()["count"] == 1


def _in_offset(moment: dt.datetime, hours: int, minutes: int) -> str:
    zone = dt.timezone(-dt.timedelta(hours=hours, minutes=minutes))
    return moment.astimezone(zone).isoformat()


def test_it_compares_updated_since_in_utc_whatever_offset_it_is_given(api):
    task = TaskFactory()
    now = timezone.now()
    # -22:45 is a valid ISO 8601 offset that PostgreSQL refuses to read.
    before = api.get("/api/v1/tasks/", {"updated_since": _in_offset(now - dt.timedelta(hours=1),
                                                                    22, 45)})
    after = api.get("/api/v1/tasks/", {"updated_since": _in_offset(now + dt.timedelta(hours=1),
                                                                   22, 45)})
    assert [row["id"] for row in before.json()["results"]] == [task.pk]
    assert after.json()["results"] == []


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-22:00", "0001-01-01T00:00:00+08:00"])
def test_it_refuses_an_updated_since_that_leaves_the_calendar_in_utc(api, value):
    response = api.get("/api/v1/progress-entries/", {"updated_since": value})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["updated_since"]


def test_it_answers_an_api_path_no_route_matches_in_the_api_error_shape(api):
    response = api.get("/api/v1/tasks/0.5/override-status/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (body["status"], body["code"], body["errors"]) == (404, "not_found", {})
    assert body["request_id"]


def test_it_keeps_the_html_404_page_outside_the_api(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_it_documents_the_error_answers_of_every_operation(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    error = {"$ref": "#/components/schemas/Error"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for code in ("401", "403", "429"):
                assert responses[code]["content"]["application/json"]["schema"] == error, (
                    method, path, code)
            if "{id}" in path:
                assert "404" in responses, (method, path)
    tasks = schema["paths"]["/api/v1/tasks/"]["get"]["responses"]
    assert {"400", "404", "414"} <= set(tasks)
