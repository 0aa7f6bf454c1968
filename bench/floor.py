"""The floor: the same rows an API list returns, fetched by one `.values()` query and
serialized by a bare Django view. No authentication, no pagination count, no
serializer, and none of the related ids the API adds (a task's co-departments and
measures, an entry's readings: one more query each there): what it costs to get the
rows out of PostgreSQL at all.

The API's number divided by this one is the price of DRF, authentication, pagination
and those related ids.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, JsonResponse

from tracker.filtersets import tasks_of_department
from tracker.models import Indicator, ProgressEntry, Task

TASK_FIELDS = [
    "id", "plan", "area", "parent", "kind", "code", "position", "title", "text",
    "start_date", "deadline", "lead_department", "responsible", "leader",
    "assignment_is_default", "weight", "percent", "last_progress_at", "completed_on",
    "status", "computed_status", "status_override", "status_override_reason",
    "status_override_at", "source_quote", "source_start", "source_end", "created_at",
    "updated_at"]


def _page(request: HttpRequest) -> slice:
    size = min(int(request.GET.get("page_size", 100)), 500)
    page = int(request.GET.get("page", 1))
    return slice((page - 1) * size, page * size)


def _respond(rows) -> JsonResponse:
    return JsonResponse({"results": list(rows)}, encoder=DjangoJSONEncoder,
                        json_dumps_params={"ensure_ascii": False})


def tasks(request: HttpRequest) -> JsonResponse:
    qs = Task.objects.all()
    if "department" in request.GET:
        qs = qs.filter(pk__in=tasks_of_department(int(request.GET["department"])))
    if "status" in request.GET:
        qs = qs.filter(status__in=request.GET.getlist("status"))
    rows = qs.order_by("plan_id", "position", "id").values(*TASK_FIELDS)[_page(request)]
    return _respond(rows)


def progress_entries(request: HttpRequest) -> JsonResponse:
    rows = (ProgressEntry.objects.order_by("-reported_on", "-id")
            .values("id", "task", "author", "reported_on", "percent", "progress_text",
                    "problems_text", "next_steps_text", "self_status", "is_demo",
                    "created_at")[_page(request)])
    return _respond(rows)


def indicators(request: HttpRequest) -> JsonResponse:
    rows = (Indicator.objects.order_by("plan_id", "task_id", "order", "id")
            .values("id", "plan", "task", "code", "order", "name", "unit", "comparator",
                    "direction", "target_value", "baseline", "baseline_year", "due_date",
                    "latest_actual", "latest_actual_on", "source_quote", "created_at",
                    "updated_at")[_page(request)])
    return _respond(rows)
