"""Department and indicator pages, and evidence downloads behind a permission check."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department
from tracker.charts import Point, status_stack, trajectory
from tracker.choices import Status
from tracker.models import Evidence, Indicator
from tracker.rules.permissions import Actor, can_view_plan
from tracker.selectors_ui import (
    department_tasks,
    evidence_for_download,
    indicator_detail,
    plan_choices,
)

from .common import forbidden, plan_from_request


@login_required
def department_view(request: HttpRequest, pk: int) -> HttpResponse:
    department = Department.objects.select_related("head").filter(pk=pk).first()
    if department is None:
        raise Http404
    today = timezone.localdate()
    plan = plan_from_request(request, today)
    if plan is None:
        return render(request, "tracker/no_plan.html")
    tasks = department_tasks(department=department, plan=plan)
    counts = {s: 0 for s in Status.values}
    for task in tasks:
        counts[task.status] += 1
    overdue = [t for t in tasks if t.deadline < today and t.status != Status.DONE]
    return render(request, "tracker/department.html", {
        "department": department,
        "plan": plan,
        "plans": plan_choices(),
        "today": today,
        "tasks": tasks,
        "led": [t for t in tasks if t.lead_department_id == department.pk],
        "co_led": [t for t in tasks if t.lead_department_id != department.pk],
        "counts": counts,
        "total": len(tasks),
        "overdue": overdue,
        "stack": status_stack(counts),
        "nav": "dashboard",
    })


@login_required
def indicator_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        indicator = indicator_detail(pk=pk)
    except Indicator.DoesNotExist:
        raise Http404 from None
    today = timezone.localdate()
    readings = list(indicator.readings.all())
    start = indicator.task.start_date if indicator.task else dt.date(indicator.plan.year, 1, 1)
    chart = trajectory(
        start=start, due=indicator.due_date, target=indicator.target_value,
        readings=[Point(r.measured_on, r.value) for r in readings], today=today,
        unit=indicator.unit, comparator=indicator.comparator, direction=indicator.direction,
        baseline=indicator.baseline)
    return render(request, "tracker/indicator.html", {
        "indicator": indicator,
        "plan": indicator.plan,
        "readings": list(reversed(readings)),
        "chart": chart,
        "today": today,
        "nav": "dashboard",
    })


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Serve an evidence file to a user who may see its task. There is no public media
    URL: files leave the server only through this check."""
    try:
        evidence = evidence_for_download(pk=pk)
    except Evidence.DoesNotExist:
        raise Http404 from None
    if not can_view_plan(Actor.of(request.user)):
        return forbidden(request, _("您无权查看该材料。"))
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("文件已不存在。")) from None
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name)


