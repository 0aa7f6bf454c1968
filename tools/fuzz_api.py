"""`make fuzz`: hostile input against the API as it runs in production.

A fresh PostgreSQL database (`tracker_fuzz`, dropped and rebuilt each run) gets the
departments, the 2023 report re-dated to this year and the demo people and progress;
gunicorn serves it with DEBUG off. Then:

1. A Unicode round trip over HTTP: a progress report whose texts hold emoji (a ZWJ
   sequence, a skin tone), CJK extension B, right-to-left text, zero-width and combining
   characters and markup is accepted and read back exactly.
2. schemathesis, from the served OpenAPI document, with a far larger budget than the run in
   `make test` (tests/api/test_schemathesis.py, 15 cases per operation, in-process): every
   phase (schema examples, coverage of edge values, random fuzzing, stateful sequences that
   feed one response's ids into the next request), as 督查室 (the widest rights, so writes
   get past permissions into the services) and then as a department member. Generated
   strings range over all of Unicode. Checks: no 5xx, every response matches the schema
   (body, content type, headers, documented status codes).
3. The server's log must hold no ERROR line (an unhandled exception is logged there with
   its trace even when the answer was not a 5xx).

Exit status 0 only if all three pass. Environment: FUZZ_EXAMPLES (cases per operation and
phase, default 200), FUZZ_SEED (default 20230228; the same seed replays the same run),
FUZZ_DATABASE_URL (its name must contain "fuzz"), FUZZ_WORKERS (schemathesis workers, 2).

    .venv/bin/python -m tools.fuzz_api
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("FUZZ_DATABASE_URL",
                              "postgres://postgres@127.0.0.1:5432/tracker_fuzz")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))
SEED = int(os.environ.get("FUZZ_SEED", "20230228"))
ST_WORKERS = os.environ.get("FUZZ_WORKERS", "2")
OUT_DIR = BASE_DIR / "var" / "fuzz"

# The production settings module with production defaults (DEBUG off), on loopback HTTP,
# with token throttling out of the way (a 429 would hide what the request would have done).
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.base",
    "DEBUG": "0",
    "SECRET_KEY": "fuzz-only-secret-key-not-for-production-0123456789abcdef",
    "HTTPS": "0",
    "ALLOWED_HOSTS": "127.0.0.1",
    "DATABASE_URL": DATABASE_URL,
    "API_TOKEN_THROTTLE_RATE": "1000000/min",
    "MEDIA_ROOT": str(OUT_DIR / "media"),
    "LOG_FORMAT": "json",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(SERVER_ENV)

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.services_tokens import api_token_create  # noqa: E402
from tracker.models import Task  # noqa: E402

# Both signed in through their own token; the member may report on their department's tasks.
ROLES = {"supervisor": "duchashi", "member": "fgj_staff"}
UNICODE = ("进展顺利👍🏽 👩\u200d💻 𠀀 مرحبا\u200f zero\u200bwidth e\u0301 "
           "<script>alert('督办')</script> ✅")
CHECKS = ",".join(["not_a_server_error", "response_schema_conformance",
                   "content_type_conformance", "response_headers_conformance",
                   "status_code_conformance"])


def rebuild_database() -> None:
    """Drop and recreate the fuzz database, then load a realistic plan into it."""
    import psycopg

    db = connection.settings_dict
    if "fuzz" not in db["NAME"]:
        raise SystemExit(f"Refusing to drop {db['NAME']!r}: the fuzz database's name must "
                         "contain 'fuzz' (FUZZ_DATABASE_URL).")
    with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                         user=db["USER"] or "postgres", password=db["PASSWORD"] or None,
                         dbname="postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    year = timezone.localdate().year
    quiet = {"verbosity": 0, "stdout": io.StringIO()}
    call_command("migrate", interactive=False, **quiet)
    call_command("load_departments", **quiet)
    call_command("seed_report", rebase_year=year, **quiet)
    call_command("load_demo", year=year, **quiet)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, log: Path) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "3", "--timeout", "60"],
        cwd=BASE_DIR, env={**os.environ, **SERVER_ENV}, start_new_session=True,
        stdout=log.open("w"), stderr=subprocess.STDOUT)
    for _ in range(120):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited before it answered; see {log}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return server
        except httpx.HTTPError:
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    # Only the process group started here: gunicorn's master and its workers.
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def unicode_round_trip(base: str, secret: str, task_id: int) -> list[str]:
    """Report progress with hostile Unicode over HTTP and read it back unchanged."""
    headers = {"Authorization": f"Token {secret}"}
    texts = {"progress_text": UNICODE, "problems_text": "🚧" * 500,
             "next_steps_text": "\U0010fffd\u202e反转\u202c\ufeff"}
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        created = client.post("/api/v1/progress-entries/",
                              json={"task": task_id, "percent": 40, **texts})
        if created.status_code != 201:
            return [f"Unicode report: {created.status_code} {created.text[:500]}"]
        entry = client.get(f"/api/v1/progress-entries/{created.json()['id']}/").json()
    return [f"Unicode report: {name} came back as {entry.get(name)!r}"
            for name, text in texts.items() if entry.get(name) != text]


def server_errors(log: Path) -> list[str]:
    """ERROR and CRITICAL lines of the server's log: Django's JSON lines, and gunicorn's own
    (a worker that died or timed out) and any bare traceback."""
    found = []
    for line in log.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if isinstance(record, dict):
            if record.get("level") in ("ERROR", "CRITICAL"):
                found.append(line)
        elif "[ERROR]" in line or "[CRITICAL]" in line or line.startswith("Traceback"):
            found.append(line)
    return found


def schemathesis(base: str, secret: str, role: str) -> int:
    command = [
        str(Path(sys.executable).with_name("st")), "run", f"{base}/api/schema/?format=json",
        "--header", f"Authorization: Token {secret}",
        "--checks", CHECKS,
        "--max-examples", str(EXAMPLES), "--seed", str(SEED), "--workers", ST_WORKERS,
        "--request-timeout", "60",
        "--suppress-health-check", "all",
        "--report", "junit", "--report-junit-path", str(OUT_DIR / f"junit-{role}.xml"),
    ]
    print(f"\n== schemathesis as {role}: {' '.join(command[2:3])} --max-examples {EXAMPLES} "
          f"--seed {SEED} --checks {CHECKS}", flush=True)
    # Run from var/fuzz: schemathesis keeps its own state (.schemathesis/) in the directory.
    return subprocess.run(command, cwd=OUT_DIR, env={**os.environ, "NO_COLOR": "1"}).returncode


def main() -> int:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    print(f"Rebuilding {connection.settings_dict['NAME']} (departments, the report re-dated "
          f"to this year, demo people and progress) …", flush=True)
    rebuild_database()
    secrets = {role: api_token_create(user=User.objects.get(username=username),
                                      name="fuzz")[1]
               for role, username in ROLES.items()}
    member = User.objects.get(username=ROLES["member"])
    task_id = (Task.objects.filter(lead_department=member.department_id)
               .order_by("id").values_list("id", flat=True).first())
    connection.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = OUT_DIR / "server.log"
    server = start_server(port, log)
    failures: list[str] = []
    try:
        failures += unicode_round_trip(base, secrets["member"], task_id)
        print("Unicode round trip: " + ("ok" if not failures else "FAILED"), flush=True)
        for role, secret in secrets.items():
            if schemathesis(base, secret, role) != 0:
                failures.append(f"schemathesis as {role} found failures (see above)")
    finally:
        stop_server(server)

    errors = server_errors(log)
    if errors:
        failures.append(f"{len(errors)} ERROR lines in {log.relative_to(BASE_DIR)}, e.g. "
                        f"{errors[0][:1000]}")
    took = dt.timedelta(seconds=round(time.perf_counter() - started))
    print(f"\nmake fuzz: {EXAMPLES} examples per operation and phase, seed {SEED}, {took}; "
          f"server log {log.relative_to(BASE_DIR)}")
    for failure in failures:
        print(f"FAILED: {failure}")
    if not failures:
        print("No 5xx, no response outside the schema, no server error logged.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
