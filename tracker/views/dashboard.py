"""总览 and 我的任务: where the year stands, and what I owe this cycle."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tracker.rules.permissions import Actor
from tracker.selectors import department_q, plan_dashboard
from tracker.selectors_ui import (
    actor_department_ids,
    group_by_status,
    my_tasks,
    plan_choices,
    recent_progress,
    reporting_cycle,
    starts_on_own_department,
)

from .common import plan_from_request

SCOPES = ("department", "all")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The plan at a glance. Leaders and 督查室 start on the whole district; a member or
    department head starts on their own department and can switch (?scope=all)."""
    today = timezone.localdate()
    plan = plan_from_request(request, today)
    if plan is None:
        return render(request, "tracker/no_plan.html")
    actor = Actor.of(request.user)
    own_ids = actor_department_ids(actor)
    scope_name = request.GET.get("scope")
    if scope_name not in SCOPES:
        scope_name = "department" if starts_on_own_department(actor) else "all"
    if not own_ids:
        scope_name = "all"
    scope = department_q(own_ids) if scope_name == "department" else None
    data = plan_dashboard(plan=plan, today=today, scope=scope)
    return render(request, "tracker/dashboard.html", {
        **data,
        "plans": plan_choices(),
        "scope": scope_name,
        "can_scope": bool(own_ids),
        "own_department": request.user.department,
        "recent": recent_progress(plan=plan, scope=scope),
        "nav": "dashboard",
    })


@login_required
def my_tasks_view(request: HttpRequest) -> HttpResponse:
    """Tasks I am responsible for or my department leads or co-leads, grouped by status,
    marking those that still owe an entry in this reporting cycle."""
    today = timezone.localdate()
    plan = plan_from_request(request, today)
    if plan is None:
        return render(request, "tracker/no_plan.html")
    cycle = reporting_cycle(today)
    tasks = my_tasks(actor=Actor.of(request.user), plan=plan, today=today, cycle=cycle)
    return render(request, "tracker/my_tasks.html", {
        "plan": plan,
        "plans": plan_choices(),
        "today": today,
        "cycle": cycle,
        "late": cycle.is_late(today),
        "groups": group_by_status(tasks),
        "total": len(tasks),
        "needs_update": sum(1 for t in tasks if t.needs_update),
        "nav": "my",
    })
