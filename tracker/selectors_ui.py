"""Reads that only the web UI needs, built on tracker.selectors.

Like the shared selectors, every queryset is ordered and fetches up front what the
templates read, so each page runs the same number of queries however many rows it shows
(tests/ui pins the counts). Each select_related / prefetch_related names its reader.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from accounts.models import Department, Role
from tracker.choices import Status
from tracker.models import (
    Evidence,
    Indicator,
    IndicatorReading,
    Milestone,
    Plan,
    ProgressEntry,
    Task,
)
from tracker.rules.permissions import Actor
from tracker.selectors import department_q, task_list

# Worst first, the order dashboards and "my tasks" group by (see tracker.choices.Status).
STATUS_ORDER: list[str] = list(Status.values)


# ---------------------------------------------------------------- reporting cycle

@dataclass(frozen=True)
class ReportingCycle:
    """One monthly reporting cycle: progress reported on or after `start` counts for it,
    and it is due by `cutoff` (the TRACKER_REPORTING_CUTOFF_DAY of the month)."""

    start: dt.date
    cutoff: dt.date

    def is_late(self, today: dt.date) -> bool:
        """Past the cutoff with the month not yet over: unreported tasks are late."""
        return today > self.cutoff


def reporting_cycle(today: dt.date, *, cutoff_day: int | None = None) -> ReportingCycle:
    """The cycle `today` falls in: its calendar month, due by the cutoff day.

    The same cycle the update-due reminders use (tracker.rules.reminders.UpdateCycle:
    entries from the first of the cutoff's month count), so the "本期待报送" mark on
    "my tasks" and the reminder a person receives never disagree. Pure: no clock, no ORM.
    """
    day = cutoff_day or settings.TRACKER_REPORTING_CUTOFF_DAY
    last = calendar.monthrange(today.year, today.month)[1]
    return ReportingCycle(start=today.replace(day=1), cutoff=today.replace(day=min(day, last)))


def needs_update_q(cycle: ReportingCycle, today: dt.date) -> Q:
    """Tasks that owe a progress entry in `cycle`: started, not done, nothing reported in
    the cycle yet. Reads the progress_task_recent_idx index through the Exists."""
    reported = ProgressEntry.objects.filter(task=OuterRef("pk"), reported_on__gte=cycle.start)
    return Q(start_date__lte=today) & ~Q(status=Status.DONE) & ~Exists(reported)


# ---------------------------------------------------------------- plans and scope

def plan_default(today: dt.date) -> Plan | None:
    """The plan a page shows when the URL names none: this year's, else the newest."""
    return (Plan.objects.filter(year=today.year).order_by("region").first()
            or Plan.objects.order_by("-year", "region").first())


def plan_choices() -> list[Plan]:
    return list(Plan.objects.only("id", "year", "title").order_by("-year", "region"))


def starts_on_own_department(actor: Actor) -> bool:
    """Members and department heads open the dashboard on their own department; leaders
    and 督查室 open it on the whole district."""
    return (not actor.is_supervisor and actor.role in (Role.MEMBER, Role.DEPARTMENT_HEAD)
            and actor.department_id is not None)


def actor_department_ids(actor: Actor) -> set[int]:
    ids = set(actor.head_of)
    if actor.department_id is not None:
        ids.add(actor.department_id)
    return ids


# ---------------------------------------------------------------- lists

def status_rank() -> Case:
    """Sort key that puts the worst status first (the table's 状态 column sorts by it)."""
    return Case(*[When(status=s, then=Value(i)) for i, s in enumerate(STATUS_ORDER)],
                default=Value(len(STATUS_ORDER)), output_field=IntegerField())


def task_rows(*, actor: Actor | None = None, own_department_only: bool = False
              ) -> QuerySet[Task]:
    """task_list with the columns the UI's tables sort on."""
    return task_list(actor=actor, own_department_only=own_department_only).annotate(
        status_rank=status_rank())


def _latest_entry(field: str) -> Subquery:
    latest = ProgressEntry.objects.filter(task=OuterRef("pk")).order_by("-reported_on", "-id")
    return Subquery(latest.values(field)[:1])


def with_latest_entry_texts(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Annotate each task with its latest entry's 进展 / 问题 / 下一步 (the 台账 columns),
    as correlated subqueries in the one list query instead of a query per row."""
    return tasks.annotate(
        latest_progress_text=_latest_entry("progress_text"),
        latest_problems_text=_latest_entry("problems_text"),
        latest_next_steps_text=_latest_entry("next_steps_text"),
        latest_reported_on=_latest_entry("reported_on"),
    )


def my_tasks(*, actor: Actor, plan: Plan, today: dt.date, cycle: ReportingCycle
             ) -> list[Task]:
    """Tasks where the actor is the responsible person or their department leads or
    co-leads, each marked `needs_update` when it owes an entry in this cycle."""
    return list(
        task_rows(actor=actor, own_department_only=True)
        .filter(plan=plan)
        .annotate(needs_update=Case(When(needs_update_q(cycle, today), then=Value(True)),
                                    default=Value(False)))
        .annotate(latest_reported_on=_latest_entry("reported_on"))
        .order_by("status_rank", "deadline", "position")
    )


def group_by_status(tasks: list[Task]) -> list[dict]:
    """[{status, label, tasks}] in STATUS_ORDER, leaving out empty groups."""
    groups = {s: [] for s in STATUS_ORDER}
    for task in tasks:
        groups.setdefault(task.status, []).append(task)
    return [{"status": s, "label": Status(s).label, "tasks": groups[s]}
            for s in STATUS_ORDER if groups[s]]


def recent_progress(*, plan: Plan, scope: Q | None = None, limit: int = 8
                    ) -> list[ProgressEntry]:
    """The newest progress entries of a plan (the dashboard's 最新进展)."""
    entries = ProgressEntry.objects.filter(task__plan=plan)
    if scope is not None:
        entries = entries.filter(task__in=Task.objects.filter(scope).values("pk"))
    return list(entries.select_related(
        "task",  # the entry links to its task
        "author",  # and names its author
    ).order_by("-created_at", "-id")[:limit])


# ---------------------------------------------------------------- detail pages

def task_detail(*, pk: int) -> Task:
    """One task with everything its page shows; raises Task.DoesNotExist."""
    readings = IndicatorReading.objects.order_by("measured_on", "id")
    return (
        task_list()
        .select_related("status_override_by")  # the override's author
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "order")),
            # Each indicator's chart plots its readings.
            Prefetch("indicators", queryset=Indicator.objects.order_by("order", "id")
                     .prefetch_related(Prefetch("readings", queryset=readings))),
            # A key task lists its measures with their status.
            Prefetch("measures", queryset=Task.objects.select_related("lead_department")
                     .order_by("position")),
            # The timeline: each entry's author, files and indicator readings.
            Prefetch("progress_entries", queryset=ProgressEntry.objects
                     .select_related("author").order_by("-reported_on", "-id")
                     .prefetch_related(
                         Prefetch("evidence", queryset=Evidence.objects.order_by("id")),
                         Prefetch("readings", queryset=IndicatorReading.objects
                                  .select_related("indicator").order_by("id")),
                     )),
        )
        .get(pk=pk)
    )


HISTORY_HIDDEN_FIELDS = [
    # Bookkeeping that changes on every save and would drown the real changes.
    "updated_at", "created_at", "status_evaluated_on", "last_progress_at",
    # m2m history needs a query per record to diff; the current co-departments are shown.
    "co_departments",
]


def task_history(*, task: Task, limit: int = 30) -> list[dict]:
    """The task's change history, newest first: who changed which fields, from what to
    what. Diffs consecutive records in memory; names the people, departments and areas a
    change points at with one query per related model, whatever the length."""
    records = list(task.history.select_related("history_user")  # 操作人 column
                   .order_by("-history_date", "-history_id")[: limit + 1])
    fields = {f.name: f for f in Task._meta.fields}
    rows: list[dict] = []
    wanted: dict = {}  # related model -> ids to name
    for newer, older in zip(records, [*records[1:], None], strict=True):
        if len(rows) == limit:
            break
        changes = []
        if older is not None:
            delta = newer.diff_against(older, excluded_fields=HISTORY_HIDDEN_FIELDS)
            for change in delta.changes:
                field = fields.get(change.field)
                if field is not None and field.is_relation:
                    wanted.setdefault(field.related_model, set()).update(
                        v for v in (change.old, change.new) if v is not None)
                changes.append((field, change.field, change.old, change.new))
        rows.append({"record": newer, "changes": changes,
                     "created": newer.history_type == "+"})
    names = {model: {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=ids)}
             for model, ids in wanted.items()}
    for row in rows:
        row["changes"] = [
            {"field": field.verbose_name if field else name,
             "old": _display(field, old, names), "new": _display(field, new, names)}
            for field, name, old, new in row["changes"]
        ]
    return rows


def _display(field, value, names: dict) -> str:
    if value in (None, ""):
        return "—"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and field.is_relation:
        return names.get(field.related_model, {}).get(value, f"#{value}")
    return str(value)


def department_tasks(*, department: Department, plan: Plan) -> list[Task]:
    """Tasks a department leads or co-leads in a plan, worst status first."""
    ids = Task.objects.filter(department_q([department.pk])).values("pk")
    return list(task_rows().filter(plan=plan, pk__in=ids)
                .order_by("status_rank", "deadline", "position"))


def indicator_detail(*, pk: int) -> Indicator:
    return (
        Indicator.objects.select_related(
            "plan",  # breadcrumb
            "task", "task__lead_department",  # the owning task and its department
        )
        .prefetch_related(Prefetch(
            "readings",  # chart and readings table
            queryset=IndicatorReading.objects.select_related("author", "entry")
            .order_by("measured_on", "id")))
        .get(pk=pk)
    )


def evidence_for_download(*, pk: int) -> Evidence:
    return Evidence.objects.select_related("entry__task").get(pk=pk)
