"""ViewSets: thin. Reads come from querysets that fetch exactly what the serializer reads
(each prefetch names its field), always ordered; writes validate with an input
serializer, call one service, and answer with the output serializer.

Every list runs a fixed number of queries whatever its page size (pinned in
tests/api/test_query_counts.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Department, User
from accounts.tokens import ApiToken
from tracker import filtersets
from tracker.choices import Status
from tracker.models import (
    Area,
    DeliveryItem,
    Indicator,
    IndicatorReading,
    Milestone,
    Plan,
    ProgressEntry,
    Reminder,
    Task,
)
from tracker.rules.permissions import Actor, can_edit_plan, can_override_status
from tracker.selectors import overdue_q, plan_dashboard
from tracker.services.progress import progress_entry_create
from tracker.services.status import task_status_override
from tracker.services.tasks import (
    indicator_create,
    indicator_reading_record,
    indicator_update,
    task_assign,
    task_create,
    task_update,
)

from . import schema as _schema  # noqa: F401  (registers the token auth scheme)
from . import serializers as s
from .permissions import PlanEditorWrites, ReminderLogReaders, TokenScope

DASHBOARD_LIST_LIMIT = 20
ERROR_RESPONSES = {
    400: OpenApiResponse(s.ErrorSerializer, description="Bad input: `errors` names each field."),
    401: OpenApiResponse(s.ErrorSerializer, description="Missing or wrong credentials."),
    403: OpenApiResponse(s.ErrorSerializer, description="Not allowed."),
}


# ---------------------------------------------------------------- accounts

class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Department.objects.order_by("id")
    serializer_class = s.DepartmentSerializer
    filterset_class = filtersets.DepartmentFilterSet


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = User.objects.filter(is_active=True).order_by("id")
    serializer_class = s.UserSerializer
    filterset_class = filtersets.UserFilterSet


class MeView(APIView):
    """The signed-in user, with what they may do."""

    @extend_schema(responses=s.MeSerializer)
    def get(self, request: Request) -> Response:
        user = request.user
        actor = Actor.of(user)
        user.can_edit_plan = can_edit_plan(actor)
        user.can_override_status = can_override_status(actor)
        token = request.auth
        user.token_read_only = token.read_only if isinstance(token, ApiToken) else None
        return Response(s.MeSerializer(user).data)


# ---------------------------------------------------------------- plans and areas

class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    filterset_class = filtersets.PlanFilterSet

    def get_queryset(self) -> QuerySet[Plan]:
        qs = Plan.objects.order_by("-year", "region", "id")
        if self.action != "retrieve":
            qs = qs.defer("source_text")  # the full report text is for the detail only
        return qs

    def get_serializer_class(self):
        return s.PlanDetailSerializer if self.action == "retrieve" else s.PlanSerializer

    @extend_schema(responses=s.DashboardSerializer, filters=False)
    @action(detail=True, filter_backends=[], pagination_class=None)
    def dashboard(self, request: Request, pk: str | None = None) -> Response:
        """Counts by status, by area and by lead department; headline targets against
        their latest actuals; the most urgent overdue and due-soon tasks."""
        plan, today = self.get_object(), timezone.localdate()
        # The selector's own urgent lists join six tables for the web page's columns;
        # the API shows ids only, so it asks for none and reads the two lists leanly.
        data = plan_dashboard(plan=plan, today=today, list_limit=0)
        soon = today + dt.timedelta(days=settings.TRACKER_DUE_SOON_DAYS)
        tasks = Task.objects.filter(plan=plan).only(*s.DashboardTaskSerializer.Meta.fields)
        data["overdue"] = list(tasks.filter(overdue_q(today))
                               .order_by("deadline", "position")[:DASHBOARD_LIST_LIMIT])
        data["due_soon"] = list(tasks.filter(deadline__gte=today, deadline__lte=soon)
                                .exclude(status=Status.DONE)
                                .order_by("deadline", "position")[:DASHBOARD_LIST_LIMIT])
        return Response(s.dashboard_representation(data))


class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Area.objects.order_by("plan_id", "order", "id")
    serializer_class = s.AreaSerializer
    filterset_class = filtersets.AreaFilterSet


# ---------------------------------------------------------------- tasks

def task_queryset(*, detail: bool) -> QuerySet[Task]:
    """Tasks, ordered; with `detail`, with what TaskDetailSerializer nests. Both
    serializers also read the id lists that attach_task_ids sets."""
    qs = Task.objects.order_by("plan_id", "position", "id")
    if not detail:
        return qs
    return qs.prefetch_related(
        Prefetch("measures", queryset=Task.objects.order_by("position"),
                 to_attr="measure_list"),  # measures
        Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "order")),
        Prefetch("indicators", queryset=Indicator.objects.order_by("order", "id")),
    )


def attach_task_ids(tasks: list[Task]) -> list[Task]:
    """Set `co_department_ids` and `measure_ids` on each task: two queries for any number
    of tasks, reading bare ids (values_list). prefetch_related would build a model
    instance per related row and a related manager and queryset per task, which made up
    half the time of a page of 100 tasks."""
    ids = [task.pk for task in tasks]
    co: dict[int, list[int]] = defaultdict(list)
    through = Task.co_departments.through.objects.filter(task_id__in=ids)
    for task_id, department_id in through.order_by("department_id").values_list(
            "task_id", "department_id"):
        co[task_id].append(department_id)
    measures: dict[int, list[int]] = defaultdict(list)
    if all(hasattr(task, "measure_list") for task in tasks):
        # The detail queryset already prefetched the measures themselves.
        measures.update({task.pk: [m.pk for m in task.measure_list] for task in tasks})
    else:
        for parent_id, measure_id in Task.objects.filter(parent_id__in=ids).order_by(
                "position").values_list("parent_id", "id"):
            measures[parent_id].append(measure_id)
    for task in tasks:
        task.co_department_ids = co[task.pk]
        task.measure_ids = measures[task.pk]
    return tasks


@extend_schema_view(
    create=extend_schema(request=s.TaskCreateInputSerializer,
                         responses={201: s.TaskDetailSerializer, **ERROR_RESPONSES}),
    partial_update=extend_schema(request=s.TaskUpdateInputSerializer,
                                 responses={200: s.TaskDetailSerializer, **ERROR_RESPONSES}),
)
class TaskViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin,
                  viewsets.ReadOnlyModelViewSet):
    """Key tasks and their measures. Supervisors create and change them; a full PUT is
    not offered (PATCH what changes)."""

    filterset_class = filtersets.TaskFilterSet
    permission_classes = [IsAuthenticated, TokenScope, PlanEditorWrites]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self):
        # Assigning checks its own finer rule (heads may name the responsible person).
        if self.action == "assign":
            return [IsAuthenticated(), TokenScope()]
        return super().get_permissions()

    def get_queryset(self) -> QuerySet[Task]:
        return task_queryset(detail=self.action != "list")

    def paginate_queryset(self, queryset: QuerySet[Task]) -> list[Task] | None:
        page = super().paginate_queryset(queryset)
        return attach_task_ids(page) if page is not None else None

    def get_object(self) -> Task:
        return attach_task_ids([super().get_object()])[0]

    def get_serializer_class(self):
        return s.TaskDetailSerializer if self.action != "list" else s.TaskSerializer

    def _detail(self, task: Task, code: int = status.HTTP_200_OK) -> Response:
        fresh = attach_task_ids([task_queryset(detail=True).get(pk=task.pk)])[0]
        return Response(s.TaskDetailSerializer(fresh).data, status=code)

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = s.TaskCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = task_create(actor_user=request.user, **data.validated_data)
        return self._detail(task, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        task = self.get_object()
        data = s.TaskUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        task = task_update(task=task, actor_user=request.user, **data.validated_data)
        return self._detail(task)

    @extend_schema(request=s.TaskAssignInputSerializer,
                   responses={200: s.TaskDetailSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        """Set owners: departments and leader (supervisors), or the responsible person
        (supervisors and the lead department's head). Only the keys sent change."""
        task = self.get_object()
        data = s.TaskAssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = task_assign(task=task, actor_user=request.user, **data.validated_data)
        return self._detail(task)

    @extend_schema(request=s.StatusOverrideInputSerializer,
                   responses={200: s.TaskDetailSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], url_path="override-status")
    def override_status(self, request: Request, pk: str | None = None) -> Response:
        """A supervisor's manual status, with a reason; a blank status withdraws it."""
        task = self.get_object()
        data = s.StatusOverrideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = task_status_override(task=task, actor_user=request.user,
                                    **data.validated_data)
        return self._detail(task)


# ---------------------------------------------------------------- indicators

@extend_schema_view(
    create=extend_schema(request=s.IndicatorCreateInputSerializer,
                         responses={201: s.IndicatorDetailSerializer, **ERROR_RESPONSES}),
    partial_update=extend_schema(request=s.IndicatorUpdateInputSerializer,
                                 responses={200: s.IndicatorDetailSerializer,
                                            **ERROR_RESPONSES}),
)
class IndicatorViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin,
                       viewsets.ReadOnlyModelViewSet):
    """Headline targets (task is null) and tasks' indicators, with their readings."""

    filterset_class = filtersets.IndicatorFilterSet
    permission_classes = [IsAuthenticated, TokenScope, PlanEditorWrites]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self):
        # Who may record a reading depends on the indicator (checked by the service).
        if self.action == "readings":
            return [IsAuthenticated(), TokenScope()]
        return super().get_permissions()

    def get_queryset(self) -> QuerySet[Indicator]:
        qs = Indicator.objects.order_by("plan_id", "task_id", "order", "id")
        if self.action != "list":
            # readings, in date order
            qs = qs.prefetch_related(Prefetch(
                "readings", queryset=IndicatorReading.objects.order_by("measured_on", "id")))
        return qs

    def get_serializer_class(self):
        return s.IndicatorSerializer if self.action == "list" else s.IndicatorDetailSerializer

    def _detail(self, indicator: Indicator, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=indicator.pk)
        return Response(s.IndicatorDetailSerializer(fresh).data, status=code)

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = s.IndicatorCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        indicator = indicator_create(actor_user=request.user, **data.validated_data)
        return self._detail(indicator, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        indicator = self.get_object()
        data = s.IndicatorUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        indicator = indicator_update(indicator=indicator, actor_user=request.user,
                                     **data.validated_data)
        return self._detail(indicator)

    @extend_schema(request=s.IndicatorReadingInputSerializer,
                   responses={201: s.IndicatorReadingSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def readings(self, request: Request, pk: str | None = None) -> Response:
        """Record an actual value (e.g. a statistics bureau's GDP figure for a headline
        target). Readings are append-only; a correction is a new reading."""
        indicator = self.get_object()
        data = s.IndicatorReadingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reading = indicator_reading_record(indicator=indicator, actor_user=request.user,
                                           **data.validated_data)
        return Response(s.IndicatorReadingSerializer(reading).data,
                        status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- progress and milestones

@extend_schema_view(
    create=extend_schema(request=s.ProgressEntryInputSerializer,
                         responses={201: s.ProgressEntrySerializer, **ERROR_RESPONSES}),
)
class ProgressEntryViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Progress reports. Append-only: there is no PUT, PATCH or DELETE (405); a
    correction is a new entry."""

    filterset_class = filtersets.ProgressEntryFilterSet
    serializer_class = s.ProgressEntrySerializer

    def get_queryset(self) -> QuerySet[ProgressEntry]:
        return ProgressEntry.objects.prefetch_related(
            # readings
            Prefetch("readings", queryset=IndicatorReading.objects.order_by("id"),
                     to_attr="reading_list"),
        ).order_by("-reported_on", "-id")

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = s.ProgressEntryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = progress_entry_create(author=request.user, **data.validated_data)
        fresh = self.get_queryset().get(pk=entry.pk)
        return Response(s.ProgressEntrySerializer(fresh).data, status=status.HTTP_201_CREATED)


class MilestoneViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Milestone.objects.order_by("task_id", "due_date", "order", "id")
    serializer_class = s.MilestoneSerializer
    filterset_class = filtersets.MilestoneFilterSet


class ReminderViewSet(viewsets.ReadOnlyModelViewSet):
    """The reminder log: every reminder (item, recipient, rule, occurrence) and the
    messages that carried it, with their delivery state. Read-only, for 督查室."""

    filterset_class = filtersets.ReminderFilterSet
    serializer_class = s.ReminderSerializer
    permission_classes = [IsAuthenticated, TokenScope, ReminderLogReaders]

    def get_queryset(self) -> QuerySet[Reminder]:
        return Reminder.objects.prefetch_related(
            # deliveries (each item with its message)
            Prefetch("delivery_items",
                     queryset=DeliveryItem.objects.select_related("delivery").order_by("id"),
                     to_attr="delivery_item_list"),
        ).order_by("-day", "-id")
