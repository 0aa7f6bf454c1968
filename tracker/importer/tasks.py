"""Areas of work, their key tasks, and the quantified measures inside the key tasks.

- An area is a （一）（二）… line: its heading is the lead sentence of that paragraph
  ("（一）抓项目强产业，坚定不移构建现代产业体系。……") or the whole line when it is a bare
  heading ("（一）着力扩大有效需求").
- A key task is the lead sentence of each paragraph in the area ("狠抓项目扩大投资。"), or
  a bare heading line ("1.加快建设现代化产业体系") with the paragraphs under it as its body.
- A measure is a clause with a figure, a unit and a comparator
  ("规划实施亿元以上重点项目40个", "登记失业率控制在3%以内").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .numbers import (
    MAY_HOLD_FIGURE,
    Quantity,
    direction_for,
    find_quantities,
    masked_spans,
)
from .sections import AREA_MARK, AreaList, Line, Part

_SUB_MARK = re.compile(r"^(?:\d{1,2}[.、)]|\(\d{1,2}\)|[①-⑳]|[一二三四五六七八九十]{1,2}是|"
                       r"第[一二三四五六七八九十]{1,2}[,、]?)\s*")
_LEAD_END = re.compile(r"[。!?]")
_CLAUSE_END = re.compile(r"[,;。!?:]")
_CLOSING = re.compile(r"^各位(人大)?代表|^让我们")
_FILLER = re.compile(r"^(?:全年|今年|力争|确保|积极|深入|扎实|持续|全力|努力|争取|进一步|加快|"
                     r"大力|着力|继续|其中|同时|再|共|并)+")
_FIVE_YEAR_DUE = re.compile(r"(十三五|十四五|十五五|十六五)[”\"]?(期间|时期|末)")
_FIVE_YEAR_END = {"十三五": 2020, "十四五": 2025, "十五五": 2030, "十六五": 2035}
_BY_YEAR = re.compile(r"(?:到|至)(20\d\d)年|(20\d\d)年(?:底|前|末)")


@dataclass
class MeasureFound:
    start: int          # offsets in the written text
    end: int
    title: str
    quantity: Quantity
    direction: str
    deadline: dt.date | None


@dataclass
class TaskFound:
    """A key task: its quote (start, end), title, and the paragraph whose measures it owns.

    For a bare heading line the title is the heading and the quote is the lead sentence of
    the first paragraph under it: the seed format files measures within the paragraph of
    the task's quote, and that paragraph is where the heading's measures are written.
    Measures in any further paragraphs under the heading are kept aside (`body`).
    """

    start: int
    end: int
    title: str
    paragraph: Line
    bare: bool
    body: list[Line]
    heading: Line | None = None


@dataclass
class AreaFound:
    start: int
    end: int            # end of the heading quote
    title: str
    line: Line
    stop: int           # where the area's text ends (next area, next part, closing words)
    tasks: list[TaskFound]
    mark_length: int = 0


def area_stop(lines: list[Line], area_list: AreaList, index: int, parts: list[Part],
              text_length: int) -> int:
    if index + 1 < len(area_list.lines):
        return area_list.lines[index + 1].start
    stop = text_length
    if area_list.part is not None:
        stop = min(stop, area_list.part.end)
    else:
        for part in parts:
            if part.line.start > area_list.lines[-1].start:
                stop = min(stop, part.line.start)
                break
    last = area_list.lines[-1]
    for line in lines[last.index + 1:]:
        if line.start >= stop:
            break
        if _CLOSING.match(line.folded):
            return line.start
    return stop


def is_bare_heading(line: Line) -> bool:
    folded = line.folded.rstrip()
    return (0 < len(folded) <= 40 and "。" not in folded and folded.count(",") <= 1
            and not folded.endswith((";", "、")))


def parse_areas(text: str, lines: list[Line], area_list: AreaList,
                parts: list[Part]) -> list[AreaFound]:
    areas: list[AreaFound] = []
    for index, heading in enumerate(area_list.lines):
        stop = area_stop(lines, area_list, index, parts, len(text))
        mark = AREA_MARK.match(heading.folded)
        assert mark is not None  # area_list holds marker lines only
        start, end, title = _lead(heading, mark.end())
        body = [ln for ln in lines[heading.index + 1:] if ln.start < stop and ln.text]
        tasks = _tasks(body) or _tasks_in_heading(heading, end)
        areas.append(AreaFound(start=start, end=end, title=title[:200], line=heading,
                               stop=stop, tasks=tasks, mark_length=mark.end()))
    return areas


def _tasks_in_heading(heading: Line, lead_end: int) -> list[TaskFound]:
    """An area written as one paragraph: its second sentence is its one key task."""
    skip = lead_end - heading.start
    while skip < len(heading.text) and heading.text[skip] in " \u3000":
        skip += 1
    if len(heading.text) - skip < 4:
        return []
    rest = heading.folded[skip:]
    match = _LEAD_END.search(rest)
    end = heading.start + skip + (match.end() if match else len(rest))
    title = heading.text[skip:end - heading.start].rstrip("。！？!?")
    return [TaskFound(heading.start + skip, end, _short_title(title.strip()), heading,
                      bare=False, body=[])]


def _lead(line: Line, skip: int) -> tuple[int, int, str]:
    """Quote (start, end) and title of a paragraph's lead sentence, after `skip` chars of
    numbering. A line with no sentence end is a bare heading: the whole line."""
    rest = line.folded[skip:]
    match = _LEAD_END.search(rest)
    if match:
        end = line.start + skip + match.end()
        title = line.text[skip:skip + match.start()]
    else:
        end = line.end
        title = line.text[skip:].rstrip(" :：;；,，")
    return line.start, end, _short_title(title.strip())


def _short_title(title: str) -> str:
    """A long lead sentence keeps its first clause as the title (the quote keeps it all)."""
    if len(title) <= 40:
        return title
    clause = re.split(r"[，,；;]", title, maxsplit=1)[0]
    return clause if len(clause) >= 4 else title[:40]


def _tasks(body: list[Line]) -> list[TaskFound]:
    tasks: list[TaskFound] = []
    has_bare = any(is_bare_heading(line) for line in body)
    for line in body:
        mark = _SUB_MARK.match(line.folded)
        skip = mark.end() if mark else 0
        if has_bare and is_bare_heading(line):
            start, end, title = _lead(line, skip)
            tasks.append(TaskFound(start, end, title, line, bare=True, body=[]))
        elif has_bare and tasks and tasks[-1].bare:
            tasks[-1].body.append(line)
        else:
            start, end, title = _lead(line, skip)
            tasks.append(TaskFound(start, end, title, line, bare=False, body=[]))
    for task in tasks:
        if task.bare and task.body:
            first = task.body.pop(0)
            mark = _SUB_MARK.match(first.folded)
            task.start, task.end, _ = _lead(first, mark.end() if mark else 0)
            task.heading, task.paragraph = task.paragraph, first
    return [t for t in tasks if t.title]


def find_measures(text: str, folded: str, start: int, end: int,
                  plan_year: int) -> list[MeasureFound]:
    """Quantified measures in text[start:end], clause by clause."""
    segment = folded[start:end]
    masks = masked_spans(segment)
    found: list[MeasureFound] = []
    cursor = 0
    for match in [*_CLAUSE_END.finditer(segment), None]:
        clause_end = match.start() if match else len(segment)
        clause_start = cursor
        cursor = match.end() if match else len(segment)
        if clause_end - clause_start < 2:
            continue
        clause = segment[clause_start:clause_end]
        if not MAY_HOLD_FIGURE.search(clause):
            continue
        relative = [(a - clause_start, b - clause_start) for a, b in masks
                    if b > clause_start and a < clause_end]
        quantities = _targets(clause, find_quantities(clause, masked=relative))
        if not quantities:
            continue
        base = start + clause_start
        for (a, b), quantity in zip(_pieces(clause, quantities), quantities, strict=True):
            a, b = _trim(clause, a, b)
            if b - a < 2:
                continue
            piece = clause[a:b]
            written = text[base + a:base + b]
            found.append(MeasureFound(
                start=base + a, end=base + b,
                title=_measure_title(written, quantity.start - a, quantity.end - a, quantity),
                quantity=quantity,
                direction=direction_for(piece, quantity.comparator),
                deadline=_deadline(clause, plan_year),
            ))
    return found


def _targets(clause: str, quantities: list[Quantity]) -> list[Quantity]:
    """Drop figures that qualify another ("10亿元以上招商项目3个": 10亿元 is a size class)."""
    kept = []
    for i, q in enumerate(quantities):
        later = quantities[i + 1:]
        qualifies = q.after in ("以上", "及以上", "以下") and q.end < len(clause) and later
        if qualifies or (later and clause[q.end:q.end + 1] == "的"):
            continue
        if kept and kept[-1].end > q.start:
            continue  # overlapping readings of the same words
        kept.append(q)
    return kept


def _pieces(clause: str, quantities: list[Quantity]) -> list[tuple[int, int]]:
    """Split a clause holding several targets at the 、 between them."""
    if len(quantities) == 1:
        return [(0, len(clause))]
    bounds = []
    start = 0
    for q, following in zip(quantities, [*quantities[1:], None], strict=True):
        if following is None:
            bounds.append((start, len(clause)))
            break
        gap = clause[q.end:following.start]
        cut = gap.rfind("、")
        end = q.end + cut if cut >= 0 else q.end
        bounds.append((start, end))
        start = end + 1 if cut >= 0 else end
    return bounds


def _trim(clause: str, a: int, b: int) -> tuple[int, int]:
    while a < b and clause[a] in " 、和及与":
        a += 1
    while b > a and clause[b - 1] in " 、":
        b -= 1
    return a, b


def _measure_title(written: str, q_start: int, q_end: int, quantity: Quantity) -> str:
    if quantity.idiom:
        title = written
    else:
        before = written[:q_start]
        before = re.sub(r"(突破|超过|不低于|不少于|至少|达到|控制在|稳定在|保持在|不超过|低于|"
                        r"压缩至|缩短至|"
                        r"提高|提升至|提高到|增加|新增|达)$", lambda m: m.group(0)
                        if m.group(0) in ("提高", "增加", "新增") else "", before)
        title = before + written[q_end:]
    title = _FILLER.sub("", title.strip(" ，,、;；")).strip()
    return (title or written)[:300]


def _deadline(clause: str, plan_year: int) -> dt.date | None:
    match = _FIVE_YEAR_DUE.search(clause)
    if match and _FIVE_YEAR_END[match.group(1)] >= plan_year:
        return dt.date(_FIVE_YEAR_END[match.group(1)], 12, 31)
    match = _BY_YEAR.search(clause)
    if match:
        year = int(match.group(1) or match.group(2))
        if plan_year < year <= plan_year + 15:
            return dt.date(year, 12, 31)
    return None
