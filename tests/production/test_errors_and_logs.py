"""Errors reach the logs with their stack trace and the request id, never the user: a
plain 500 page (JSON under /api/), and 503 "try again" when the database is away."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory

from config.logging import RequestIdFilter, logging_config, request_id_var
from config.middleware import server_error

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.production.urls")]


@pytest.fixture
def client() -> Client:
    # As in production: an error becomes a response instead of failing the test.
    return Client(raise_request_exception=False)


@pytest.fixture
def json_log():
    """The production log format, captured: one JSON object per line."""
    stream = io.StringIO()
    config = logging_config(level="INFO", json=True)
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    formatter_config = dict(config["formatters"]["json"])
    factory = formatter_config.pop("()")
    from django.utils.module_loading import import_string

    handler.setFormatter(import_string(factory)(**formatter_config))
    logger = logging.getLogger()  # the root: where every logger's records end up
    logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)


def test_every_response_carries_a_request_id(client):
    first, second = client.get("/healthz"), client.get("/accounts/login/")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_it_keeps_the_proxys_request_id_and_replaces_a_malformed_one(client):
    kept = client.get("/accounts/login/", headers={"X-Request-ID": "nginx-7f3a.42"})
    assert kept["X-Request-ID"] == "nginx-7f3a.42"
    injected = client.get("/accounts/login/",
                          headers={"X-Request-ID": "x\" onload=alert(1) <b>"})
    assert injected["X-Request-ID"] != "x\" onload=alert(1) <b>"
    assert len(injected["X-Request-ID"]) == 32


def test_an_error_shows_a_plain_page_with_the_request_id_and_no_trace(client, json_log):
    response = client.get("/boom/", headers={"X-Request-ID": "req-500-page"})
    assert response.status_code == 500
    page = response.content.decode()
    assert "出错了" in page and "req-500-page" in page
    assert "Traceback" not in page and "secret detail" not in page
    assert "RuntimeError" not in page

    (record,) = [r for r in json_log() if r["level"] == "ERROR"]
    assert record["request_id"] == "req-500-page"
    assert record["logger"] == "django.request"
    assert "Traceback" in record["exc_info"] and "secret detail" in record["exc_info"]


@pytest.mark.parametrize("url", ["/api/boom/", "/api/v1/boom/"])  # plain Django, DRF
def test_an_api_error_stays_json_without_a_trace(client, json_log, url):
    response = client.get(url, headers={"X-Request-ID": "req-api-500"})
    assert response.status_code == 500
    assert response.json() == {
        "status": 500, "code": "server_error",
        "message": "服务器内部错误，已记录。请将请求编号告知管理员。", "errors": {},
        "request_id": "req-api-500"}
    (record,) = [r for r in json_log() if r["level"] == "ERROR"]
    assert record["request_id"] == "req-api-500" and "secret detail" in record["exc_info"]


def test_a_lost_database_in_a_view_is_a_503_to_retry(client, json_log):
    page = client.get("/boom-db/", headers={"X-Request-ID": "req-db"})
    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    assert "服务暂时不可用" in page.content.decode()
    assert "server closed" not in page.content.decode()
    api = client.get("/api/boom-db/")
    assert api.status_code == 503
    assert api.json()["code"] == "service_unavailable"
    assert any(r["request_id"] == "req-db" and "OperationalError" in r.get("exc_info", "")
               for r in json_log())


def test_a_lost_database_outside_a_view_is_a_503_too():
    # handler500 runs inside Django's except block; a session saved in middleware after
    # the database went away lands here rather than in a view.
    request = RequestFactory().get("/tasks/")
    try:
        raise OperationalError("terminating connection due to administrator command")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    try:
        raise ValueError("anything else")
    except ValueError:
        assert server_error(request).status_code == 500


def test_log_lines_outside_a_request_carry_a_dash(caplog):
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-" == request_id_var.get()
