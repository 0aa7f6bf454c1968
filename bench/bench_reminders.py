"""The reminder sweep at city scale: 100k tasks, 10k people (a benchmark, not a test).

Loads a synthetic data set into its own PostgreSQL database (BENCH_REMINDERS_DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/tracker_bench_reminders; rebuilt each run),
then times the sweep's phases and counts their queries:

* plan (a dry run: reads only), on an ordinary day and on the monthly escalation day,
  with three batch sizes: the queries follow the number of batches, not of items;
* record + attach (deliver="none");
* send (locmem e-mail): one claim and one mark per message, plus a few per chunk;
* the same sweep again: nothing new is sent.

    .venv/bin/python bench/bench_reminders.py [--scale 1.0]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_REMINDERS_DATABASE_URL",
                              "postgres://postgres@127.0.0.1:5432/tracker_bench_reminders")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
os.environ["LOG_LEVEL"] = "WARNING"
os.environ["DEBUG"] = "0"  # as in production: cached templates
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import Department, Role, User  # noqa: E402
from tracker.models import Area, Delivery, Plan, ProgressEntry, Reminder, Task  # noqa: E402
from tracker.services.reminders import reminders_sweep  # noqa: E402

ORDINARY_DAY = dt.date(2026, 6, 10)  # a Wednesday
ESCALATION_DAY = dt.date(2026, 6, 26)  # the first working day after the 25th


def recreate_database() -> None:
    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                         user=db["USER"] or "postgres", password=db["PASSWORD"] or None,
                         dbname="postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
        admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    call_command("migrate", verbosity=0)


def load(scale: float) -> tuple[int, int]:
    rng = random.Random(20260610)
    n_departments, n_people, n_tasks = int(300 * scale) or 1, int(10_000 * scale), \
        int(100_000 * scale)
    departments = Department.objects.bulk_create(
        [Department(name=f"测试单位{i}", short_name=f"单位{i}") for i in range(n_departments)])
    people = User.objects.bulk_create([
        User(username=f"u{i}", display_name=f"用户{i}", email=f"u{i}@example.gov.cn",
             role=Role.MEMBER, department=departments[i % n_departments], password="!")
        for i in range(n_people)], batch_size=5000)
    for department, head in zip(departments, people, strict=False):
        department.head = head
    Department.objects.bulk_update(departments, ["head"])
    leaders = people[-20:]
    plans = [Plan.objects.create(year=2026, region=f"区{i}", title=f"2026年区{i}政府工作报告")
             for i in range(10)]
    areas = [Area.objects.create(plan=plan, order=1, code="A1", title="领域") for plan in plans]
    tasks = []
    for i in range(n_tasks):
        plan_index = i % 10
        deadline = ORDINARY_DAY + dt.timedelta(days=rng.randint(-60, 200))
        owner = people[rng.randrange(n_people)]
        tasks.append(Task(
            plan=plans[plan_index], area=areas[plan_index], code=f"T{i}", position=i + 1,
            title=f"任务{i}", start_date=dt.date(2026, 1, 1), deadline=deadline,
            lead_department_id=owner.department_id, responsible=owner,
            leader=leaders[i % len(leaders)],
            status="done" if rng.random() < 0.15 else "on_track"))
    Task.objects.bulk_create(tasks, batch_size=5000)
    # Half the open tasks reported in June, so the escalation day has work and exceptions.
    entries = [ProgressEntry(task=task, author_id=task.responsible_id,
                             reported_on=dt.date(2026, 6, 5), progress_text="按计划推进")
               for task in tasks if task.status != "done" and rng.random() < 0.5]
    ProgressEntry.objects.bulk_create(entries, batch_size=5000)
    return n_tasks, n_people


class QueryCounter:
    """Counts statements without keeping them (CaptureQueriesContext stops at 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(label: str, run) -> None:
    mail.outbox = []
    queries = QueryCounter()
    with connection.execute_wrapper(queries):
        started = time.perf_counter()
        summary = run()
        seconds = time.perf_counter() - started
    print(f"{label:<44} {seconds:8.2f} s {queries.count:7d} queries  "
          f"{sum(summary.items_per_rule.values()):7d} reminders  "
          f"{len(summary.recipients):6d} people  {summary.new_reminders:7d} new  "
          f"{summary.send.sent:6d} sent  {len(mail.outbox):6d} e-mails")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    recreate_database()
    started = time.perf_counter()
    n_tasks, n_people = load(args.scale)
    print(f"loaded {n_tasks} tasks, {n_people} people in {time.perf_counter() - started:.1f} s "
          f"({connection.vendor})")
    print()
    for day, name in ((ORDINARY_DAY, "ordinary day"), (ESCALATION_DAY, "escalation day")):
        for batch_size in (500, 1000, 5000):
            settings.TRACKER_REMINDER_BATCH_SIZE = batch_size
            measure(f"plan only ({name}, batch {batch_size})",
                    lambda d=day: reminders_sweep(today=d, dry_run=True))
    settings.TRACKER_REMINDER_BATCH_SIZE = 1000
    print()
    for day, name in ((ORDINARY_DAY, "ordinary day"), (ESCALATION_DAY, "escalation day")):
        measure(f"record + attach ({name})",
                lambda d=day: reminders_sweep(today=d, deliver="none"))
        measure(f"send ({name})", lambda d=day: reminders_sweep(today=d))
        measure(f"the same sweep again ({name})", lambda d=day: reminders_sweep(today=d))
    print()
    print(f"rows: {Reminder.objects.count()} reminders, {Delivery.objects.count()} deliveries")


if __name__ == "__main__":
    main()
