"""PostgreSQL restarted under load: requests fail cleanly (503, never a 500 with a stack
trace) and service resumes by itself.

A real gunicorn serves the test database with the production settings (persistent
connections, CONN_MAX_AGE=60). A restart is simulated the way clients see one: every
server-side connection to the database is terminated (pg_terminate_backend) while
requests are in flight. The machine's PostgreSQL server itself is never stopped.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from django.db import connection

from accounts.services_tokens import api_token_create
from tests.factories import AreaFactory, PlanFactory, TaskFactory, UserFactory
from tests.production.conftest import PYTHON, ROOT, production_env

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TERMINATE_OTHERS = ("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict  # the test database pytest-django created
    auth = quote(db["USER"] or "postgres")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def terminate_server_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(TERMINATE_OTHERS)
        return cursor.fetchone()[0]


@pytest.fixture
def gunicorn(requires_postgres, tmp_path) -> Iterator:
    """gunicorn(health_checks=…) -> the base URL of a running server; stopped after."""
    processes = []

    def start(*, health_checks: bool, threads: int = 1) -> str:
        port = free_port()
        env = production_env(
            HTTPS="0", ALLOWED_HOSTS="127.0.0.1", DATABASE_URL=database_url(),
            DATABASE_CONN_HEALTH_CHECKS="1" if health_checks else "0",
            CELERY_BROKER_URL="redis://127.0.0.1:1/0", MEDIA_ROOT=str(tmp_path))
        log = (tmp_path / f"gunicorn-{port}.log").open("w")
        process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "config.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", "1", "--threads", str(threads),
             "--worker-class", "gthread" if threads > 1 else "sync", "--timeout", "60"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        processes.append((process, log))
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / f"gunicorn-{port}.log").read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    return base
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)

    yield start
    for process, log in processes:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def api_token(db) -> str:
    member = UserFactory()
    plan = PlanFactory()
    for _ in range(3):
        TaskFactory(area=AreaFactory(plan=plan))
    _, secret = api_token_create(user=member)
    return secret


def assert_clean(response: httpx.Response) -> None:
    """200, or 503 saying so in JSON: never a 500, never a stack trace."""
    assert response.status_code in (200, 503), (response.status_code, response.text[:500])
    assert "Traceback" not in response.text
    if response.status_code == 503:
        body = response.json()
        if response.url.path == "/healthz":
            assert body["checks"]["database"]["status"] == "down", body
        else:
            assert body["code"] == "service_unavailable", body
            assert response.headers["Retry-After"]


@pytest.fixture(autouse=True)
def _quiet_http_client_logs():
    # httpx logs every request at INFO; hundreds of lines would bury a failure.
    import logging

    logger = logging.getLogger("httpx")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(level)


@pytest.mark.parametrize("health_checks", [True, False], ids=["health-checks", "no-checks"])
def test_a_dropped_connection_is_a_clean_503_or_a_reconnect_then_service_resumes(
        gunicorn, api_token, health_checks):
    base = gunicorn(health_checks=health_checks)
    headers = {"Authorization": f"Token {api_token}"}
    plans = f"{base}/api/v1/plans/"
    assert httpx.get(plans, headers=headers, timeout=10).status_code == 200  # connected

    assert terminate_server_connections() >= 1
    first = httpx.get(plans, headers=headers, timeout=10)
    assert_clean(first)
    if health_checks:
        # The reused connection is checked first and replaced: nobody notices.
        assert first.status_code == 200
    else:
        # Without the check the request that meets the dead connection fails, cleanly.
        assert first.status_code == 503

    after = httpx.get(plans, headers=headers, timeout=10)
    assert after.status_code == 200  # resumed by itself
    assert httpx.get(f"{base}/healthz", timeout=10).json()["checks"]["database"] == \
        {"status": "ok"}


def test_connections_killed_under_load_never_give_a_500(gunicorn, api_token):
    base = gunicorn(health_checks=True, threads=4)
    headers = {"Authorization": f"Token {api_token}"}
    urls = [f"{base}/api/v1/plans/", f"{base}/api/v1/tasks/", f"{base}/healthz"]
    statuses: Counter = Counter()
    problems: list[str] = []
    stop = threading.Event()

    def hammer(offset: int) -> None:
        with httpx.Client(headers=headers, timeout=30) as client:
            for i in range(200):  # bounded, and stopped early once the kills are done
                if stop.is_set():
                    return
                response = client.get(urls[(i + offset) % len(urls)])
                statuses[response.status_code] += 1
                try:
                    assert_clean(response)
                except Exception as exc:  # reported below, not lost with the thread
                    problems.append(f"{type(exc).__name__}: {exc}")

    workers = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
    for worker in workers:
        worker.start()
    killed = 0
    for _ in range(8):  # "restart" the database eight times while requests run
        time.sleep(0.25)
        killed += terminate_server_connections()
    stop.set()
    for worker in workers:
        worker.join(timeout=120)

    assert problems == []
    assert killed >= 1 and statuses[200] > 0
    assert set(statuses) <= {200, 503}, statuses
    # And afterwards every endpoint answers normally.
    with httpx.Client(headers=headers, timeout=10) as client:
        assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    print(f"statuses under {killed} killed connections: {dict(statuses)}", file=sys.stderr)
