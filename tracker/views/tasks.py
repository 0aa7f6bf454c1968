"""任务清单 (filtered, sorted, paginated, exportable) and the task page with 报送进展."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tracker.charts import Point, progress_bar, trajectory
from tracker.exports import XLSX_CONTENT_TYPE, tasks_ledger_xlsx
from tracker.filters_ui import TaskUIFilterSet
from tracker.forms import ProgressReportForm
from tracker.models import Task
from tracker.rules.permissions import Actor, TaskOwners, can_report_progress
from tracker.selectors_ui import (
    task_detail,
    task_history,
    task_rows,
    with_latest_entry_texts,
)
from tracker.services.errors import PermissionDenied as ServicePermissionDenied
from tracker.services.errors import ValidationError as ServiceValidationError
from tracker.services.progress import progress_entry_create
from tracker.services.status import task_status_evaluate

from .common import forbidden, plan_from_request

PAGE_SIZE = 50
NOT_ALLOWED = gettext_lazy("您不是该任务的责任人或责任单位成员，不能报送进展。")


def _filterset(request: HttpRequest):
    today = timezone.localdate()
    plan = plan_from_request(request, today)
    data = request.GET.copy()
    # The plan is always explicit in the filters, so the area choices and a shared URL
    # agree on which year's list this is.
    if plan is not None:
        data["plan"] = str(plan.pk)
    return plan, TaskUIFilterSet(data, queryset=task_rows(), today=today, plan=plan)


@login_required
def task_list_view(request: HttpRequest) -> HttpResponse:
    plan, filterset = _filterset(request)
    if plan is None:
        return render(request, "tracker/no_plan.html")
    # get_page() turns a malformed or out-of-range ?page= into a real page, never a 500.
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tracker/task_list.html", {
        "plan": plan,
        "filter": filterset,
        "query": filterset.data,
        "page": page,
        "sort": filterset.form.cleaned_data.get("sort") or "position",
        "nav": "tasks",
    })


@login_required
def task_export_view(request: HttpRequest) -> HttpResponse:
    """The current (filtered, sorted) list as the Excel 台账, every page of it."""
    plan, filterset = _filterset(request)
    if plan is None:
        raise Http404
    tasks = with_latest_entry_texts(filterset.qs)
    today = timezone.localdate()
    content = tasks_ledger_xlsx(tasks, title=_("%(plan)s 任务台账（%(day)s）") % {
        "plan": plan.title, "day": today.isoformat()})
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{_('任务台账')}-{plan.year}-{today.isoformat()}.xlsx")
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def task_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The task page. POST reports progress, for those allowed; others get 403."""
    try:
        task = task_detail(pk=pk)
    except Task.DoesNotExist:
        raise Http404 from None
    today = timezone.localdate()
    may_report = can_report_progress(Actor.of(request.user), TaskOwners.of(task))
    form = None
    if request.method == "POST":
        if not may_report:
            return forbidden(request, str(NOT_ALLOWED))
        form = ProgressReportForm(request.POST, request.FILES, task=task)
        if form.is_valid():
            try:
                entry = progress_entry_create(task=task, author=request.user,
                                              **form.service_kwargs())
            except ServiceValidationError as error:
                form.add_service_errors(error)
            except ServicePermissionDenied as error:
                return forbidden(request, str(error))
            else:
                messages.success(request, _("进展已报送。"))
                return redirect(reverse("ui:task", args=[task.pk]) + f"#entry-{entry.pk}")
    elif may_report:
        form = ProgressReportForm(task=task, initial={"percent": task.percent})

    evaluation = task_status_evaluate(task, today=today)
    indicators = [
        {"indicator": i,
         "readings": list(i.readings.all()),
         "chart": trajectory(
             start=task.start_date, due=i.due_date, target=i.target_value,
             readings=[Point(r.measured_on, r.value) for r in i.readings.all()],
             today=today, unit=i.unit, comparator=i.comparator, direction=i.direction,
             baseline=i.baseline)}
        for i in task.indicators.all()
    ]
    return render(request, "tracker/task_detail.html", {
        "task": task,
        "plan": task.plan,
        "today": today,
        "evaluation": evaluation,
        "progress_chart": progress_bar(task.percent, expected=evaluation.expected_percent),
        "indicators": indicators,
        "entries": list(task.progress_entries.all()),
        "milestones": list(task.milestones.all()),
        "measures": list(task.measures.all()),
        "history": task_history(task=task),
        "may_report": may_report,
        "form": form,
        "files_lost": form is not None and form.is_bound and bool(request.FILES),
        "nav": "tasks",
    })
