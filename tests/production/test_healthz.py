"""/healthz reports the database, Redis and the Celery queue: 200 while the database
answers (reminders marked degraded without Redis), 503 when it does not."""

from __future__ import annotations

import socket
import uuid

import pytest
import redis
from django.db import OperationalError, connection
from django.test import override_settings

from config.health import KOMBU_PRIORITY_SEP

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A local port nothing listens on: bound, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def queue_name():
    # A queue of our own: other test runs may share this Redis.
    return f"healthz-test-{uuid.uuid4().hex}"


def test_it_reports_redis_and_the_queue_length_when_all_is_up(client, requires_redis_server,
                                                              queue_name):
    store = redis.Redis.from_url(requires_redis_server)
    store.rpush(queue_name, "a", "b")
    store.rpush(f"{queue_name}{KOMBU_PRIORITY_SEP}6", "c")  # a message of priority 6
    try:
        with override_settings(CELERY_BROKER_URL=requires_redis_server,
                               CELERY_TASK_DEFAULT_QUEUE=queue_name):
            response = client.get("/healthz")
    finally:
        store.delete(queue_name, f"{queue_name}{KOMBU_PRIORITY_SEP}6")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["redis"] == {"status": "ok"}
    assert body["checks"]["queue"]["length"] == 3
    assert body["checks"]["queue"]["status"] == "ok"
    assert body["degraded"] == []
    assert response["Cache-Control"] == "no-store"


def test_without_redis_it_stays_healthy_and_marks_reminders_degraded(client):
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port()}/0"):
        response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["degraded"] == ["reminders"]
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["redis"] == {"status": "down", "error": "ConnectionError"}
    assert body["checks"]["queue"] == {"status": "unknown"}


def test_without_the_database_it_answers_503(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"]["database"] == {"status": "down", "error": "OperationalError"}
    assert "refused" not in response.content.decode()  # no detail for a public endpoint


@override_settings(ALLOWED_HOSTS=["example.gov.cn"], SECURE_SSL_REDIRECT=True)
def test_a_probe_by_ip_over_plain_http_is_answered(client):
    # A load balancer or `docker compose` asks by address, without TLS: neither the host
    # check nor the HTTPS redirect may turn it away.
    response = client.get("/healthz", HTTP_HOST="127.0.0.2:8000")
    assert response.status_code == 200
    assert client.get("/tasks/", HTTP_HOST="127.0.0.2:8000").status_code == 400


def test_it_needs_no_sign_in_and_carries_a_request_id(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response["X-Request-ID"]
