"""Load a city-sized synthetic data set into the bench PostgreSQL database, fast.

At BENCH_SCALE=1 (the default): 300 departments, 10k users, 20 plans (10 districts × 2
years), 100k tasks (a fifth key tasks, the rest measures), ~100k co-department links,
~40k indicators, 40k milestones, 1M progress entries and 200k indicator readings.

Rows go in with COPY (psycopg's copy.write_row), not the ORM: a million rows take
seconds instead of minutes. The data is deterministic (seeded), so runs compare.

    python -m bench.load_data            # create/migrate the database, load if needed
    BENCH_RELOAD=1 python -m bench.load_data
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Model  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Department, Role, User  # noqa: E402
from accounts.tokens import ApiToken  # noqa: E402
from tracker.models import (  # noqa: E402
    Area,
    Indicator,
    IndicatorReading,
    Milestone,
    Plan,
    ProgressEntry,
    Task,
)

STATE_DIR = Path(settings.BASE_DIR) / "var" / "bench"
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
SEED = 20230228
REGIONS = ["中山区", "西岗区", "沙河口区", "甘井子区", "旅顺口区", "金州区", "普兰店区",
           "瓦房店市", "庄河市", "长海县"]
YEARS = [2023, 2024]
STATUSES = ["off_track", "at_risk", "on_track", "not_started", "done"]
STATUS_WEIGHTS = [8, 12, 55, 10, 15]
VERBS = ["推进", "实施", "加快", "深化", "完善", "建设", "优化", "提升", "落实", "开展"]
OBJECTS = ["老旧小区改造", "重点项目建设", "营商环境", "城市更新", "乡村振兴", "数字政府",
           "科技创新平台", "民生实事", "生态环境治理", "产业园区", "招商引资", "社区养老服务",
           "中小学校建设", "智慧交通", "海洋经济", "安全生产", "河湖长制", "保障性住房"]
UNITS = ["个", "万人", "亿元", "%", "公里", "户", "项"]


def expected_counts() -> dict[str, int]:
    tasks = int(100_000 * SCALE)
    # At least enough users for the departments' heads and some members.
    return {"users": max(int(10_000 * SCALE), 1000),
            "tasks": tasks - tasks % (len(REGIONS) * len(YEARS) * 5),
            "entries_per_task": 10}


def _title(rng: random.Random) -> str:
    return f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}{rng.randint(1, 99)}项"


def _text(rng: random.Random, words: int) -> str:
    return "，".join(f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}" for _ in range(words)) + "。"


def copy_rows(model: type[Model], columns: list[str], rows: Iterable[tuple]) -> int:
    """COPY rows into the model's table; `columns` are database column names."""
    table = model._meta.db_table
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's cursor: Django's wrapper has no copy()
        quoted = ", ".join(f'"{c}"' for c in columns)  # "order" is a reserved word
        with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def _reset_sequences(models: list[type[Model]]) -> None:
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"COALESCE((SELECT MAX(id) FROM {table}), 1))")


def ensure_database() -> None:
    """Create the bench database when it does not exist, then migrate it."""
    import psycopg

    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                         user=db["USER"] or "postgres", password=db["PASSWORD"] or None,
                         dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                              [db["NAME"]]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", verbosity=0, interactive=False)


def marker_path() -> Path:
    return STATE_DIR / f"loaded-{settings.DATABASES['default']['NAME']}.json"


def is_loaded() -> bool:
    marker = marker_path()
    if not marker.exists():
        return False
    state = json.loads(marker.read_text())
    return (state.get("scale") == SCALE
            and state.get("database") == settings.DATABASES["default"]["NAME"]
            and Task.objects.count() == state.get("tasks"))


def load() -> dict:
    name = settings.DATABASES["default"]["NAME"]
    if "bench" not in name:
        # The load starts by emptying every table: only ever in a database made for it.
        raise SystemExit(f"Refusing to load into {name!r}: the bench database's name must "
                         "contain 'bench' (see BENCH_DATABASE_URL).")
    rng = random.Random(SEED)
    counts = expected_counts()
    now = timezone.now()
    started = time.perf_counter()
    tables = [IndicatorReading, ProgressEntry, Milestone, Indicator, Task.co_departments.through,
              Task, Area, Plan, ApiToken, User, Department]
    with connection.cursor() as cursor:
        names = ", ".join(m._meta.db_table for m in tables)
        # Department.head points at users and users at departments: truncate together.
        cursor.execute(f"TRUNCATE {names}, {Task.history.model._meta.db_table}, "
                       f"{Indicator.history.model._meta.db_table} RESTART IDENTITY CASCADE")

    # 1. Departments and users.
    n_departments = 300
    copy_rows(Department, ["id", "name", "short_name"],
              ((i, f"第{i}测试局", f"测{i}局") for i in range(1, n_departments + 1)))
    password = make_password("bench-password")
    n_users = counts["users"]
    leaders = list(range(2, 52))
    supervisors = [1, *range(52, 102)]

    def users() -> Iterator[tuple]:
        for i in range(1, n_users + 1):
            if i in supervisors:
                role, department = Role.SUPERVISOR, 1
            elif 2 <= i < 52:
                role, department = Role.LEADER, None
            elif i < 102 + n_departments:
                role, department = Role.DEPARTMENT_HEAD, i - 101
            else:
                role, department = Role.MEMBER, rng.randint(1, n_departments)
            yield (i, password, False, f"u{i}", "", "", "", role != Role.MEMBER, True, now,
                   f"用户{i}", role, department, "")

    copy_rows(User, ["id", "password", "is_superuser", "username", "first_name", "last_name",
                     "email", "is_staff", "is_active", "date_joined", "display_name", "role",
                     "department_id", "phone"], users())
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Department._meta.db_table} SET head_id = id + 101")

    # 2. Plans and areas.
    plans = [(len(YEARS) * r + y + 1, year, region)
             for r, region in enumerate(REGIONS) for y, year in enumerate(YEARS)]
    copy_rows(Plan, ["id", "year", "region", "title", "source_text", "created_at",
                     "updated_at"],
              ((pid, year, region, f"{year}年{region}政府工作报告", "", now, now)
               for pid, year, region in plans))
    copy_rows(Area, ["id", "plan_id", "order", "code", "title", "source_quote"],
              (((pid - 1) * 8 + a, pid, a, f"({a})", f"工作领域{a}", "")
               for pid, _, _ in plans for a in range(1, 9)))

    # 3. Tasks: per plan, key tasks each followed by four measures.
    per_plan = counts["tasks"] // len(plans)
    task_rows: list[tuple] = []
    co_rows: list[tuple] = []
    task_meta: list[tuple[int, int, int, bool]] = []  # id, year, percent, is_measure
    task_id = 0
    for pid, year, _ in plans:
        position = 0
        for k in range(per_plan // 5):
            area = (pid - 1) * 8 + 1 + k % 8
            parent_id = None
            for m in range(5):
                task_id += 1
                position += 1
                is_measure = m > 0
                if not is_measure:
                    parent_id = task_id
                status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
                percent = 100 if status == "done" else rng.randint(0, 95)
                deadline = dt.date(year, rng.randint(3, 12), 28)
                lead = rng.randint(1, n_departments)
                task_rows.append((
                    task_id, pid, area, parent_id if is_measure else None,
                    "measure" if is_measure else "key_task",
                    f"K{k + 1}-{m}" if is_measure else f"K{k + 1}", position, _title(rng),
                    _text(rng, 6), dt.date(year, 1, 1), deadline, lead,
                    rng.randint(102 + n_departments, n_users), rng.choice(leaders), False,
                    1, percent, now, deadline if status == "done" else None, status, status,
                    "", "", "", now, now))
                task_meta.append((task_id, year, percent, is_measure))
                for co in rng.sample(range(1, n_departments + 1), rng.choice([0, 1, 1, 2])):
                    if co != lead:
                        co_rows.append((task_id, co))
    copy_rows(Task, ["id", "plan_id", "area_id", "parent_id", "kind", "code", "position",
                     "title", "text", "start_date", "deadline", "lead_department_id",
                     "responsible_id", "leader_id", "assignment_is_default", "weight",
                     "percent", "last_progress_at", "completed_on", "status",
                     "computed_status", "status_override", "status_override_reason",
                     "source_quote", "created_at", "updated_at"], task_rows)
    through = Task.co_departments.through
    copy_rows(through, ["task_id", "department_id"], co_rows)
    task_plan = {row[0]: row[1] for row in task_rows}
    del task_rows, co_rows

    # 4. Indicators (every other measure, plus ten headline targets per plan), milestones.
    indicator_of: dict[int, int] = {}
    indicator_rows = []
    iid = 0
    for pid, year, _ in plans:
        for h in range(10):
            iid += 1
            indicator_rows.append((iid, pid, None, f"H{h + 1}", h, f"主要预期目标{h + 1}", "%",
                                   "gte", "increase", 6, dt.date(year, 12, 31), now, now, "",
                                   ""))
    for tid, year, _, is_measure in task_meta:
        if is_measure and tid % 2 == 0:
            iid += 1
            indicator_of[tid] = iid
            indicator_rows.append((iid, task_plan[tid], tid, f"I{tid}", 0, _title(rng),
                                   rng.choice(UNITS), "gte", "increase", rng.randint(5, 500),
                                   dt.date(year, 12, 31), now, now, "", ""))
    copy_rows(Indicator, ["id", "plan_id", "task_id", "code", "order", "name", "unit",
                          "comparator", "direction", "target_value", "due_date",
                          "created_at", "updated_at", "baseline_quote", "source_quote"],
              indicator_rows)
    del indicator_rows
    copy_rows(Milestone, ["id", "task_id", "order", "title", "due_date"],
              ((2 * i + q + 1, tid, q + 1, f"第{q + 1}节点", dt.date(year, 6 * q + 6, 28))
               for i, (tid, year, _, is_measure) in enumerate(
                   t for t in task_meta if not t[3]) for q in range(2)))

    # 5. Progress entries (ten per task over the year) and readings on every other entry.
    entries_per_task = counts["entries_per_task"]
    reading_rows: list[tuple] = []

    def entries() -> Iterator[tuple]:
        eid = 0
        for tid, year, percent, _ in task_meta:
            for n in range(entries_per_task):
                eid += 1
                reported = dt.date(year, 1 + n, rng.randint(1, 28))
                yield (eid, tid, rng.randint(102, n_users), reported,
                       percent * (n + 1) // entries_per_task, _text(rng, 2), "", "", "",
                       False, now)
                if tid in indicator_of and n % 2 == 1:
                    reading_rows.append((indicator_of[tid], eid, reported,
                                         rng.randint(0, 500), "", 1, False, now))

    n_entries = copy_rows(ProgressEntry, [
        "id", "task_id", "author_id", "reported_on", "percent", "progress_text",
        "problems_text", "next_steps_text", "self_status", "is_demo", "created_at"], entries())
    copy_rows(IndicatorReading, ["indicator_id", "entry_id", "measured_on", "value", "note",
                                 "author_id", "is_demo", "created_at"], reading_rows)

    _reset_sequences([Department, User, Plan, Area, Task, Indicator, Milestone, ProgressEntry,
                      IndicatorReading, through])
    # Fresh statistics and visibility maps, as a long-running database would have.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    state = {"scale": SCALE, "database": settings.DATABASES["default"]["NAME"],
             "departments": n_departments, "users": n_users, "plans": len(plans),
             "tasks": len(task_meta), "indicators": iid, "progress_entries": n_entries,
             "indicator_readings": len(reading_rows),
             "load_seconds": round(time.perf_counter() - started, 1)}
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    marker_path().write_text(json.dumps(state, ensure_ascii=False, indent=2))
    return state


def main() -> dict:
    ensure_database()
    if is_loaded() and os.environ.get("BENCH_RELOAD") != "1":
        state = json.loads(marker_path().read_text())
        print(f"Data already loaded: {state}", file=sys.stderr)
        return state
    print(f"Loading the synthetic data set at scale {SCALE} …", file=sys.stderr)
    state = load()
    print(f"Loaded: {state}", file=sys.stderr)
    return state


if __name__ == "__main__":
    main()
