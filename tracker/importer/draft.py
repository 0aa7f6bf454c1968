"""The draft plan an import proposes, and its writer in the curated seed format.

The draft is exactly what `seed_report` loads (see seeds/2023-shahekou-plan.yaml and
tracker/services/seed.py): a reviewer edits the YAML, then loads it. Offsets are written as
`span: [start, end]` next to each quote so a reviewer can find the sentence; the loader
itself finds quotes by their text and ignores `span`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from tracker.choices import Comparator
from tracker.services.seed import SEED_FORMAT


class _Shown:
    comparator: str

    @property
    def comparator_label(self) -> str:
        """≥ ≤ ≈ = or 同步, as the review page shows it."""
        return str(Comparator(self.comparator).label)


@dataclass(frozen=True)
class Source:
    quote: str
    start: int
    end: int


@dataclass
class DraftIndicator(_Shown):
    code: str
    name: str
    source: Source
    unit: str
    comparator: str
    direction: str
    value: Decimal | None


@dataclass
class DraftMeasure(_Shown):
    code: str
    title: str
    source: Source
    unit: str
    comparator: str
    direction: str
    value: Decimal
    deadline: dt.date | None = None


@dataclass
class DraftTask:
    code: str
    title: str
    source: Source
    measures: list[DraftMeasure] = field(default_factory=list)
    # Measures written in the paragraphs under a bare heading line: the seed format files a
    # measure only within its key task's own paragraph, so these wait for a reviewer.
    unplaced: list[DraftMeasure] = field(default_factory=list)


@dataclass
class DraftArea:
    code: str
    title: str
    source: Source
    tasks: list[DraftTask] = field(default_factory=list)


@dataclass
class Draft:
    year: int
    region: str
    title: str
    adopted_on: dt.date | None
    text: str
    targets: list[DraftIndicator]
    areas: list[DraftArea]
    notes: list[str] = field(default_factory=list)
    found_targets_paragraph: bool = False

    @property
    def tasks(self) -> list[DraftTask]:
        return [task for area in self.areas for task in area.tasks]

    @property
    def measures(self) -> list[DraftMeasure]:
        return [m for task in self.tasks for m in task.measures]

    def summary(self) -> str:
        unplaced = sum(len(t.unplaced) for t in self.tasks)
        line = (f"{self.title}：主要预期目标 {len(self.targets)} 项，"
                f"工作领域 {len(self.areas)} 个，重点任务 {len(self.tasks)} 项，"
                f"量化举措 {len(self.measures)} 项")
        if unplaced:
            line += f"（另有 {unplaced} 项待人工归位）"
        return line


# ---------------------------------------------------------------- writing


class _FlowList(list):
    pass


# libyaml's emitter when PyYAML has it: the pure-Python one takes most of an import's time.
class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


_Dumper.add_representer(
    _FlowList, lambda dumper, data: dumper.represent_sequence(
        "tag:yaml.org,2002:seq", data, flow_style=True))


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _span(source: Source) -> _FlowList:
    return _FlowList([source.start, source.end])


def _measure(m: DraftMeasure) -> dict:
    item = {"code": m.code, "title": m.title, "quote": m.source.quote, "span": _span(m.source),
            "unit": m.unit, "target_value": _number(m.value), "comparator": m.comparator,
            "direction": m.direction}
    if m.deadline:
        item["deadline"] = m.deadline
    return item


def draft_as_seed(draft: Draft, source_name: str) -> dict:
    """The draft as the seed file's mapping; `source_name` is the text file beside it."""
    plan: dict = {"year": draft.year, "region": draft.region, "title": draft.title}
    if draft.adopted_on:
        plan["adopted_on"] = draft.adopted_on
    plan.update({"source": source_name, "default_deadline": dt.date(draft.year, 12, 31)})
    areas = []
    for area in draft.areas:
        tasks = []
        for task in area.tasks:
            item = {"code": task.code, "title": task.title, "quote": task.source.quote,
                    "span": _span(task.source),
                    "measures": [_measure(m) for m in task.measures]}
            if task.unplaced:
                item["unplaced_measures"] = [_measure(m) for m in task.unplaced]
            tasks.append(item)
        areas.append({"code": area.code, "title": area.title, "quote": area.source.quote,
                      "span": _span(area.source), "tasks": tasks})
    return {
        "format": SEED_FORMAT,
        "plan": plan,
        "import_notes": list(draft.notes),
        "headline_targets": [
            {"code": t.code, "name": t.name, "quote": t.source.quote, "span": _span(t.source),
             "unit": t.unit, "target_value": _number(t.value), "comparator": t.comparator,
             "direction": t.direction}
            for t in draft.targets
        ],
        "areas": areas,
    }


_HEADER = """\
# {title} —— 自动导入的草稿，请人工核对后再加载：
#   python manage.py seed_report {draft_name}
#
# 由 import_report 从报告原文自动抽取（未经人工核对）。quote 是 {source_name} 中的逐字原文，
# span 是其字符位置；报告未列明责任单位，故未设 default_assignment，请加载后在后台分派。
# unplaced_measures（如有）是无首句的标题行下的量化举措：种子格式只在任务所在段落内查找举措，
# 请把它们移到对应段落的任务下，或删除。
"""


def draft_yaml(draft: Draft, *, source_name: str, draft_name: str) -> str:
    header = _HEADER.format(title=draft.title, draft_name=draft_name, source_name=source_name)
    body = yaml.dump(draft_as_seed(draft, source_name), Dumper=_Dumper, allow_unicode=True,
                     sort_keys=False, width=4096, default_flow_style=False)
    return header + body


def source_path_for(draft_path: Path) -> Path:
    """The report text is saved next to the draft: draft.yaml -> draft.txt."""
    return draft_path.with_name(draft_path.stem + ".txt")


def draft_write(draft: Draft, draft_path: Path | str) -> tuple[Path, Path]:
    """Write the draft and its report text side by side; returns both paths."""
    draft_path = Path(draft_path)
    if draft_path.suffix.lower() == ".txt":
        raise ValueError("草稿文件不能以 .txt 结尾（报告原文会保存为同名 .txt 文件）")
    source_path = source_path_for(draft_path)
    draft_path.parent.mkdir(parents=True, exist_ok=True)
    source_path.write_text(draft.text, encoding="utf-8")
    draft_path.write_text(
        draft_yaml(draft, source_name=source_path.name, draft_name=str(draft_path)),
        encoding="utf-8")
    return draft_path, source_path
