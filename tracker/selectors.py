"""Selectors: reads shared by the admin, the web UI, the API and the reminders.

Querysets are always ordered, and fetch up front what their callers read (each
select_related / prefetch_related names the field that reads it), so a list runs the
same number of queries at any length.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from tracker.choices import Status
from tracker.models import Task
from tracker.rules.permissions import Actor


def overdue_q(today: dt.date) -> Q:
    """Past the deadline and not done: the one definition of 逾期 used everywhere."""
    return Q(deadline__lt=today) & ~Q(status=Status.DONE)


def department_q(department_ids) -> Q:
    """Tasks a department leads or co-leads."""
    return Q(lead_department_id__in=department_ids) | Q(co_departments__id__in=department_ids)


def task_list(*, actor: Actor | None = None, own_department_only: bool = False) -> QuerySet[Task]:
    """Tasks for lists: with what list rows show (plan, area, owners) fetched up front.

    With `own_department_only`, only tasks the actor's department leads or co-leads, or
    where they are the responsible person (department heads in the admin, "my tasks").
    """
    qs = Task.objects.select_related(
        "plan",  # list columns show the plan
        "area",  # and the area
        "parent",  # a measure shows its key task
        "lead_department",  # 责任单位 column
        "responsible",  # 责任人 column
        "leader",  # 分管领导 column
    ).prefetch_related(
        "co_departments",  # 配合单位 column and TaskOwners.of()
    )
    if own_department_only and actor is not None:
        ids = set(actor.head_of)
        if actor.department_id is not None:
            ids.add(actor.department_id)
        scope = department_q(ids)
        if actor.user_id is not None:
            scope |= Q(responsible_id=actor.user_id)
        # A task can match through several co-departments; filter by id to stay distinct.
        qs = qs.filter(pk__in=Task.objects.filter(scope).values("pk"))
    return qs.order_by("plan_id", "position")


# ---------------------------------------------------------------- dashboards

def _status_counts(rows, key: str) -> dict:
    """Fold (key, status, n) rows into {key: {status: n, ..., "total": n}}."""
    # Status.values is computed on every access (~40 µs): read it once, not per row; a
    # city plan's department table folds over a thousand rows.
    statuses = Status.values
    out: dict = {}
    for row in rows:
        bucket = out.get(row[key])
        if bucket is None:
            bucket = out[row[key]] = dict.fromkeys(statuses, 0) | {"total": 0}
        bucket[row["status"]] += row["n"]
        bucket["total"] += row["n"]
    return out


def plan_dashboard(*, plan, today: dt.date, due_soon_days: int | None = None,
                   list_limit: int = 20, scope: Q | None = None) -> dict:
    """Where a plan stands, aggregated in the database (a fixed number of queries).

    Returns counts by status overall, by area (with the weighted mean percent of its key
    tasks) and by lead department; each headline target with its latest actual; and the
    most urgent overdue and due-soon tasks.
    """
    from django.conf import settings
    from django.db.models import Count, F, Sum

    from tracker.models import Area, Indicator

    if due_soon_days is None:
        due_soon_days = settings.TRACKER_DUE_SOON_DAYS
    tasks = Task.objects.filter(plan=plan)
    if scope is not None:
        # Only the tasks in `scope` (e.g. department_q for a department's view). A scope
        # through co_departments can match a task twice, so filter by id to count it once.
        tasks = tasks.filter(pk__in=Task.objects.filter(scope).values("pk"))
    overall = {s: 0 for s in Status.values}
    for row in tasks.values("status").annotate(n=Count("id")).order_by():
        overall[row["status"]] = row["n"]
    overall["total"] = sum(overall.values())
    overall["overdue"] = tasks.filter(overdue_q(today)).count()

    by_area = _status_counts(tasks.values("area_id", "status").annotate(n=Count("id"))
                             .order_by(), "area_id")
    # Roll-up percent: weighted mean over key tasks (measures roll into their key task).
    weighted = {
        row["area_id"]: row for row in tasks.filter(parent__isnull=True)
        .values("area_id").annotate(w=Sum("weight"), wp=Sum(F("weight") * F("percent")))
        .order_by()
    }
    areas = []
    for area in Area.objects.filter(plan=plan).order_by("order"):
        roll = weighted.get(area.pk)
        percent = round(roll["wp"] / roll["w"]) if roll and roll["w"] else 0
        areas.append({"area": area, "percent": percent,
                      "counts": by_area.get(area.pk, {s: 0 for s in Status.values}
                                            | {"total": 0})})

    by_department = _status_counts(
        tasks.values("lead_department_id", "status").annotate(n=Count("id")).order_by(),
        "lead_department_id")
    from accounts.models import Department

    departments = [
        {"department": d, "counts": by_department[d.pk]}
        for d in Department.objects.filter(pk__in=[k for k in by_department if k]).order_by("id")
    ]

    headline = list(Indicator.objects.filter(plan=plan, task__isnull=True).order_by("order",
                                                                                     "id"))
    soon = today + dt.timedelta(days=due_soon_days)
    listed = task_list().filter(plan=plan)
    if scope is not None:
        listed = listed.filter(pk__in=tasks.values("pk"))
    return {
        "plan": plan,
        "today": today,
        "counts": overall,
        "areas": areas,
        "departments": departments,
        "headline_targets": headline,
        "overdue": list(listed.filter(overdue_q(today)).order_by("deadline", "position")
                        [:list_limit]),
        "due_soon": list(listed.filter(deadline__gte=today, deadline__lte=soon)
                         .exclude(status=Status.DONE).order_by("deadline", "position")
                         [:list_limit]),
    }
