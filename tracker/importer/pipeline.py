"""Import a work report: raw text in, a draft plan out (or one clear reason why not).

1. Clean the text (text.clean_report) and split it into lines.
2. Read the front matter: title, year, region, the date of the meeting that adopted it.
3. Find the top-level parts and every （一）（二）… list; choose this year's tasks list.
4. Find the targets paragraph before that list and split it into indicators.
5. Read areas, key tasks and measures; give them codes (T01, A1, A1.1, A1.1.1).
6. Make every quote findable where the seed loader looks for it.
"""

from __future__ import annotations

import datetime as dt
import re

from .draft import Draft, DraftArea, DraftIndicator, DraftMeasure, DraftTask, Source
from .sections import (
    CONDUCT,
    FIVE_YEAR,
    REVIEW,
    Line,
    Part,
    choose_area_list,
    find_area_lists,
    find_parts,
    split_lines,
)
from .targets import find_anchor, parse_targets
from .tasks import AreaFound, MeasureFound, find_measures, parse_areas
from .text import clean_report, fold


class ReportImportError(Exception):
    """The text could not be read as a work report; the message says what was missing."""


_GENRE = re.compile(r"政府工作报告|各位代表|预期目标|工作任务|重点工作|主要任务|工作安排|重点任务")
_TITLE_YEAR = re.compile(r"(20\d\d)年")
_MEETING_DATE = re.compile(r"(20\d\d)年(\d{1,2})月(\d{1,2})日")
_MEETING = re.compile(r"人民代表大会|人代会|会议上")
_REGION_FROM_MEETING = re.compile(r"在(.{2,20}?)第[一二三四五六七八九十百]+届人民代表大会")
_TARGETS_YEAR = re.compile(r"(20\d\d)年")
REGION_PLACEHOLDER = "待填写地区"


def import_report(raw: str, *, year: int | None = None, region: str | None = None) -> Draft:
    text = clean_report(raw or "")
    if not text.strip():
        raise ReportImportError("文件里没有文字内容，无法导入。")
    folded = fold(text)
    if not _GENRE.search(folded):
        raise ReportImportError(
            "这不像是一份政府工作报告：没有找到“政府工作报告”“各位代表”“主要预期目标”"
            "“重点工作”等字样。")
    lines = split_lines(text)
    front = _front_matter(lines)
    year = year or front["year"]
    parts = find_parts(lines, len(text), year)
    lists = find_area_lists(lines)
    if not lists:
        raise ReportImportError(
            "没有找到“（一）（二）……”形式的工作任务列表，无法识别工作领域。"
            "这可能不是政府工作报告，或者报告的编号格式不同。")
    provisional = _anchor_outside(lines, parts, len(text))
    chosen = choose_area_list(lists, parts, lines, provisional)
    if chosen is None:
        kinds = {REVIEW: "上年工作回顾", FIVE_YEAR: "五年规划", CONDUCT: "政府自身建设"}
        seen = sorted({kinds.get(p.kind, "") for p in parts if p.kind in kinds} - {""})
        where = "、".join(seen) or "其他部分"
        raise ReportImportError(
            f"只在{where}中找到了“（一）（二）……”列表，没有找到本年度的目标任务部分。")

    anchor = find_anchor(lines, _targets_search_start(parts, chosen.part), chosen.start)
    if year is None:
        year = _year_near(chosen.part, anchor)
    if year is None:
        raise ReportImportError(
            "无法判断报告年度：标题和正文中都没有“20XX年”，请指定年度（--year）。")

    notes: list[str] = []
    region = (region or front["region"] or "").strip()
    if not region:
        region = REGION_PLACEHOLDER
        notes.append("报告中没有找到地区名称，plan.region 暂填“待填写地区”，请改为实际地区。")
    title = front["title"] or f"{year}年{region}政府工作报告"

    targets: list[DraftIndicator] = []
    if anchor is None:
        notes.append("报告中没有主要预期目标段落（如“主要预期目标是：……”），"
                     "headline_targets 留空，没有编造任何目标。")
    else:
        found = parse_targets(text, lines, anchor, chosen.start)
        if not found:
            notes.append("找到了主要预期目标段落，但其中没有可识别的指标，headline_targets 留空。")
        for clause in found:
            source = _findable(text, clause.start, clause.end, 0)
            if source is None:
                notes.append(f"目标“{text[clause.start:clause.end]}”在原文中重复出现，未能唯一定位，已略去。")
                continue
            targets.append(DraftIndicator(
                code=f"T{len(targets) + 1:02d}", name=clause.name[:200], source=source,
                unit=clause.unit, comparator=clause.comparator, direction=clause.direction,
                value=clause.value))

    areas = _build_areas(text, folded, parse_areas(text, lines, chosen, parts), year, notes)
    if not any(area.tasks for area in areas):
        raise ReportImportError("找到了工作领域的编号，但其下没有可识别的重点任务段落。")
    unplaced = sum(len(t.unplaced) for a in areas for t in a.tasks)
    if unplaced:
        notes.append(f"有 {unplaced} 项量化举措写在无首句的标题行之下的段落里，已列在 "
                     "unplaced_measures 中待人工归位。")
    return Draft(year=year, region=region[:100], title=title[:200],
                 adopted_on=front["adopted_on"], text=text, targets=targets, areas=areas,
                 notes=notes, found_targets_paragraph=anchor is not None)


# ---------------------------------------------------------------- front matter


def _front_matter(lines: list[Line]) -> dict:
    """Title, year, region and adoption date from the lines before the salutation."""
    head = [line for line in lines[:12] if line.text][:8]
    result: dict = {"title": None, "year": None, "region": None, "adopted_on": None}
    title = next((ln for ln in head if "政府工作报告" in ln.folded and len(ln.text) <= 60), None)
    if title is not None:
        result["title"] = title.text.strip()
        match = _TITLE_YEAR.search(title.folded)
        if match:
            result["year"] = int(match.group(1))
        region = re.sub(r"^.*?20\d\d年(度)?", "", title.folded.split("政府工作报告")[0])
        region = re.sub(r"[\s\[\]【】()《》“”\"]", "", region)
        region = re.sub(r"人民$", "", region)  # "云岚省人民政府工作报告"
        if 2 <= len(region) <= 30:
            result["region"] = title.text[title.folded.find(region):][:len(region)]
    for line in head:
        if not _MEETING.search(line.folded):
            continue
        match = _MEETING_DATE.search(line.folded)
        if match:
            try:
                day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                day = None
            if day is not None:
                result["adopted_on"] = day
                # A report given in November or December is for the coming year.
                result["year"] = result["year"] or (day.year + 1 if day.month >= 11 else day.year)
        place = _REGION_FROM_MEETING.search(line.folded)
        if place and not result["region"]:
            result["region"] = place.group(1)
        break
    return result


def _anchor_outside(lines: list[Line], parts: list[Part], length: int) -> int | None:
    """Where a targets paragraph sits, ignoring review, five-year and conduct parts."""
    allowed = [(p.line.start, p.end) for p in parts if p.kind not in (REVIEW, FIVE_YEAR, CONDUCT)]
    for start, end in allowed or [(0, length)]:
        anchor = find_anchor(lines, start, end)
        if anchor is not None:
            return anchor[1]
    return None


def _targets_search_start(parts: list[Part], chosen: Part | None) -> int:
    """The targets paragraph may sit in the tasks part or in a part of its own just before
    it ("二、总体要求和主要目标" then "三、重点工作"), never in the review."""
    if chosen is None:
        return 0
    start = chosen.line.start
    for part in reversed(parts[:parts.index(chosen)]):
        if part.kind in (REVIEW, FIVE_YEAR, CONDUCT):
            break
        start = part.line.start
    return start


def _year_near(part: Part | None, anchor: tuple[Line, int] | None) -> int | None:
    for folded in (part.line.folded if part else "", anchor[0].folded if anchor else ""):
        match = _TARGETS_YEAR.search(folded)
        if match:
            return int(match.group(1))
    return None


# ---------------------------------------------------------------- areas and codes


def _findable(text: str, start: int, end: int, scope_start: int,
              limit: int | None = None) -> Source | None:
    """A quote the seed loader finds at `start` when it searches from `scope_start`.

    The loader takes the first occurrence, so a clause repeated earlier in the scope is
    lengthened (up to the end of its line) until it is unique there.
    """
    # A quote never crosses a line break: the loader strips quotes, so one ending in "\n"
    # would be looked up without it and could match somewhere else.
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    end = min(end, line_end)
    limit = min(line_end, line_end if limit is None else limit, end + 200)
    while True:
        quote = text[start:end]
        if quote and text.find(quote, scope_start) == start:
            return Source(quote, start, end)
        if end >= limit:
            return None
        end += 1


def _build_areas(text: str, folded: str, found: list[AreaFound], year: int,
                 notes: list[str]) -> list[DraftArea]:
    areas: list[DraftArea] = []
    area_cursor = 0
    for area in found:
        source = _findable(text, area.start, area.end, area_cursor)
        if source is None:
            notes.append(f"工作领域“{area.title}”的标题在原文中重复，未能唯一定位，已略去。")
            continue
        area_cursor = source.end
        draft_area = DraftArea(code=f"A{len(areas) + 1}", title=area.title or source.quote,
                               source=source)
        task_cursor = source.end
        for task in area.tasks:
            task_source = _findable(text, task.start, task.end, task_cursor, area.stop)
            if task_source is None:
                notes.append(f"重点任务“{task.title}”在本领域内重复出现，未能唯一定位，已略去。")
                continue
            task_cursor = task_source.end
            code = f"{draft_area.code}.{len(draft_area.tasks) + 1}"
            draft_task = DraftTask(code=code, title=task.title[:300], source=task_source)
            # The first key task's measures are looked for from the area heading on, so a
            # figure in the heading paragraph ("办好十件民生实事") is filed under it.
            first = not draft_area.tasks
            scope = area.start if first else task.paragraph.start
            placed = [(task.paragraph.start, task.paragraph.end)]
            aside = [(line.start, line.end) for line in task.body]
            if first:
                # After the （一） mark: the mark is no part of a measure's wording.
                placed.insert(0, (area.start + area.mark_length, area.line.end))
            if task.heading is not None:
                (placed if first else aside).insert(0, (task.heading.start, task.heading.end))
            for a, b in placed:
                for measure in find_measures(text, folded, a, b, year):
                    _add_measure(draft_task.measures, text, measure, scope, task.paragraph.end)
            for a, b in aside:
                for measure in find_measures(text, folded, a, b, year):
                    _add_measure(draft_task.unplaced, text, measure, a, b)
            draft_area.tasks.append(draft_task)
        if draft_area.tasks:
            areas.append(draft_area)
        else:
            notes.append(f"工作领域“{area.title}”下没有找到重点任务，已略去。")
    for area in areas:
        for task in area.tasks:
            for number, measure in enumerate([*task.measures, *task.unplaced], start=1):
                measure.code = f"{task.code}.{number}"
    return areas


def _add_measure(into: list[DraftMeasure], text: str, found: MeasureFound, scope: int,
                 limit: int) -> None:
    source = _findable(text, found.start, found.end, scope, limit)
    if source is None or any(m.source.start == source.start for m in into):
        return
    q = found.quantity
    into.append(DraftMeasure(code="", title=found.title, source=source, unit=q.unit,
                             comparator=q.comparator, direction=found.direction,
                             value=q.value, deadline=found.deadline))
