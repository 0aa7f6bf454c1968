"""Load a curated plan file (seeds/*.yaml) into the database.

The file format is documented in seeds/README.md. Loading is two steps:

1. `plan_seed_parse` reads and validates the whole file against the report text without
   touching the database, so a malformed file is reported (file, item, field) before
   anything is written.
2. `plan_seed_apply` upserts the plan in one transaction, keyed by codes, so a second run
   changes nothing and an edited file updates items in place. Progress entries are never
   touched, and owners that 督查室 has corrected (assignment no longer the default) are
   left as they are.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from accounts.models import Department
from tracker.choices import Comparator, Direction, TaskKind
from tracker.models import Area, Indicator, Plan, Task

from .status import task_statuses_refresh

SEED_FORMAT = 1


class SeedError(Exception):
    """A malformed seed file. The message names the file, the item and the field."""


# ---------------------------------------------------------------- parsed form


@dataclass
class Span:
    quote: str
    start: int
    end: int


@dataclass
class IndicatorSpec:
    code: str
    name: str
    unit: str
    comparator: str
    direction: str
    target_value: Decimal | None
    baseline: Decimal | None
    baseline_year: int | None
    baseline_quote: str
    due_date: dt.date
    span: Span


@dataclass
class TaskSpec:
    code: str
    title: str
    text: str
    deadline: dt.date
    lead: str | None
    co: list[str]
    span: Span
    measures: list[TaskSpec] = field(default_factory=list)
    indicator: IndicatorSpec | None = None


@dataclass
class AreaSpec:
    code: str
    title: str
    span: Span
    tasks: list[TaskSpec]


@dataclass
class PlanSpec:
    year: int
    region: str
    title: str
    adopted_on: dt.date | None
    source_text: str
    default_deadline: dt.date
    template_year: int | None
    headline_targets: list[IndicatorSpec]
    areas: list[AreaSpec]

    @property
    def all_tasks(self) -> list[TaskSpec]:
        return [t for a in self.areas for k in a.tasks for t in (k, *k.measures)]


# ---------------------------------------------------------------- parsing


class _Reader:
    """Validates values and builds error messages that point at the item and field."""

    def __init__(self, path: Path, text: str, year_shift: int):
        self.path = path
        self.text = text
        self.year_shift = year_shift

    def fail(self, where: str, field_name: str, message: str) -> SeedError:
        return SeedError(f"{self.path}: {where}: field '{field_name}': {message}")

    def mapping(self, value: Any, where: str, field_name: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, field_name, "expected a mapping")
        return value

    def items(self, value: Any, where: str, field_name: str, *, required: bool = True) -> list:
        if value is None and not required:
            return []
        if not isinstance(value, list) or (required and not value):
            raise self.fail(where, field_name, "expected a non-empty list")
        return value

    def string(self, data: dict, key: str, where: str, *, required: bool = True,
               max_length: int | None = None) -> str:
        value = data.get(key)
        if value is None or value == "":
            if required:
                raise self.fail(where, key, "is required")
            return ""
        if not isinstance(value, str | int | float):
            raise self.fail(where, key, "expected text")
        value = str(value).strip()
        if max_length and len(value) > max_length:
            raise self.fail(where, key, f"longer than {max_length} characters")
        return value

    def integer(self, data: dict, key: str, where: str, *, required: bool = True) -> int | None:
        value = data.get(key)
        if value is None:
            if required:
                raise self.fail(where, key, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(where, key, f"expected a whole number, got {value!r}")
        return value

    def number(self, data: dict, key: str, where: str) -> Decimal | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool):
            raise self.fail(where, key, f"expected a number, got {value!r}")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise self.fail(where, key, f"expected a number, got {value!r}") from None
        if not number.is_finite():
            raise self.fail(where, key, f"expected a finite number, got {value!r}")
        return number

    def date(self, data: dict, key: str, where: str, *, default: dt.date | None = None,
             shift: bool = True) -> dt.date | None:
        value = data.get(key)
        if value is None:
            return default
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
            raise self.fail(where, key, f"expected a date like 2023-12-31, got {value!r}")
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise self.fail(where, key,
                                f"expected a date like 2023-12-31, got {value!r}") from None
        return _shift_year(value, self.year_shift) if shift else value

    def choice(self, data: dict, key: str, where: str, choices: list[str], default: str) -> str:
        value = data.get(key, default)
        if value not in choices:
            raise self.fail(where, key, f"{value!r} is not one of {', '.join(choices)}")
        return value

    def locate(self, quote: str, where: str, field_name: str, *, start: int = 0,
               end: int | None = None, hint: Any = None) -> Span:
        """Find `quote` in text[start:end]. A `span: [start, end]` hint (drafts written by
        the importer carry one) wins when it still points at the quote inside that range,
        because the first occurrence is not always the right one when a sentence repeats.
        A stale hint, left behind when a reviewer edited the quote, is ignored."""
        end = len(self.text) if end is None else end
        if (isinstance(hint, list) and len(hint) == 2
                and all(isinstance(n, int) and not isinstance(n, bool) for n in hint)
                and start <= hint[0] and hint[1] <= end
                and self.text[hint[0]:hint[1]] == quote and quote):
            return Span(quote, hint[0], hint[1])
        position = self.text.find(quote, start, end)
        if position < 0:
            scope = "the report text" if (start, end) == (0, len(self.text)) else \
                "its part of the report text"
            raise self.fail(where, field_name, f"quote {quote!r} is not in {scope}")
        return Span(quote, position, position + len(quote))

    def paragraph(self, span: Span) -> Span:
        """The whole line (paragraph) of the report that contains `span`."""
        start = self.text.rfind("\n", 0, span.start) + 1
        end = self.text.find("\n", span.end)
        end = len(self.text) if end < 0 else end
        return Span(self.text[start:end], start, end)


def _shift_year(day: dt.date, years: int) -> dt.date:
    if years == 0:
        return day
    year = day.year + years
    # 29 February moves to the last day of February in a common year.
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def plan_seed_parse(path: Path | str, *, rebase_year: int | None = None) -> PlanSpec:
    """Read and validate a seed file; raise SeedError naming file, item and field."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SeedError(f"{path}: no such file") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SeedError(f"{path}: not valid YAML: {exc}".splitlines()[0]) from None
    if not isinstance(raw, dict):
        raise SeedError(f"{path}: expected a mapping at the top level")
    if raw.get("format") != SEED_FORMAT:
        raise SeedError(f"{path}: field 'format': expected {SEED_FORMAT}, "
                        f"got {raw.get('format')!r}")

    probe = _Reader(path, "", 0)
    plan = probe.mapping(raw.get("plan"), "plan", "plan")
    year = probe.integer(plan, "year", "plan")
    if not 2000 <= year <= 2100:
        raise probe.fail("plan", "year", f"{year} is not a plausible year")
    if rebase_year is not None and not 2000 <= rebase_year <= 2100:
        raise SeedError(f"--rebase-year {rebase_year} is not a plausible year")
    source_name = probe.string(plan, "source", "plan")
    source_path = path.parent / source_name
    try:
        source_text = source_path.read_text(encoding="utf-8")
    except (FileNotFoundError, UnicodeDecodeError) as exc:
        raise probe.fail("plan", "source", f"cannot read {source_path}: {exc}") from None

    shift = 0 if rebase_year is None else rebase_year - year
    r = _Reader(path, source_text, shift)
    title = r.string(plan, "title", "plan", max_length=200)
    if shift:
        title = f"{title}（{rebase_year}年度，以{year}年报告为模板）"
    default_deadline = r.date(plan, "default_deadline", "plan",
                              default=dt.date(year, 12, 31))
    assignment = r.mapping(raw.get("default_assignment") or {}, "default_assignment",
                           "default_assignment")
    area_owners = r.mapping(assignment.get("areas") or {}, "default_assignment", "areas")

    headline = [
        _parse_indicator(r, item, f"headline_targets[{i}]", default_deadline, scope=None)
        for i, item in enumerate(r.items(raw.get("headline_targets"), "top level",
                                         "headline_targets", required=False))
    ]

    areas: list[AreaSpec] = []
    cursor = 0
    raw_areas = r.items(raw.get("areas"), "top level", "areas")
    for i, item in enumerate(raw_areas):
        where = f"areas[{i}]"
        item = r.mapping(item, where, "areas")
        code = r.string(item, "code", where, max_length=20)
        where = f"{where} ({code})"
        span = r.locate(r.string(item, "quote", where), where, "quote", start=cursor,
                        hint=item.get("span"))
        cursor = span.end
        owners = r.mapping(area_owners.get(code) or {}, f"default_assignment.areas.{code}",
                           code)
        areas.append(AreaSpec(code=code, title=r.string(item, "title", where, max_length=200),
                              span=span, tasks=[]))
        areas[-1]._raw = item  # type: ignore[attr-defined]
        areas[-1]._owners = owners  # type: ignore[attr-defined]

    # A key task's lead sentence lies between its area heading and the next one.
    for index, area in enumerate(areas):
        area_end = areas[index + 1].span.start if index + 1 < len(areas) else len(source_text)
        where_area = f"areas[{index}] ({area.code})"
        task_cursor = area.span.end
        owners = area._owners  # type: ignore[attr-defined]
        for j, item in enumerate(r.items(area._raw.get("tasks"), where_area, "tasks")):  # type: ignore[attr-defined]
            where = f"{where_area}.tasks[{j}]"
            item = r.mapping(item, where, "tasks")
            # The heading line of an area may itself hold a measure (e.g. "办好十件民生
            # 实事"); such measures are filed under the area's first key task.
            task = _parse_task(r, item, where, owners, default_deadline,
                               start=task_cursor, end=area_end,
                               measure_scope_start=area.span.start if j == 0 else None)
            task_cursor = task.span.end
            area.tasks.append(task)
        # A measure belongs to the text between its key task's lead sentence and the next
        # key task (several paragraphs when the task is a bare heading line).
        for j, task in enumerate(area.tasks):
            bound = area.tasks[j + 1].span.start if j + 1 < len(area.tasks) else area_end
            for k, measure in enumerate(task.measures):
                if measure.span.end > bound:
                    raise r.fail(f"{where_area}.tasks[{j}] ({task.code}).measures[{k}] "
                                 f"({measure.code})", "quote",
                                 f"quote {measure.span.quote!r} is not in its part of the "
                                 "report text")

    spec = PlanSpec(
        year=rebase_year or year, region=r.string(plan, "region", "plan", max_length=100),
        title=title, adopted_on=r.date(plan, "adopted_on", "plan"), source_text=source_text,
        default_deadline=default_deadline, template_year=year if shift else None,
        headline_targets=headline, areas=areas,
    )
    _check_unique_codes(path, spec)
    return spec


def _owners(r: _Reader, data: dict, where: str, fallback: tuple[str | None, list[str]]):
    if not data:
        return fallback
    lead = r.string(data, "lead", where, required=False) or None
    co = data.get("co") or []
    if not isinstance(co, list) or not all(isinstance(c, str) for c in co):
        raise r.fail(where, "co", "expected a list of department short names")
    return lead, co


def _parse_task(r: _Reader, item: dict, where: str, area_owners: dict,
                default_deadline: dt.date, *, start: int, end: int,
                measure_scope_start: int | None = None) -> TaskSpec:
    code = r.string(item, "code", where, max_length=30)
    where = f"{where} ({code})"
    span = r.locate(r.string(item, "quote", where), where, "quote", start=start, end=end,
                    hint=item.get("span"))
    deadline = r.date(item, "deadline", where, default=default_deadline)
    lead, co = _owners(r, area_owners, where, (None, []))
    lead, co = _owners(r, r.mapping(item.get("departments") or {}, where, "departments"),
                       f"{where}.departments", (lead, co))
    paragraph = r.paragraph(span)
    task = TaskSpec(code=code, title=r.string(item, "title", where, max_length=300),
                    text=paragraph.quote, deadline=deadline, lead=lead, co=co, span=span)
    for k, raw_measure in enumerate(r.items(item.get("measures"), where, "measures",
                                            required=False)):
        mwhere = f"{where}.measures[{k}]"
        raw_measure = r.mapping(raw_measure, mwhere, "measures")
        indicator = _parse_indicator(r, raw_measure, mwhere, deadline,
                                     scope=(measure_scope_start or paragraph.start, end))
        task.measures.append(TaskSpec(
            code=indicator.code,
            title=r.string(raw_measure, "title", f"{mwhere} ({indicator.code})",
                           max_length=300),
            text=indicator.span.quote, deadline=indicator.due_date, lead=lead, co=co,
            span=indicator.span, indicator=indicator,
        ))
    return task


def _parse_indicator(r: _Reader, item: Any, where: str, default_deadline: dt.date, *,
                     scope: tuple[int, int] | None) -> IndicatorSpec:
    item = r.mapping(item, where, "item")
    code = r.string(item, "code", where, max_length=30)
    where = f"{where} ({code})"
    start, end = scope or (0, None)
    span = r.locate(r.string(item, "quote", where), where, "quote", start=start, end=end,
                    hint=item.get("span"))
    comparator = r.choice(item, "comparator", where, Comparator.values, Comparator.EQ)
    target = r.number(item, "target_value", where)
    if target is None and comparator != Comparator.IN_STEP:
        raise r.fail(where, "target_value", "is required unless comparator is in_step")
    baseline = r.number(item, "baseline", where)
    baseline_year = r.integer(item, "baseline_year", where, required=baseline is not None)
    baseline_quote = r.string(item, "baseline_quote", where, required=False)
    if baseline_quote:
        r.locate(baseline_quote, where, "baseline_quote")
    name = item.get("name") or item.get("title")
    return IndicatorSpec(
        code=code, name=r.string({"name": name}, "name", where, max_length=200),
        unit=r.string(item, "unit", where, required=False, max_length=20),
        comparator=comparator,
        direction=r.choice(item, "direction", where, Direction.values, Direction.INCREASE),
        target_value=target, baseline=baseline, baseline_year=baseline_year,
        baseline_quote=baseline_quote,
        due_date=r.date(item, "deadline", where, default=default_deadline), span=span,
    )


def _check_unique_codes(path: Path, spec: PlanSpec) -> None:
    seen: set[str] = set()
    codes = [a.code for a in spec.areas] + [t.code for t in spec.all_tasks] + [
        i.code for i in spec.headline_targets]
    for code in codes:
        if code in seen:
            raise SeedError(f"{path}: item {code}: field 'code': used more than once")
        seen.add(code)


# ---------------------------------------------------------------- applying


@dataclass
class SeedSummary:
    plan_created: bool = False
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: {
        kind: {"created": 0, "updated": 0, "unchanged": 0}
        for kind in ("areas", "tasks", "indicators")})

    def count(self, kind: str, outcome: str) -> None:
        self.counts[kind][outcome] += 1

    def line(self) -> str:
        parts = [f"{kind}: {c['created']} created, {c['updated']} updated, "
                 f"{c['unchanged']} unchanged" for kind, c in self.counts.items()]
        return "; ".join(parts)


def _upsert(model, lookup: dict, values: dict, summary: SeedSummary, kind: str):
    """Create, or update only the fields that differ, so a re-run writes nothing."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj._change_reason = "seed_report"
        obj.save()
        summary.count(kind, "created")
        return obj, True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj._change_reason = "seed_report"
        obj.save()
        summary.count(kind, "updated")
    else:
        summary.count(kind, "unchanged")
    return obj, False


def _departments(spec: PlanSpec, path_label: str) -> dict[str, Department]:
    wanted = {name for t in spec.all_tasks for name in [t.lead, *t.co] if name}
    found = {d.short_name: d for d in Department.objects.filter(short_name__in=wanted)}
    missing = sorted(wanted - found.keys())
    if missing:
        raise SeedError(f"{path_label}: default_assignment: unknown departments "
                        f"{', '.join(missing)} (load fixtures/departments.yaml first)")
    return found


@transaction.atomic
def plan_seed_apply(spec: PlanSpec, *, path_label: str = "seed") -> tuple[Plan, SeedSummary]:
    summary = SeedSummary()
    departments = _departments(spec, path_label)
    plan, summary.plan_created = _upsert_plan(spec)
    start_date = dt.date(spec.year, 1, 1)

    _park_moved_rows(Area, plan, "order",
                     {a.code: order for order, a in enumerate(spec.areas, start=1)})
    _park_moved_rows(Task, plan, "position",
                     {t.code: position for position, t in enumerate(spec.all_tasks, start=1)})

    position = 0
    for order, area_spec in enumerate(spec.areas, start=1):
        area, _ = _upsert(Area, {"plan": plan, "code": area_spec.code}, {
            "order": order, "title": area_spec.title, **_source(area_spec.span)},
            summary, "areas")
        for key_spec in area_spec.tasks:
            position += 1
            key_task = _upsert_task(plan, area, None, key_spec, position, start_date,
                                    departments, summary)
            for measure_spec in key_spec.measures:
                position += 1
                measure = _upsert_task(plan, area, key_task, measure_spec, position,
                                       start_date, departments, summary)
                _upsert_indicator(plan, measure, measure_spec.indicator, 0, summary)
    for order, target in enumerate(spec.headline_targets, start=1):
        _upsert_indicator(plan, None, target, order, summary)

    task_statuses_refresh(tasks=Task.objects.filter(plan=plan).order_by("id"))
    return plan, summary


def _park_moved_rows(model, plan: Plan, field_name: str, wanted: dict[str, int]) -> None:
    """Move rows whose unique ordinal will change out of the way, above every value in use.

    `(plan, order)` and `(plan, position)` are unique, so when the file re-orders items
    (or another file's draft was loaded before) writing the new values one by one would
    collide with rows not yet moved. Rows already in place are not touched, so a re-run
    of an unchanged file still writes nothing.
    """
    rows = list(model.objects.filter(plan=plan).values_list("pk", "code", field_name))
    if not rows:
        return
    wanted_values = set(wanted.values())
    # A row moves when the file puts it elsewhere, or when it is no longer in the file
    # but sits on a value the file gives to another item.
    movers = [pk for pk, code, value in rows
              if (code in wanted and wanted[code] != value)
              or (code not in wanted and value in wanted_values)]
    ceiling = max([value for _, _, value in rows] + list(wanted_values)) + 1
    for offset, pk in enumerate(movers):
        model.objects.filter(pk=pk).update(**{field_name: ceiling + offset})


def _upsert_plan(spec: PlanSpec) -> tuple[Plan, bool]:
    values = {"title": spec.title, "adopted_on": spec.adopted_on,
              "source_text": spec.source_text, "template_year": spec.template_year}
    plan = Plan.objects.filter(region=spec.region, year=spec.year).first()
    if plan is None:
        plan = Plan(region=spec.region, year=spec.year, **values)
        plan._change_reason = "seed_report"
        plan.save()
        return plan, True
    changed = [k for k, v in values.items() if getattr(plan, k) != v]
    if changed:
        for k in changed:
            setattr(plan, k, values[k])
        plan._change_reason = "seed_report"
        plan.save()
    return plan, False


def _source(span: Span) -> dict:
    return {"source_quote": span.quote, "source_start": span.start, "source_end": span.end}


def _upsert_task(plan, area, parent, spec: TaskSpec, position: int, start_date: dt.date,
                 departments: dict[str, Department], summary: SeedSummary) -> Task:
    values = {
        "area": area, "parent": parent,
        "kind": TaskKind.MEASURE if parent else TaskKind.KEY_TASK,
        "position": position, "title": spec.title, "text": spec.text,
        "start_date": start_date, "deadline": spec.deadline, **_source(spec.span),
    }
    existing = Task.objects.filter(plan=plan, code=spec.code).first()
    # Owners from the seed are a default: once 督查室 has assigned a task, keep theirs.
    apply_owners = existing is None or existing.assignment_is_default
    if apply_owners:
        values["lead_department"] = departments.get(spec.lead) if spec.lead else None
        values["assignment_is_default"] = True
    task, created = _upsert(Task, {"plan": plan, "code": spec.code}, values, summary, "tasks")
    if apply_owners:
        wanted = {departments[name].pk for name in spec.co}
        current = set(task.co_departments.values_list("id", flat=True))
        if wanted != current:
            task.co_departments.set(wanted)
            if not created and summary.counts["tasks"]["unchanged"]:
                # The row itself did not change but its co-departments did.
                summary.counts["tasks"]["unchanged"] -= 1
                summary.counts["tasks"]["updated"] += 1
    return task


def _upsert_indicator(plan, task, spec: IndicatorSpec, order: int,
                      summary: SeedSummary) -> Indicator:
    values = {
        "task": task, "order": order, "name": spec.name, "unit": spec.unit,
        "comparator": spec.comparator, "direction": spec.direction,
        "target_value": spec.target_value, "baseline": spec.baseline,
        "baseline_year": spec.baseline_year, "baseline_quote": spec.baseline_quote,
        "due_date": spec.due_date, **_source(spec.span),
    }
    indicator, _ = _upsert(Indicator, {"plan": plan, "code": spec.code}, values, summary,
                           "indicators")
    return indicator
