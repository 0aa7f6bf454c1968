"""A pg_dump of the database restores into an empty database with nothing lost: the
whole plan (plans, areas, tasks, indicators, milestones, progress entries, readings,
evidence records, status decisions), its history, people and departments.

Uses the PostgreSQL client programs the README's "Backup and restore" section uses.
Without them this skips with the reason, except in CI (CI=true), where it fails.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from decimal import Decimal
from urllib.parse import quote

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from psycopg import sql

from tests.factories import (
    AreaFactory,
    DepartmentFactory,
    IndicatorFactory,
    MilestoneFactory,
    PlanFactory,
    TaskFactory,
    UserFactory,
)
from tests.production.conftest import PDF
from tracker.services.progress import progress_entry_create
from tracker.services.status import task_status_override

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Tables that must not be empty, so "nothing lost" is about real rows.
KEY_TABLES = [
    "tracker_plan", "tracker_area", "tracker_task", "tracker_task_co_departments",
    "tracker_indicator", "tracker_milestone", "tracker_progressentry",
    "tracker_indicatorreading", "tracker_evidence", "tracker_statusoverride",
    "tracker_historicalplan", "tracker_historicaltask", "tracker_historicalindicator",
    "accounts_user", "accounts_department", "accounts_historicaluser",
]


@pytest.fixture
def client_programs(requires_postgres) -> dict[str, str]:
    found = {name: shutil.which(name) for name in ("pg_dump", "pg_restore")}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        message = (f"{', '.join(missing)} not found: install the PostgreSQL client "
                   f"(Debian: apt-get install postgresql-client)")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; CI runs the backup test.")
        pytest.skip(message)
    return found


def url_for(dbname: str) -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{dbname}"


@pytest.fixture
def empty_database(client_programs) -> str:
    """A fresh, empty database next to the test database; dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore"
    with psycopg.connect(url_for("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(url_for("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


@pytest.fixture
def a_year_of_work(time_machine):
    """A plan as it stands mid-year: owners, targets, milestones, reports with readings
    and files, a status decision, and the history all of that wrote."""
    time_machine.move_to(dt.datetime(2023, 7, 1, 10, tzinfo=dt.UTC), tick=False)
    department = DepartmentFactory(short_name="发改局", name="区发展和改革局")
    partner = DepartmentFactory(short_name="财政局", name="区财政局")
    supervisor = UserFactory(username="duchashi", role="supervisor", is_staff=True)
    member = UserFactory(username="fgj", role="member", department=department,
                         display_name="刘洋")
    plan = PlanFactory(year=2023, title="2023年沙河口区政府工作报告")
    IndicatorFactory(plan=plan, task=None, name="地区生产总值增长", unit="%")
    for a in range(2):
        area = AreaFactory(plan=plan, order=a + 1, code=f"A{a + 1}")
        for t in range(3):
            task = TaskFactory(area=area, lead_department=department, responsible=member,
                               title=f"任务{a}-{t}：推进重点项目👍")
            task.co_departments.add(partner)
            indicator = IndicatorFactory(task=task, plan=plan, target_value=40, unit="个")
            MilestoneFactory(task=task, order=1, due_date=dt.date(2023, 6, 30))
            progress_entry_create(
                task=task, author=member, percent=20 + t, progress_text="已开工 16 个项目",
                indicator=indicator, actual_value=Decimal("16.5"),
                evidence_files=[SimpleUploadedFile("开工清单.pdf", PDF, "application/pdf")])
    task_status_override(task=task, actor_user=supervisor, status="at_risk",
                         reason="征地进度滞后")


def snapshot(url: str) -> dict[str, tuple[int, str]]:
    """Every table of the public schema: its row count and an md5 of all its rows."""
    out = {}
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
        for table in tables:
            count, digest = conn.execute(sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                " FROM {} AS t").format(sql.Identifier(table))).fetchone()
            out[table] = (count, digest)
        sequences = conn.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            " ORDER BY 1").fetchall()
        out["(sequences)"] = (len(sequences), repr(sequences))
    return out


def test_a_dump_restores_into_an_empty_database_with_nothing_lost(
        a_year_of_work, client_programs, empty_database, tmp_path):
    source = url_for(connection.settings_dict["NAME"])
    dump = tmp_path / "tracker.dump"
    # The README's commands: a custom-format dump, restored without owners.
    subprocess.run([client_programs["pg_dump"], "--format=custom", "--no-owner",
                    f"--file={dump}", f"--dbname={source}"], check=True, timeout=300)
    subprocess.run([client_programs["pg_restore"], "--no-owner", "--exit-on-error",
                    f"--dbname={url_for(empty_database)}", str(dump)],
                   check=True, timeout=300)

    before, after = snapshot(source), snapshot(url_for(empty_database))
    for table in KEY_TABLES:
        assert before[table][0] > 0, f"{table} is empty: the test proves nothing about it"
    assert after.keys() == before.keys()
    differing = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
    assert differing == {}
    # The restored database carries on: its sequences continue, not restart.
    assert before["(sequences)"] == after["(sequences)"]
