"""Find the part of a report that holds this year's targets and tasks.

A report is a few top-level parts ("一、2022年工作回顾", "二、2023年工作安排",
"三、加强政府自身建设"), and several of them may hold a （一）（二）… list. The tasks list
is the one in this year's part: not the review of last year, not a five-year plan, not
the government's own conduct when that is a part of its own.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from .numbers import cn_to_int
from .text import fold


@dataclass(frozen=True)
class Line:
    index: int
    start: int      # offset of the first character in the written text
    end: int        # offset just after the last character (the "\n" is not included)
    text: str       # written
    folded: str


def split_lines(text: str) -> list[Line]:
    lines, offset = [], 0
    folded = fold(text)
    for index, raw in enumerate(text.split("\n")):
        end = offset + len(raw)
        lines.append(Line(index, offset, end, raw, folded[offset:end]))
        offset = end + 1
    return lines


# Top-level parts: "一、……" on a line of its own, or "第一部分".
_PART = re.compile(
    r"^(?:([一二三四五六七八九十]{1,3})、|第([一二三四五六七八九十]{1,3})部分)\s*(\S.{0,58})$")
# Areas: "（一）……", folded to "(一)". Also "一是" is not one: that is prose.
AREA_MARK = re.compile(r"^\(([一二三四五六七八九十]{1,3})\)\s*")

REVIEW = "review"
FIVE_YEAR = "five_year"
CONDUCT = "conduct"
TASKS = "tasks"
OTHER = "other"

_REVIEW_WORDS = re.compile(r"回顾|总结|过去|一年来|五年来|成绩")
_FIVE_YEAR_WORDS = re.compile(r"五年|十四五|十五五|十三五|规划纲要|远景目标|中长期")
_CONDUCT_WORDS = re.compile(r"自身建设|政府建设|作风建设|人民满意|服务型政府|法治政府|廉洁政府|"
                            r"政府职能|行政效能")
_TASK_WORDS = re.compile(r"任务|工作|目标|安排|部署|要求|重点|举措")
_YEAR = re.compile(r"(20\d\d)年")


@dataclass
class Part:
    number: int
    line: Line
    end: int             # offset where the next part starts (or the text ends)
    kind: str = OTHER


@dataclass
class AreaList:
    lines: list[Line] = field(default_factory=list)   # the marker lines, in order
    score: float = 0.0
    part: Part | None = None

    @property
    def start(self) -> int:
        return self.lines[0].start


def find_parts(lines: list[Line], text_length: int, year: int | None) -> list[Part]:
    """Top-level parts, kept only while they count up from 一 without a gap."""
    parts: list[Part] = []
    for line in lines:
        match = _PART.match(line.folded)
        if not match or "。" in line.folded[:-1]:
            continue
        number = cn_to_int(match.group(1) or match.group(2))
        if number != len(parts) + 1:
            continue
        parts.append(Part(number=number, line=line, end=text_length))
    for part, following in itertools.pairwise(parts):
        part.end = following.line.start
    for part in parts:
        part.kind = classify_part(part.line.folded, year)
    return parts


def classify_part(heading: str, year: int | None) -> str:
    years = [int(y) for y in _YEAR.findall(heading)]
    if _REVIEW_WORDS.search(heading) or (year and years and max(years) < year):
        return REVIEW
    if _FIVE_YEAR_WORDS.search(heading):
        return FIVE_YEAR
    if _CONDUCT_WORDS.search(heading):
        return CONDUCT
    if _TASK_WORDS.search(heading) or (year and year in years) or "今年" in heading:
        return TASKS
    return OTHER


def find_area_lists(lines: list[Line]) -> list[AreaList]:
    """Runs of （一）（二）… marker lines that count up without a gap."""
    lists: list[AreaList] = []
    current: AreaList | None = None
    for line in lines:
        match = AREA_MARK.match(line.folded)
        if not match or len(line.folded) <= len(match.group(0)):
            continue
        number = cn_to_int(match.group(1))
        if number == 1:
            current = AreaList(lines=[line])
            lists.append(current)
        elif current is not None and number == len(current.lines) + 1:
            current.lines.append(line)
    return [area_list for area_list in lists if len(area_list.lines) >= 2]


_LEAD_IN = re.compile(r"(重点|着力|主要|全力|切实|扎实|突出)(做好|抓好|推进|开展|落实)?[^。]{0,12}"
                      r"(以下|如下|下列)[^。]{0,12}(方面|项|个)?(工作|任务|重点)?[:。]?$")


def part_of(parts: list[Part], offset: int) -> Part | None:
    found = None
    for part in parts:
        if part.line.start <= offset:
            found = part
    return found


def choose_area_list(lists: list[AreaList], parts: list[Part], lines: list[Line],
                     targets_at: int | None) -> AreaList | None:
    """The list that holds this year's areas of work, or None.

    Scores, highest wins: a list in this year's tasks part, announced by a lead-in such as
    "重点做好以下八方面工作", or following the targets paragraph, beats one in the review,
    a five-year plan or the conduct part; among equals the longer list wins, then the later.
    """
    best: AreaList | None = None
    for area_list in lists:
        part = part_of(parts, area_list.start)
        area_list.part = part
        kind = part.kind if part else OTHER
        score = {TASKS: 4.0, OTHER: 0.0, REVIEW: -10.0, FIVE_YEAR: -6.0, CONDUCT: -6.0}[kind]
        previous = _previous_text_line(lines, area_list.lines[0].index)
        if previous is not None and _LEAD_IN.search(previous.folded):
            score += 3
        if targets_at is not None and targets_at < area_list.start:
            score += 2
        score += min(len(area_list.lines), 20) * 0.1
        area_list.score = score
        if score > 0 and (best is None or score >= best.score):
            best = area_list
    return best


def _previous_text_line(lines: list[Line], index: int) -> Line | None:
    for i in range(index - 1, -1, -1):
        if lines[i].text:
            return lines[i]
    return None
