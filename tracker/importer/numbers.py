"""Numbers, units and comparators as work reports write them.

Everything here reads *folded* text (see text.fold): half-width digits and punctuation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL = "零〇一二两三四五六七八九十百千"


def cn_to_int(text: str) -> int | None:
    """三 -> 3, 十一 -> 11, 二十 -> 20, 一百零五 -> 105; None for anything else."""
    if not text or len(text) > 8 or any(c not in _CN_DIGITS and c not in _CN_UNITS for c in text):
        return None
    total, digit, last_unit = 0, None, 10_000
    for char in text:
        if char in _CN_DIGITS:
            if digit is not None and digit != 0:
                return None  # "三四" is a range or a name, not a number
            digit = _CN_DIGITS[char]
        else:
            unit = _CN_UNITS[char]
            if unit >= last_unit:
                return None  # "十十" is no number
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
    return total + (digit or 0)


# Units, longest first within each family so "万平方米" wins over "万" and "场次" over "场".
# Magnitude prefixes (万, 亿, 千, 百万, 万亿) combine with the counted units below.
_COUNTED = (
    "个百分点", "人次", "户次", "课次", "场次", "批次", "家次", "架次", "航次", "余人",
    "微克/立方米", "平方公里", "平方米", "立方米", "千瓦时", "千瓦", "兆瓦", "公里", "千米", "公顷",
    "标准箱", "标箱", "美元", "欧元", "元", "吨", "斤", "亩", "米",
    "人", "户", "个", "家", "项", "所", "座", "处", "件", "场", "次", "张", "床", "条", "栋",
    "部", "名", "位", "支", "种", "台", "辆", "艘", "架", "块", "宗", "笔", "份", "间",
    "册", "株", "棵", "套", "倍", "组", "例", "篇", "单", "对", "批", "类", "口", "片", "园",
    "万", "亿",
)
_MAGNITUDE = r"(?:万亿|千万|百万|十万|万|亿|千|百)?"
UNIT_PATTERN = "(?:%|‰|" + _MAGNITUDE + "(?:" + "|".join(map(re.escape, _COUNTED)) + "))"
_DURATIONS = "(?:个工作日|工作日|小时|分钟|天|日)"

# A figure: not glued to Latin letters or other digits ("5G", "PM2.5", "G20", "3.0版").
_FIGURE = r"(?<![A-Za-z0-9.\-/])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![A-Za-z0-9.])"
# Durations first: "1个工作日" is one working day, not one "个".
QUANTITY = re.compile(_FIGURE + r"(" + _DURATIONS + "|" + UNIT_PATTERN + r")")
CN_QUANTITY = re.compile(
    r"(?<![第" + CN_NUMERAL + r"])([两二三四五六七八九十百千]{1,4})"
    r"(件|项|个|家|所|座|条|处|场|批次)"
)
_CN_VERB_BEFORE = re.compile(
    r"(办好|办|完成|实施|建设|新建|建成|打造|推进|开展|新增|实现|推动|启动|举办|培育|引进|改造|"
    r"创建|争创|落地|开工|竣工|签约|解决|做好|抓好|制定|出台)$")
# Idioms that state a number in words: zero growth, cleared to zero, a first one.
ZERO_IDIOMS = re.compile(r"零增长|动态清零|清零|零的突破|零突破|零发生|零事故|零伤亡")

GTE_BEFORE = re.compile(r"(突破|超过|不低于|不少于|不小于|至少|高于|大于|多于|达到?|超)$")
LTE_BEFORE = re.compile(
    r"(控制在|不超过|低于|小于|不高于|压缩至|压减至|缩短至|压缩到|缩短到|降至|降到)$")
GTE_AFTER = re.compile(r"^(以上|及以上|余|多)")
LTE_AFTER = re.compile(r"^(以内|以下|之内|内)")
APPROX_AFTER = re.compile(r"^(左右|上下)")

_DECREASE = re.compile(
    r"失业率|下降|降低|减少|压减|压缩|缩短|控制在|零增长|清零|事故|死亡|能耗|排放|涨幅|发生率|不超过|以内|以下")


@dataclass(frozen=True)
class Quantity:
    """One figure found in folded text: value, unit and where it sits (relative offsets)."""

    start: int           # first character of the figure
    end: int             # just after the unit and any comparator word that follows it
    value: Decimal
    unit: str
    comparator: str      # gte / lte / approx / eq
    after: str           # the comparator word right after the unit, if any
    is_duration: bool = False
    idiom: bool = False


def to_decimal(whole: str, fraction: str | None) -> Decimal | None:
    try:
        value = Decimal(whole.replace(",", "") + (fraction or ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def comparator_for(before: str, after: str) -> str:
    """The comparator from the words around a figure: after it (以上, 左右) or before it.

    Before the figure the longer word wins, so "不低于" (≥) is not read as "低于" (≤).
    """
    if APPROX_AFTER.match(after):
        return "approx"
    if LTE_AFTER.match(after):
        return "lte"
    if GTE_AFTER.match(after):
        return "gte"
    gte, lte = GTE_BEFORE.search(before), LTE_BEFORE.search(before)
    if gte and lte:
        return "gte" if len(gte.group(1)) > len(lte.group(1)) else "lte"
    if lte:
        return "lte"
    if gte and not gte.group(1).startswith("达"):
        return "gte"
    return "eq"


def direction_for(text: str, comparator: str) -> str:
    return "decrease" if comparator == "lte" or _DECREASE.search(text) else "increase"


def find_quantities(clause: str, *, masked: list[tuple[int, int]] = ()) -> list[Quantity]:
    """The figures in one folded clause, skipping those inside quotation marks or titles.

    `masked` spans (relative to the clause) are names such as “2144” or 《行动方案》:
    a number there is part of a name, not a target.
    """
    def in_mask(pos: int) -> bool:
        return any(a <= pos < b for a, b in masked)

    found: list[Quantity] = []
    for match in QUANTITY.finditer(clause):
        if in_mask(match.start()) or clause[max(0, match.start() - 1):match.start()] == "第":
            continue
        value = to_decimal(match.group(1), match.group(2))
        if value is None:
            continue
        unit = match.group(3)
        is_duration = bool(re.fullmatch(_DURATIONS, unit))
        after = clause[match.end():match.end() + 3]
        before = clause[max(0, match.start() - 4):match.start()]
        if is_duration and not (LTE_AFTER.match(after) or LTE_BEFORE.search(before)):
            # "24小时自助服务区", "15分钟文化服务圈": a duration names a service, unless
            # it is a limit ("压缩至3个工作日", "30分钟以内").
            continue
        found.append(_quantity(clause, match.start(), match.end(), value, unit, is_duration))
    for match in CN_QUANTITY.finditer(clause):
        # Figures in words count only after a verb of delivery ("办好十件民生实事"); elsewhere
        # they name things ("中央八项规定", "三大球").
        if in_mask(match.start()) or not _CN_VERB_BEFORE.search(clause[:match.start()]):
            continue
        number = cn_to_int(match.group(1))
        if number is None or number < 2:
            continue
        found.append(_quantity(clause, match.start(), match.end(), Decimal(number),
                               match.group(2), False))
    for match in ZERO_IDIOMS.finditer(clause):
        first = match.group(0) in ("零的突破", "零突破")
        found.append(Quantity(start=match.start(), end=match.end(),
                              value=Decimal(1 if first else 0), unit="",
                              comparator="gte" if first else "eq", after="", idiom=True))
    found.sort(key=lambda q: q.start)
    return found


def _quantity(clause: str, start: int, end: int, value: Decimal, unit: str,
              is_duration: bool) -> Quantity:
    after_text = clause[end:end + 3]
    comparator = comparator_for(clause[max(0, start - 4):start], after_text)
    word = ""
    for pattern in (APPROX_AFTER, LTE_AFTER, GTE_AFTER):
        match = pattern.match(after_text)
        if match:
            word = match.group(1)
            break
    return Quantity(start=start, end=end + len(word), value=value, unit=unit,
                    comparator=comparator, after=word, is_duration=is_duration)


# A name in quotation or book-title marks, at most 30 characters: an unclosed mark, or one
# that runs on for a whole sentence, is a typo, and masks nothing rather than swallowing
# the rest of the paragraph.
_NAMED = re.compile(r"“[^”]{0,29}”|《[^》]{0,29}》|\"[^\"]{0,29}\"|「[^」]{0,29}」|"
                    r"『[^』]{0,29}』|‘[^’]{0,29}’")
# Cheap test before the three patterns run: most clauses hold no figure at all.
MAY_HOLD_FIGURE = re.compile(r"[0-9零两二三四五六七八九十百千]")


def masked_spans(text: str) -> list[tuple[int, int]]:
    """Spans inside quotation marks and book-title marks: names, not statements."""
    return [match.span() for match in _NAMED.finditer(text)]
