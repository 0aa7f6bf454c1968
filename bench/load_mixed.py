"""Load: two hundred people using the API at once, reading and reporting progress.

`make bench` runs this after bench/run.py, on the same city-sized PostgreSQL data set
(bench/load_data.py, loaded once per database and scale); alone:

    .venv/bin/python -m bench.load_mixed
    BENCH_SCALE=0.1 BENCH_LOAD_SECONDS=60 .venv/bin/python -m bench.load_mixed

Each simulated user is a real department member with their own API token. In a loop, after
a short pause (think time), they do one of: list their plan's tasks (a page), list their
department's off-track and at-risk tasks, open a task, open their plan's dashboard, or
report progress on a task of their department (which the permission rule lets them do:
checked here with tracker.rules.permissions before the run). All traffic is loopback, to a
gunicorn started here on a free port; the run stops after BENCH_LOAD_SECONDS or
BENCH_LOAD_MAX_REQUESTS requests, whichever comes first.

Printed: throughput, p50 and p95 per kind of request and overall. The run fails (exit 1)
on any error (a non-2xx answer or an exception, each printed) and when the progress
entries written during the run, counted in the database afterwards, are not exactly the
reports that were answered 201.

Environment: BENCH_SCALE, BENCH_DATABASE_URL (as bench/run.py), BENCH_LOAD_USERS (200),
BENCH_LOAD_SECONDS (180), BENCH_LOAD_MAX_REQUESTS (100000), BENCH_LOAD_THINK_SECONDS (mean
pause between a user's requests, 1.0), BENCH_LOAD_WORKERS (gunicorn workers, 2 × cores + 1),
BENCH_LOAD_THREADS (threads per worker; 1 = sync workers as in production, more = gthread),
BENCH_PORT.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from accounts.services_tokens import api_token_create, api_token_revoke  # noqa: E402
from accounts.tokens import ApiToken  # noqa: E402
from bench import load_data  # noqa: E402
from bench.run import machine, stop_server  # noqa: E402
from tracker.models import ProgressEntry, Task  # noqa: E402
from tracker.rules.permissions import Actor, TaskOwners, can_report_progress  # noqa: E402

USERS = int(os.environ.get("BENCH_LOAD_USERS", "200"))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "180"))
MAX_REQUESTS = int(os.environ.get("BENCH_LOAD_MAX_REQUESTS", "100000"))
THINK = float(os.environ.get("BENCH_LOAD_THINK_SECONDS", "1.0"))
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
THREADS = int(os.environ.get("BENCH_LOAD_THREADS", "1"))
# Users arrive over the first seconds rather than all in the same millisecond.
RAMP = min(10.0, SECONDS / 6)
TASKS_PER_USER = 30
CLIENT_TIMEOUT = 120.0

# What a user does next, and how often: mostly reading, one request in six a report.
MIX = {"task list": 25, "filtered list": 20, "task detail": 30, "dashboard": 8,
       "progress report": 17}


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = int(os.environ.get("BENCH_PORT") or _free_port())
BASE = f"http://127.0.0.1:{PORT}"


@dataclass
class Persona:
    user_id: int
    department_id: int
    secret: str
    plan_id: int
    task_ids: list[int]  # tasks of the department, each one the user may report on


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    accepted: set[int] = field(default_factory=set)  # ids of the 201 progress entries
    # (start time, latency) of every answered request, to see when the slow ones happened.
    timeline: list[tuple[float, float]] = field(default_factory=list)
    sent: int = 0


def personas(run_id: str) -> list[Persona]:
    """USERS department members whose department leads tasks, each with a new token and
    the tasks they may report on (asked of the permission rule, not assumed)."""
    members = (User.objects.filter(role=Role.MEMBER, is_active=True,
                                   department_id__isnull=False)
               .order_by("id").values_list("id", "department_id"))
    led: dict[int, list[tuple[int, int, int | None]]] = defaultdict(list)
    for task_id, department_id, plan_id, responsible_id in (
            Task.objects.order_by("id").values_list("id", "lead_department_id", "plan_id",
                                                    "responsible_id")):
        led[department_id].append((task_id, plan_id, responsible_id))
    co: dict[int, set[int]] = defaultdict(set)
    for task_id, department_id in Task.co_departments.through.objects.values_list(
            "task_id", "department_id"):
        co[task_id].add(department_id)

    rng = random.Random(7)
    chosen: list[Persona] = []
    users = {u.pk: u for u in User.objects.filter(
        pk__in=[pk for pk, _ in members]).prefetch_related("headed_departments")}
    for user_id, department_id in members:
        if len(chosen) == USERS:
            break
        tasks = led.get(department_id)
        if not tasks:
            continue
        actor = Actor.of(users[user_id])
        picked = rng.sample(tasks, min(TASKS_PER_USER, len(tasks)))
        allowed = [(tid, plan_id) for tid, plan_id, responsible_id in picked
                   if can_report_progress(actor, TaskOwners(
                       lead_department_id=department_id,
                       co_department_ids=frozenset(co.get(tid, ())),
                       responsible_id=responsible_id))]
        if not allowed:
            continue
        _, secret = api_token_create(user=users[user_id], name=f"load-mixed {run_id}")
        chosen.append(Persona(user_id=user_id, department_id=department_id, secret=secret,
                              plan_id=allowed[0][1], task_ids=[tid for tid, _ in allowed]))
    if len(chosen) < USERS:
        raise SystemExit(f"Only {len(chosen)} members can report on a task of their "
                         f"department; BENCH_LOAD_USERS={USERS} needs a larger BENCH_SCALE.")
    return chosen


def check_connection_budget() -> tuple[int, int]:
    """gunicorn holds one persistent connection per worker thread (CONN_MAX_AGE): make sure
    PostgreSQL has that many free, so load queues in gunicorn rather than failing."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
        cursor.execute("SHOW superuser_reserved_connections")
        reserved = int(cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = "
                       "'client backend'")
        in_use = int(cursor.fetchone()[0])
    needed = WORKERS * THREADS
    free = limit - reserved - in_use
    if needed > free:
        raise SystemExit(f"gunicorn would hold {needed} database connections "
                         f"({WORKERS} workers × {THREADS} threads), but PostgreSQL has "
                         f"{free} free (max_connections {limit}, {in_use} in use, "
                         f"{reserved} reserved): lower BENCH_LOAD_WORKERS/THREADS.")
    return limit, in_use


def start_server() -> subprocess.Popen:
    command = [str(Path(sys.executable).with_name("gunicorn")), "config.wsgi:application",
               "--bind", f"127.0.0.1:{PORT}", "--workers", str(WORKERS),
               "--log-level", "warning", "--timeout", "120"]
    if THREADS > 1:
        # Idle keep-alive connections must outlive the longest think time: otherwise the
        # server closes one just as its user sends the next request (a read error that a
        # browser would retry, but this client counts).
        command += ["--worker-class", "gthread", "--threads", str(THREADS),
                    "--keep-alive", str(int(2 * THINK) + 5)]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    server = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env,
                              start_new_session=True)
    for _ in range(120):
        if server.poll() is not None:
            raise SystemExit("gunicorn exited before it answered")
        try:
            if httpx.get(f"{BASE}/healthz", timeout=5).status_code in (200, 503):
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def request_for(kind: str, who: Persona, rng: random.Random, run_id: str, n: int
                ) -> tuple[str, str, dict | None]:
    """(method, path, json body) of one request of this kind by this user."""
    if kind == "task list":
        return "GET", f"/api/v1/tasks/?plan={who.plan_id}&page={rng.randint(1, 5)}", None
    if kind == "filtered list":
        return ("GET", f"/api/v1/tasks/?department={who.department_id}"
                       "&status=off_track&status=at_risk", None)
    if kind == "task detail":
        return "GET", f"/api/v1/tasks/{rng.choice(who.task_ids)}/", None
    if kind == "dashboard":
        return "GET", f"/api/v1/plans/{who.plan_id}/dashboard/", None
    # The run id in the text is how the database count finds this run's entries.
    return "POST", "/api/v1/progress-entries/", {
        "task": rng.choice(who.task_ids), "percent": rng.randint(0, 100),
        "progress_text": f"[load {run_id}] 第{n}次报送：按计划推进 ✅",
        "self_status": rng.choice(["", "on_track", "at_risk"])}


async def simulate(who: Persona, client: httpx.AsyncClient, index: int, tally: Tally,
                   run_id: str, start_at: float, stop_at: float) -> None:
    rng = random.Random(index)
    kinds, weights = list(MIX), list(MIX.values())
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, start_at - loop.time()))
    n = 0
    while loop.time() < stop_at and tally.sent < MAX_REQUESTS:
        tally.sent += 1
        n += 1
        kind = rng.choices(kinds, weights)[0]
        method, path, body = request_for(kind, who, rng, run_id, n)
        began = time.perf_counter()
        try:
            response = await client.request(method, path, json=body)
            took = time.perf_counter() - began
            if not 200 <= response.status_code < 300:
                tally.errors.append(f"{kind}: {method} {path} -> {response.status_code} "
                                    f"{response.text[:300]}")
            else:
                tally.latencies[kind].append(took)
                tally.timeline.append((began, took))
                if response.status_code == 201:
                    tally.accepted.add(response.json()["id"])
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            tally.errors.append(f"{kind}: {method} {path} -> {type(exc).__name__}: {exc}")
        # Think time: uniform around the mean, so users do not move in lockstep.
        await asyncio.sleep(min(rng.uniform(0, 2 * THINK), max(0.0, stop_at - loop.time())))


async def drive(people: list[Persona], run_id: str) -> tuple[Tally, float]:
    tally = Tally()
    # Clients first, before the clock: building one costs milliseconds of CPU (httpx sets
    # up a TLS context), which would otherwise stall the event loop as users arrive.
    clients = [httpx.AsyncClient(base_url=BASE, timeout=CLIENT_TIMEOUT,
                                 headers={"Authorization": f"Token {who.secret}",
                                          "Accept": "application/json"})
               for who in people]
    loop = asyncio.get_running_loop()
    now = loop.time()
    stop_at = now + SECONDS
    jobs = [simulate(who, client, i, tally, run_id, now + RAMP * i / len(people), stop_at)
            for i, (who, client) in enumerate(zip(people, clients, strict=True))]
    began = time.perf_counter()
    try:
        await asyncio.gather(*jobs)
    finally:
        elapsed = time.perf_counter() - began
        for client in clients:
            await client.aclose()
    return tally, elapsed


def warm_up(people: list[Persona]) -> None:
    """Every worker imports and connects on its first requests: do that before the clock."""
    who = people[0]
    with httpx.Client(base_url=BASE, timeout=CLIENT_TIMEOUT,
                      headers={"Authorization": f"Token {who.secret}"}) as client:
        for _ in range(3 * WORKERS * THREADS):
            for path in (f"/api/v1/tasks/?plan={who.plan_id}",
                         f"/api/v1/tasks/{who.task_ids[0]}/",
                         f"/api/v1/plans/{who.plan_id}/dashboard/"):
                response = client.get(path)
                if response.status_code != 200:
                    raise SystemExit(f"Warm-up: GET {path} -> {response.status_code} "
                                     f"{response.text[:300]}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def windows(timeline: list[tuple[float, float]], width: float = 10.0) -> list[dict]:
    """Requests and latency by `width`-second window of the run: a p95 made of one bad
    stretch reads differently from one that is slow throughout."""
    if not timeline:
        return []
    start = min(began for began, _ in timeline)
    buckets: dict[int, list[float]] = defaultdict(list)
    for began, took in timeline:
        buckets[int((began - start) // width)].append(took)
    return [{"from_s": int(n * width), "requests": len(lat),
             "p50_ms": round(statistics.median(lat) * 1000),
             "p95_ms": round(percentile(lat, 0.95) * 1000)}
            for n, lat in sorted(buckets.items())]


def summary(name: str, lat: list[float], errors: int, elapsed: float) -> dict:
    return {"kind": name, "requests": len(lat), "errors": errors,
            "rps": round(len(lat) / elapsed, 1),
            "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
            "p95_ms": round(percentile(lat, 0.95) * 1000, 1) if lat else None,
            "max_ms": round(max(lat) * 1000, 1) if lat else None}


def main() -> int:
    state = load_data.main()
    run_id = uuid.uuid4().hex[:12]
    limit, in_use = check_connection_budget()
    people = personas(run_id)
    total_before = ProgressEntry.objects.count()
    connection.close()  # the server opens its own connections
    load_before = os.getloadavg()[0]
    server = start_server()
    try:
        warm_up(people)
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        tally, elapsed = asyncio.run(drive(people, run_id))
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    finally:
        # Stopped before counting: every request the server took has finished by then.
        stop_server(server)
    load_after = os.getloadavg()[0]
    client_cpu = (cpu_after.ru_utime - cpu_before.ru_utime
                  + cpu_after.ru_stime - cpu_before.ru_stime)

    written = set(ProgressEntry.objects.filter(progress_text__startswith=f"[load {run_id}]")
                  .values_list("id", flat=True))
    total_after = ProgressEntry.objects.count()
    for token in ApiToken.objects.filter(name=f"load-mixed {run_id}"):
        api_token_revoke(token=token)

    errors_by_kind: dict[str, int] = defaultdict(int)
    for line in tally.errors:
        errors_by_kind[line.split(":", 1)[0]] += 1
    rows = [summary(kind, tally.latencies[kind], errors_by_kind[kind], elapsed) for kind in MIX]
    everything = [x for kind in MIX for x in tally.latencies[kind]]
    rows.append(summary("overall", everything, len(tally.errors), elapsed))

    server_kind = (f"{WORKERS} gthread workers × {THREADS} threads" if THREADS > 1
                   else f"{WORKERS} sync workers")
    print(f"\nData: {json.dumps(state, ensure_ascii=False)}")
    print(f"Machine: {machine()}; load average before/after: {load_before:.1f}/"
          f"{load_after:.1f}")
    print(f"Load: {len(people)} users (each a department member with their own token), "
          f"think time 0–{2 * THINK:g} s, {elapsed:.0f} s (arriving over the first "
          f"{RAMP:.0f} s), ≤ {MAX_REQUESTS} requests; gunicorn {server_kind} "
          f"(PostgreSQL max_connections {limit}, {in_use} in use before); the load "
          f"generator (one asyncio process, httpx) used {client_cpu:.0f} s of CPU on the "
          f"same machine\n")
    print(f"| {'request':<16} | requests | req/s | p50 ms | p95 ms | max ms | errors |")
    print(f"|{'-' * 18}|---------:|------:|-------:|-------:|-------:|-------:|")
    for r in rows:
        print(f"| {r['kind']:<16} | {r['requests']:>8} | {r['rps']:>5} | {r['p50_ms']!s:>6} "
              f"| {r['p95_ms']!s:>6} | {r['max_ms']!s:>6} | {r['errors']:>6} |")

    timeline = windows(tally.timeline)
    print("\np50 / p95 ms by 10 s window: " + ", ".join(
        f"{w['from_s']}s {w['p50_ms']}/{w['p95_ms']}" for w in timeline))

    failed = False
    if tally.errors:
        failed = True
        print(f"\n{len(tally.errors)} errors:")
        for line in tally.errors[:50]:
            print(f"  {line}")
    missing, extra = tally.accepted - written, written - tally.accepted
    print(f"\nProgress reports answered 201: {len(tally.accepted)}; entries of this run in "
          f"the database: {len(written)} (all entries: {total_before} before, {total_after} "
          f"after)")
    if missing or extra:
        failed = True
        print(f"MISMATCH: {len(missing)} accepted but not in the database "
              f"{sorted(missing)[:20]}, {len(extra)} in the database but never accepted "
              f"{sorted(extra)[:20]}")

    out = load_data.STATE_DIR / f"load-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({
        "data": state, "machine": machine(), "users": len(people), "seconds": elapsed,
        "think_seconds": THINK, "server": server_kind, "client_cpu_seconds": client_cpu,
        "load_average": [load_before, load_after], "rows": rows, "windows": timeline,
        "accepted_reports": len(tally.accepted), "entries_in_database": len(written),
        "errors": tally.errors[:200]}, ensure_ascii=False, indent=2))
    print(f"Saved {out.relative_to(settings.BASE_DIR)}")
    if failed:
        print("FAILED", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
