"""`make bench`: load the data set (once), serve it with gunicorn, measure, print tables.

Each scenario sends requests from BENCH_CONCURRENCY threads (httpx, keep-alive) for
BENCH_SECONDS seconds or BENCH_MAX_REQUESTS requests, whichever ends first, to
127.0.0.1 only. List endpoints are measured twice in the same run: the API, and the
floor (the same rows by one `.values()` query in a bare Django view, see bench/floor.py).

Environment: BENCH_SCALE (1 = 100k tasks, 1M progress entries, 10k users),
BENCH_DATABASE_URL, BENCH_SECONDS (10), BENCH_CONCURRENCY (4), BENCH_MAX_REQUESTS (3000),
BENCH_WORKERS (gunicorn workers, default 2 × cores), BENCH_PORT (default: a free one).
"""

from __future__ import annotations

import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.services_tokens import api_token_create  # noqa: E402
from bench import load_data  # noqa: E402
from tracker.models import Indicator, Plan, ProgressEntry, Task  # noqa: E402

SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "3000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1))))


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# A port nothing else listens on (other servers on this machine must not be measured).
PORT = int(os.environ.get("BENCH_PORT") or _free_port())
BASE = f"http://127.0.0.1:{PORT}"
PAGE_SIZE = 100


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0

    def row(self) -> dict:
        lat = sorted(self.latencies)
        p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))] if lat else float("nan")
        return {"scenario": self.name, "requests": len(lat), "errors": self.errors,
                "rps": round(len(lat) / self.elapsed, 1) if self.elapsed else 0,
                "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
                "p95_ms": round(p95 * 1000, 1) if lat else None}


def measure(name: str, make_request, headers: dict[str, str], *, threads: int,
            seconds: float) -> Result:
    """Run `make_request(client, rng)` from `threads` threads for `seconds` (or until
    MAX_REQUESTS); each call returns a response."""
    result = Result(name)
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    sent = [0]

    def worker(n: int) -> None:
        rng = random.Random(n)
        with httpx.Client(base_url=BASE, headers=headers, timeout=60) as client:
            while time.perf_counter() < deadline:
                with lock:
                    if sent[0] >= MAX_REQUESTS:
                        return
                    sent[0] += 1
                start = time.perf_counter()
                try:
                    status = make_request(client, rng).status_code
                except httpx.HTTPError:
                    status = 599
                took = time.perf_counter() - start
                with lock:
                    if status >= 400:
                        result.errors += 1
                    else:
                        result.latencies.append(took)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    result.elapsed = time.perf_counter() - started
    return result


def start_server() -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "config.wsgi:application",
         "--bind", f"127.0.0.1:{PORT}", "--workers", str(WORKERS), "--log-level", "warning",
         "--timeout", "120"],
        cwd=settings.BASE_DIR, env=env, start_new_session=True)
    for _ in range(120):
        if server.poll() is not None:
            raise SystemExit("gunicorn exited before it answered")
        try:
            if httpx.get(f"{BASE}/floor/indicators/?page_size=1", timeout=5).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    # Only the process group we started (gunicorn's master and its workers).
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return (f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, PostgreSQL {pg}")


def main() -> None:
    state = load_data.main()
    # Other work on the machine skews every number: say how busy it was.
    load_before = os.getloadavg()[0]
    supervisor = User.objects.get(username="u1")
    _, secret = api_token_create(user=supervisor, name="bench")
    headers = {"Authorization": f"Token {secret}", "Accept": "application/json"}
    plan_ids = list(Plan.objects.values_list("id", flat=True))
    task_ids = list(Task.objects.values_list("id", flat=True))
    # Filtered list: a busy department's off-track and at-risk tasks.
    department = (Task.objects.values_list("lead_department_id", flat=True)
                  .order_by("lead_department_id").first())
    # Random pages among the first 200 (or as many as there are) of each list.
    pages = {"tasks": len(task_ids), "progress-entries": ProgressEntry.objects.count(),
             "indicators": Indicator.objects.count()}
    pages = {k: max(1, min(200, n // PAGE_SIZE)) for k, n in pages.items()}
    connection.close()  # the server opens its own connections

    def get(path):
        return lambda client, rng: client.get(path)

    def paged(path):
        last = pages[path.rstrip("/").rsplit("/", 1)[-1]]
        return lambda client, rng: client.get(
            f"{path}?page_size={PAGE_SIZE}&page={rng.randint(1, last)}")

    filtered = f"department={department}&status=off_track&status=at_risk"
    scenarios = [
        ("tasks list", paged("/api/v1/tasks/"), paged("/floor/tasks/")),
        ("tasks filtered", get(f"/api/v1/tasks/?{filtered}&page_size={PAGE_SIZE}"),
         get(f"/floor/tasks/?{filtered}&page_size={PAGE_SIZE}")),
        ("progress list", paged("/api/v1/progress-entries/"),
         paged("/floor/progress-entries/")),
        ("indicators list", paged("/api/v1/indicators/"), paged("/floor/indicators/")),
        ("task detail", lambda c, rng: c.get(f"/api/v1/tasks/{rng.choice(task_ids)}/"), None),
        ("plan dashboard",
         lambda c, rng: c.get(f"/api/v1/plans/{rng.choice(plan_ids)}/dashboard/"), None),
        ("progress create", lambda c, rng: c.post("/api/v1/progress-entries/", json={
            "task": rng.choice(task_ids), "percent": rng.randint(0, 100),
            "progress_text": "压测报送"}), None),
    ]
    server = start_server()
    rows, comparisons = [], []

    def both(name, make_request) -> dict:
        """One client alone (the request's own cost), then CONCURRENCY at once."""
        alone = measure(name, make_request, headers, threads=1, seconds=SECONDS / 2).row()
        loaded = measure(name, make_request, headers, threads=CONCURRENCY,
                         seconds=SECONDS).row()
        return {"scenario": name, "p50_1": alone["p50_ms"], "p95_1": alone["p95_ms"],
                "requests": loaded["requests"], "errors": alone["errors"] + loaded["errors"],
                "rps": loaded["rps"], "p50_n": loaded["p50_ms"], "p95_n": loaded["p95_ms"]}

    def ratio(a, b):
        return round(a / b, 2) if a and b else None

    try:
        for name, api, floor in scenarios:
            # warm-up pass: caches, connections, imports
            measure(name, api, headers, threads=CONCURRENCY, seconds=min(3, SECONDS))
            api_row = both(name, api)
            rows.append(api_row)
            if floor is not None:
                floor_row = both(f"{name} (floor)", floor)
                rows.append(floor_row)
                comparisons.append({
                    "endpoint": name,
                    "api_p50_1": api_row["p50_1"], "floor_p50_1": floor_row["p50_1"],
                    "ratio_1": ratio(api_row["p50_1"], floor_row["p50_1"]),
                    "api_p50_n": api_row["p50_n"], "floor_p50_n": floor_row["p50_n"],
                    "ratio_n": ratio(api_row["p50_n"], floor_row["p50_n"])})
            print(f"  {api_row}", file=sys.stderr)
    finally:
        stop_server(server)

    n = CONCURRENCY
    print(f"\nData: {json.dumps(state, ensure_ascii=False)}")
    print(f"Machine: {machine()}; load average before/after: {load_before:.1f}/"
          f"{os.getloadavg()[0]:.1f}")
    print(f"Load: 1 client for {SECONDS / 2:g} s, then {n} concurrent clients for {SECONDS:g} s "
          f"(≤ {MAX_REQUESTS} requests) per scenario; gunicorn {WORKERS} sync workers; "
          f"page_size={PAGE_SIZE}\n")
    print(f"| {'scenario':<24} | p50 ms, 1 client | p95 ms, 1 client | p50 ms, {n} clients "
          f"| p95 ms, {n} clients | req/s, {n} clients | errors |")
    print(f"|{'-' * 26}|-----------------:|-----------------:|------------------:"
          f"|------------------:|-------------------:|-------:|")
    for r in rows:
        print(f"| {r['scenario']:<24} | {r['p50_1']!s:>16} | {r['p95_1']!s:>16} | "
              f"{r['p50_n']!s:>17} | {r['p95_n']!s:>17} | {r['rps']!s:>18} | "
              f"{r['errors']:>6} |")
    print(f"\n| {'list endpoint':<16} | API / floor, 1 client (p50 ms) "
          f"| API / floor, {n} clients (p50 ms) |")
    print(f"|{'-' * 18}|-------------------------------:|--------------------------------:|")
    for c in comparisons:
        one = f"{c['ratio_1']} ({c['api_p50_1']} / {c['floor_p50_1']})"
        many = f"{c['ratio_n']} ({c['api_p50_n']} / {c['floor_p50_n']})"
        print(f"| {c['endpoint']:<16} | {one:>30} | {many:>31} |")
    out = load_data.STATE_DIR / f"results-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"data": state, "machine": machine(),
                               "load_average_before": load_before, "rows": rows,
                               "comparisons": comparisons}, ensure_ascii=False, indent=2))
    print(f"\nSaved {out.relative_to(settings.BASE_DIR)}")


if __name__ == "__main__":
    main()
