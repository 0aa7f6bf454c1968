"""Load the departments and the demo data under fixtures/.

Departments are real reference data. Users, owners and progress from the demo files are
labelled demo (is_demo on progress) and are never written by seed_report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Department, Role, User
from accounts.services import department_upsert, user_upsert
from tracker.models import Indicator, Plan, ProgressEntry, Task

from .progress import indicator_reading_create, progress_entry_create

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


class FixtureError(Exception):
    pass


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FixtureError(f"{path}: cannot read: {exc}".splitlines()[0]) from None
    if not isinstance(data, dict):
        raise FixtureError(f"{path}: expected a mapping at the top level")
    return data


@transaction.atomic
def departments_load(path: Path = FIXTURES / "departments.yaml") -> int:
    """Create or update the district's departments; return how many were created."""
    created = 0
    for i, item in enumerate(_read(path).get("departments") or []):
        if not isinstance(item, dict) or not item.get("short_name") or not item.get("name"):
            raise FixtureError(f"{path}: departments[{i}]: needs short_name and name")
        created += department_upsert(short_name=item["short_name"], name=item["name"])[1]
    return created


@dataclass
class DemoLogin:
    username: str
    password: str
    role: str
    display_name: str


@transaction.atomic
def demo_users_load(path: Path = FIXTURES / "demo_users.yaml") -> list[DemoLogin]:
    data = _read(path)
    password = data.get("password")
    logins: list[DemoLogin] = []
    for i, item in enumerate(data.get("users") or []):
        department = None
        if item.get("department"):
            department = Department.objects.filter(short_name=item["department"]).first()
            if department is None:
                raise FixtureError(f"{path}: users[{i}]: unknown department "
                                   f"{item['department']}")
        user, _ = user_upsert(username=item["username"], role=item["role"], password=password,
                              department=department,
                              display_name=item.get("display_name", ""),
                              email=f"{item['username']}@example.gov.cn")
        logins.append(DemoLogin(user.username, password, user.get_role_display(),
                                user.display_name))
    return logins


@transaction.atomic
def demo_owners_assign(*, plan: Plan) -> int:
    """Give tasks without a responsible person a demo one from their lead department, and
    the demo leader as leader in charge, so every item has owners to remind."""
    members = {}
    for user in User.objects.filter(role__in=[Role.MEMBER, Role.DEPARTMENT_HEAD]).order_by(
            "role", "id"):
        # Prefer a member over the head as the responsible person.
        if user.role == Role.MEMBER or user.department_id not in members:
            members.setdefault(user.department_id, user)
    leader = User.objects.filter(role=Role.LEADER).order_by("id").first()
    changed = 0
    for task in Task.objects.filter(plan=plan).order_by("position"):
        responsible = task.responsible or members.get(task.lead_department_id)
        task_leader = task.leader or leader
        if (responsible, task_leader) != (task.responsible, task.leader):
            task.responsible, task.leader = responsible, task_leader
            task._change_reason = "demo owners"
            task.save(update_fields=["responsible", "leader", "updated_at"])
            changed += 1
    return changed


def demo_progress_load(*, plan: Plan, path: Path = FIXTURES / "demo_progress.yaml",
                       today: dt.date | None = None) -> int:
    """Write the demo progress entries onto `plan`, once: skipped when the plan has some."""
    if ProgressEntry.objects.filter(task__plan=plan, is_demo=True).exists():
        return 0
    today = today or timezone.localdate()
    year_start = dt.date(plan.year, 1, 1)
    created = 0
    data = _read(path)

    def day(item: dict) -> dt.date:
        return max(year_start, min(today, today - dt.timedelta(
            days=int(item.get("days_ago", 0)))))

    with transaction.atomic():
        # Headline targets (GDP growth and the like) are reported as readings, usually by
        # the statistics bureau, with no task in between.
        for i, item in enumerate(data.get("headline_readings") or []):
            indicator = Indicator.objects.filter(plan=plan, task=None,
                                                 code=item.get("indicator")).first()
            author = User.objects.filter(username=item.get("author")).first()
            if indicator is None or author is None:
                raise FixtureError(f"{path}: headline_readings[{i}]: unknown indicator or "
                                   "author")
            indicator_reading_create(indicator=indicator, value=Decimal(str(item["value"])),
                                     measured_on=day(item), author=author,
                                     note=item.get("note", ""), is_demo=True)
        for i, item in enumerate(data.get("entries") or []):
            task = Task.objects.filter(plan=plan, code=item.get("task")).first()
            author = User.objects.filter(username=item.get("author")).first()
            if task is None or author is None:
                raise FixtureError(f"{path}: entries[{i}]: unknown task or author")
            reported_on = day(item)
            actual = item.get("actual")
            progress_entry_create(
                task=task, author=author, reported_on=reported_on,
                percent=item.get("percent"), progress_text=item.get("progress", ""),
                problems_text=item.get("problems", ""), next_steps_text=item.get("next", ""),
                actual_value=None if actual is None else Decimal(str(actual)), is_demo=True,
            )
            created += 1
    return created
