"""Writes for tasks and their indicators: create, update, assign owners.

Each function checks the actor against tracker.rules.permissions, collects every field
error before raising (so a caller can show them all at once), and records the actor as
the author of the history row (`_history_user`), because API requests authenticated by
token carry no session for simple_history's middleware to read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department
from tracker.choices import Comparator, TaskKind
from tracker.models import Area, Indicator, IndicatorReading, Plan, Task
from tracker.rules.permissions import (
    Actor,
    TaskOwners,
    can_edit_plan,
    can_manage_task,
    can_report_progress,
)

from .errors import PermissionDenied, ValidationError
from .progress import indicator_reading_create
from .status import task_status_recompute

TASK_EDITABLE_FIELDS = frozenset(
    {"title", "text", "code", "start_date", "deadline", "weight", "source_quote"})
INDICATOR_EDITABLE_FIELDS = frozenset(
    {"name", "code", "order", "unit", "comparator", "direction", "target_value", "baseline",
     "baseline_year", "baseline_quote", "due_date", "source_quote"})


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


# "Leave this as it is", distinct from None ("clear it").
UNSET: Any = _Unset()


def _require_plan_editor(actor_user) -> None:
    if not can_edit_plan(Actor.of(actor_user)):
        raise PermissionDenied(_("只有督查室可以修改任务和指标。"))


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _check_dates(errors: dict[str, list[str]], start_date: dt.date, deadline: dt.date) -> None:
    if deadline < start_date:
        _add(errors, "deadline", _("完成时限不能早于开始日期。"))


def _check_user(errors: dict[str, list[str]], field: str, user) -> None:
    if user is not None and not user.is_active:
        _add(errors, field, _("该用户已停用。"))


# ---------------------------------------------------------------- tasks

@transaction.atomic
def task_create(
    *,
    actor_user,
    plan: Plan,
    area: Area,
    title: str,
    start_date: dt.date,
    deadline: dt.date,
    parent: Task | None = None,
    code: str = "",
    text: str = "",
    weight: Decimal = Decimal(1),
    lead_department: Department | None = None,
    co_departments: Iterable[Department] = (),
    responsible=None,
    leader=None,
    source_quote: str = "",
) -> Task:
    """Add a key task (no parent) or a measure (with its key task as parent) to a plan.

    1. Check the actor may edit the plan.
    2. Validate: area and parent belong to the plan, a parent is a key task of the same
       area, dates in order, code unique in the plan.
    3. Lock the plan row, so two creations cannot take the same position.
    4. Save at the end of the plan's reading order, with its owners.
    """
    _require_plan_editor(actor_user)
    errors: dict[str, list[str]] = {}
    if area.plan_id != plan.pk:
        _add(errors, "area", _("该工作领域不属于此工作报告。"))
    if parent is not None:
        if parent.plan_id != plan.pk:
            _add(errors, "parent", _("所属重点任务不属于此工作报告。"))
        elif parent.kind != TaskKind.KEY_TASK:
            _add(errors, "parent", _("具体举措只能挂在重点任务下。"))
        elif parent.area_id != area.pk:
            _add(errors, "area", _("具体举措必须与其重点任务在同一工作领域。"))
    if not title.strip():
        _add(errors, "title", _("请填写任务名称。"))
    _check_dates(errors, start_date, deadline)
    if weight <= 0:
        _add(errors, "weight", _("权重必须大于 0。"))
    code = code.strip()
    if code and Task.objects.filter(plan=plan, code=code).exists():
        _add(errors, "code", _("此工作报告中已有编号为 %(code)s 的任务。") % {"code": code})
    _check_user(errors, "responsible", responsible)
    _check_user(errors, "leader", leader)
    if errors:
        raise ValidationError(errors)

    Plan.objects.select_for_update().filter(pk=plan.pk).first()
    position = (Task.objects.filter(plan=plan).aggregate(m=Max("position"))["m"] or 0) + 1
    task = Task(
        plan=plan, area=area, parent=parent,
        kind=TaskKind.MEASURE if parent is not None else TaskKind.KEY_TASK,
        code=code or f"T{position}", position=position, title=title.strip(), text=text,
        start_date=start_date, deadline=deadline, weight=weight,
        lead_department=lead_department, responsible=responsible, leader=leader,
        source_quote=source_quote,
    )
    task._history_user = actor_user
    task.save()
    if co_departments:
        task.co_departments.set(co_departments)
    return task_status_recompute(task=task)


@transaction.atomic
def task_update(*, task: Task, actor_user, **changes: Any) -> Task:
    """Change a task's wording, code, dates or weight (owners go through task_assign)."""
    _require_plan_editor(actor_user)
    unknown = set(changes) - TASK_EDITABLE_FIELDS
    if unknown:
        raise ValidationError({name: [_("该字段不能修改。")] for name in sorted(unknown)})
    task = Task.objects.select_for_update().get(pk=task.pk)
    errors: dict[str, list[str]] = {}
    if "title" in changes and not str(changes["title"]).strip():
        _add(errors, "title", _("请填写任务名称。"))
    if "code" in changes:
        changes["code"] = str(changes["code"]).strip()
        if not changes["code"]:
            _add(errors, "code", _("请填写编号。"))
        elif Task.objects.filter(plan_id=task.plan_id, code=changes["code"]).exclude(
                pk=task.pk).exists():
            _add(errors, "code",
                 _("此工作报告中已有编号为 %(code)s 的任务。") % {"code": changes["code"]})
    if "weight" in changes and changes["weight"] <= 0:
        _add(errors, "weight", _("权重必须大于 0。"))
    _check_dates(errors, changes.get("start_date", task.start_date),
                 changes.get("deadline", task.deadline))
    if errors:
        raise ValidationError(errors)
    for name, value in changes.items():
        setattr(task, name, value)
    task._history_user = actor_user
    task.save()
    # A moved deadline or start date moves the expected trajectory, hence the status.
    return task_status_recompute(task=task)


@transaction.atomic
def task_assign(
    *,
    task: Task,
    actor_user,
    lead_department: Department | None = UNSET,
    co_departments: Iterable[Department] = UNSET,
    responsible=UNSET,
    leader=UNSET,
) -> Task:
    """Set a task's owners and mark the assignment as confirmed (no longer the seed's).

    Departments and the leader in charge are 督查室's decision (can_edit_plan); the
    responsible person alone may also be named by the lead department's head
    (can_manage_task).
    """
    actor = Actor.of(actor_user)
    task = Task.objects.select_for_update().get(pk=task.pk)
    owners = TaskOwners.of(task)
    changes_departments = any(v is not UNSET for v in (lead_department, co_departments, leader))
    if changes_departments and not can_edit_plan(actor):
        raise PermissionDenied(_("只有督查室可以调整责任单位、配合单位和分管领导。"))
    if not changes_departments and not can_manage_task(actor, owners):
        raise PermissionDenied(_("只有督查室或责任单位负责人可以指定责任人。"))
    errors: dict[str, list[str]] = {}
    if responsible is not UNSET:
        _check_user(errors, "responsible", responsible)
    if leader is not UNSET:
        _check_user(errors, "leader", leader)
    co_list = None if co_departments is UNSET else list(co_departments)
    lead = task.lead_department if lead_department is UNSET else lead_department
    if co_list is not None and lead is not None and any(d.pk == lead.pk for d in co_list):
        _add(errors, "co_departments", _("配合单位不能与责任单位相同。"))
    if errors:
        raise ValidationError(errors)

    if lead_department is not UNSET:
        task.lead_department = lead_department
    if responsible is not UNSET:
        task.responsible = responsible
    if leader is not UNSET:
        task.leader = leader
    task.assignment_is_default = False
    task._history_user = actor_user
    task.save()
    if co_list is not None:
        task.co_departments.set(co_list)
    return task


# ---------------------------------------------------------------- indicators

def _check_indicator(errors: dict[str, list[str]], values: dict[str, Any]) -> None:
    if values.get("comparator") != Comparator.IN_STEP and values.get("target_value") is None:
        _add(errors, "target_value", _("量化指标必须填写目标值。"))
    if values.get("baseline") is not None and values.get("baseline_year") is None:
        _add(errors, "baseline_year", _("填写基期值时必须填写基期年份。"))
    if not str(values.get("name", "")).strip():
        _add(errors, "name", _("请填写指标名称。"))


@transaction.atomic
def indicator_create(
    *,
    actor_user,
    plan: Plan,
    code: str,
    name: str,
    due_date: dt.date,
    task: Task | None = None,
    order: int = 0,
    unit: str = "",
    comparator: str = Comparator.EQ,
    direction: str | None = None,
    target_value: Decimal | None = None,
    baseline: Decimal | None = None,
    baseline_year: int | None = None,
    baseline_quote: str = "",
    source_quote: str = "",
) -> Indicator:
    """Add an indicator: a headline target of the plan (no task) or a task's number."""
    _require_plan_editor(actor_user)
    values = {"code": code.strip(), "name": name, "due_date": due_date, "order": order,
              "unit": unit, "comparator": comparator, "target_value": target_value,
              "baseline": baseline, "baseline_year": baseline_year,
              "baseline_quote": baseline_quote, "source_quote": source_quote}
    if direction is not None:
        values["direction"] = direction
    errors: dict[str, list[str]] = {}
    if task is not None and task.plan_id != plan.pk:
        _add(errors, "task", _("该任务不属于此工作报告。"))
    if not values["code"]:
        _add(errors, "code", _("请填写编号。"))
    elif Indicator.objects.filter(plan=plan, code=values["code"]).exists():
        _add(errors, "code",
             _("此工作报告中已有编号为 %(code)s 的指标。") % {"code": values["code"]})
    _check_indicator(errors, values)
    if errors:
        raise ValidationError(errors)
    indicator = Indicator(plan=plan, task=task, **values)
    indicator._history_user = actor_user
    indicator.save()
    return indicator


@transaction.atomic
def indicator_update(*, indicator: Indicator, actor_user, **changes: Any) -> Indicator:
    """Change an indicator's definition; its readings are never edited here."""
    _require_plan_editor(actor_user)
    unknown = set(changes) - INDICATOR_EDITABLE_FIELDS
    if unknown:
        raise ValidationError({name: [_("该字段不能修改。")] for name in sorted(unknown)})
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    errors: dict[str, list[str]] = {}
    if "code" in changes:
        changes["code"] = str(changes["code"]).strip()
        if Indicator.objects.filter(plan_id=indicator.plan_id, code=changes["code"]).exclude(
                pk=indicator.pk).exists():
            _add(errors, "code",
                 _("此工作报告中已有编号为 %(code)s 的指标。") % {"code": changes["code"]})
    current = {f: getattr(indicator, f) for f in INDICATOR_EDITABLE_FIELDS}
    _check_indicator(errors, current | changes)
    if errors:
        raise ValidationError(errors)
    for field, value in changes.items():
        setattr(indicator, field, value)
    indicator._history_user = actor_user
    indicator.save()
    return indicator


@transaction.atomic
def indicator_reading_record(*, indicator: Indicator, actor_user, value: Decimal,
                             measured_on: dt.date | None = None,
                             note: str = "") -> IndicatorReading:
    """Record an actual value on its own (not inside a progress entry).

    A headline target's figure (e.g. GDP from 统计局) is 督查室's to record
    (can_edit_plan); a task's indicator may be updated by whoever may report progress
    on that task (can_report_progress).
    """
    actor = Actor.of(actor_user)
    if indicator.task_id is None:
        allowed = can_edit_plan(actor)
    else:
        task = Task.objects.prefetch_related("co_departments").get(pk=indicator.task_id)
        allowed = can_report_progress(actor, TaskOwners.of(task))
    if not allowed:
        raise PermissionDenied(_("您不能填报该指标的实际值。"))
    today = timezone.localdate()
    measured_on = measured_on or today
    if measured_on > today:
        raise ValidationError({"measured_on": [_("统计日期不能晚于今天。")]})
    return indicator_reading_create(indicator=indicator, value=value, measured_on=measured_on,
                                    author=actor_user, note=note.strip())
