"""The headline targets paragraph (主要预期目标) split into indicators.

"主要预期目标是：地区生产总值增长6%左右，一般公共预算收入增长10%，……，城镇居民人均
可支配收入与经济增长同步" becomes one indicator per clause, each with its value, unit
and comparator; a clause with no figure but a relation (同步, 高于, 完成国家下达……) is a
qualitative target (comparator in_step, no value).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .numbers import (
    QUANTITY,
    comparator_for,
    direction_for,
    to_decimal,
)
from .sections import AREA_MARK, Line

# "主要预期目标是：", "主要目标建议为：", "预期目标如下：", "主要指标预期为：".
ANCHOR = re.compile(
    r"(?:主要预期目标|预期目标|主要目标|主要指标|发展目标|主要经济指标)"
    r"(?:任务)?(?:建议)?(?:是|为|如下|确定为|安排为|预期为)\s*[:]?|"
    r"(?:主要预期目标|预期目标)\s*[:]"
)
_QUALITATIVE = re.compile(
    r"同步|高于|快于|低于|好于|持平|相适应|相协调|相匹配|完成[^,;。]{0,8}下达|下达的|"
    r"合理区间|基本平衡|基本稳定|保持稳定|稳中有|持续改善|稳步提升|稳步提高|力争更好")
_CLAUSE_SPLIT = re.compile(r"[,;。!?:]")
_LEADING = re.compile(r"^(?:——|—|-|·|•|\d+[.、)]|\(\d+\)|[①-⑳]|其中|力争|确保|全年|全区|全市|"
                      r"全省|实现|努力)+")
_SUBJECT_END = re.compile(r"(等指标|等主要指标)?(与|和|同|保持|高于|快于|低于|好于|均|增长|"
                          r"完成)")
_NAME_VERBS = re.compile(r"(控制在|保持在|稳定在|保持|达到|突破|超过|不低于|不少于|不超过|"
                         r"力争|实现|低于|高于|达)$")


@dataclass
class TargetClause:
    """One indicator found in the targets paragraph (offsets in the written text)."""

    name: str
    start: int
    end: int
    unit: str
    comparator: str
    direction: str
    value: Decimal | None


def find_anchor(lines: list[Line], start: int, end: int) -> tuple[Line, int] | None:
    """The targets paragraph between offsets `start` and `end`: its line and where its
    list begins. The last anchor before the areas wins: a report may mention a five-year
    plan's goals before it comes to this year's."""
    found = None
    for line in lines:
        if line.end <= start or line.start >= end or AREA_MARK.match(line.folded):
            continue
        for match in ANCHOR.finditer(line.folded):
            rest = line.folded[match.end():]
            # A heading such as "二、主要目标和重点任务" names the part; it lists nothing.
            if not _has_targets(rest) and not _next_lines_have_targets(lines, line.index):
                continue
            found = (line, line.start + match.end())
    return found


def _has_targets(text: str) -> bool:
    return bool(QUANTITY.search(text) or _QUALITATIVE.search(text))


def _next_lines_have_targets(lines: list[Line], index: int) -> bool:
    rest = lines[index].folded
    if rest.rstrip().endswith((":", "：")) and index + 1 < len(lines):
        following = next((ln for ln in lines[index + 1:index + 3] if ln.text), None)
        return following is not None and _has_targets(following.folded)
    return False


def parse_targets(text: str, lines: list[Line], anchor: tuple[Line, int],
                  stop: int) -> list[TargetClause]:
    """Indicators from the anchor to the end of the targets list.

    The list runs on the anchor's line, or on the lines after it when the anchor ends its
    line ("——地区生产总值增长6%左右；" one per line). It stops at the first sentence that
    names no target, so "重点做好以下八方面工作" is never read as one.
    """
    line, list_start = anchor
    spans: list[tuple[int, int, str]] = []   # (start, end, folded) of each sentence
    if line.folded[list_start - line.start:].strip(" :"):
        spans.extend(_sentences(line, list_start))
    else:
        for following in lines[line.index + 1:]:
            if following.start >= stop or AREA_MARK.match(following.folded):
                break
            if not following.text:
                continue
            if not _has_targets(following.folded):
                break
            spans.extend(_sentences(following, following.start))
    clauses: list[TargetClause] = []
    for start, _end, sentence in spans:
        found = _clauses(text, sentence, start)
        if not found:
            if clauses:
                break
            continue
        clauses.extend(found)
    return clauses


def _sentences(line: Line, start: int) -> list[tuple[int, int, str]]:
    text = line.folded[start - line.start:]
    result, cursor = [], 0
    for match in re.finditer(r"[。!?]", text):
        result.append((start + cursor, start + match.end(), text[cursor:match.end()]))
        cursor = match.end()
    if cursor < len(text):
        result.append((start + cursor, start + len(text), text[cursor:]))
    return result


def _clauses(text: str, sentence: str, offset: int) -> list[TargetClause]:
    found: list[TargetClause] = []
    cursor = 0
    for piece in [*_CLAUSE_SPLIT.split(sentence)]:
        piece_start = cursor
        cursor += len(piece) + 1
        lead = _LEADING.match(piece)
        skip = len(lead.group(0)) if lead else 0
        stripped = piece[skip:].strip()
        if len(stripped) < 4:
            continue
        begin = offset + piece_start + piece.index(stripped, skip)
        end = begin + len(stripped)
        found.extend(_targets_in(stripped, text[begin:end], begin, end))
    return found


def _targets_in(clause: str, written: str, start: int, end: int) -> list[TargetClause]:
    def w(folded_part: str) -> str:
        """The written form of a piece of the folded clause (names keep the report's marks)."""
        at = clause.find(folded_part)
        return written[at:at + len(folded_part)] if at >= 0 and folded_part else folded_part

    quantity = next((m for m in QUANTITY.finditer(clause)), None)
    subjects = _subjects(clause)
    if quantity is not None:
        value = to_decimal(quantity.group(1), quantity.group(2))
        if value is None:
            return []
        before = clause[:quantity.start()]
        comparator = comparator_for(before[-4:], clause[quantity.end():quantity.end() + 3])
        unit = quantity.group(3)
        direction = direction_for(clause, comparator)
        name = _rate(w(_name(before))) or written
        if len(subjects) > 1:
            rest = _rate(w(_name(clause[len(subjects_text(clause)):quantity.start()])))
            return [TargetClause(f"{w(s)}{rest}", start, end, unit, comparator, direction,
                                 value) for s in subjects]
        return [TargetClause(name, start, end, unit, comparator, direction, value)]
    if not _QUALITATIVE.search(clause):
        return []
    direction = direction_for(clause, "in_step")
    if len(subjects) > 1:
        rest = clause[len(subjects_text(clause)):]
        rest = re.sub(r"^(等主要指标|等指标|等)", "", rest)
        return [TargetClause(f"{w(s)}{w(rest)}", start, end, "", "in_step", direction, None)
                for s in subjects]
    return [TargetClause(written, start, end, "", "in_step", direction, None)]


def subjects_text(clause: str) -> str:
    match = _SUBJECT_END.search(clause)
    return clause[:match.start()] if match else ""


def _subjects(clause: str) -> list[str]:
    """"固定资产投资、实际利用外资等指标与……同步" names several indicators at once."""
    head = subjects_text(clause)
    head = re.sub(r"(等主要指标|等指标|等)$", "", head)
    parts = [p.strip() for p in head.split("、")]
    if len(parts) < 2 or any(len(p) < 2 for p in parts):
        return []
    return parts


def _name(before: str) -> str:
    name = before.strip()
    for _ in range(3):
        name = _NAME_VERBS.sub("", name).strip()
    return name


def _rate(name: str) -> str:
    """"地区生产总值增长" names the growth rate: "地区生产总值增速"."""
    return name[:-2] + "增速" if name.endswith("增长") and len(name) > 2 else name
