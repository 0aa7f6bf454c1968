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
