"""Server-rendered SVG charts: no script, nothing fetched, so pages work on an intranet
and print as they look. Every chart has a text alternative (role="img" and a label);
the numbers themselves are also on the page in text.

Functions take plain values (dates, Decimals, counts) and return safe markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tracker.choices import Comparator, Direction, Status

# Fill colours for status segments. Text never sits on them (labels are beside the bars),
# so they need to be distinguishable, not to carry text contrast.
STATUS_FILL = {
    Status.OFF_TRACK: "#d92d20",
    Status.AT_RISK: "#f79009",
    Status.ON_TRACK: "#12b76a",
    Status.NOT_STARTED: "#98a2b3",
    Status.DONE: "#2e90fa",
}
INK = "#1d2939"
MUTED = "#475467"
GRID = "#e4e7ec"
ACTUAL = "#1849a9"
EXPECTED = "#667085"
TARGET = "#b42318"


def _n(value: float) -> str:
    """A coordinate, short: SVG needs no more than one decimal here."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _fmt(value: Decimal | float | None) -> str:
    if value is None:
        return "—"
    text = f"{Decimal(value).normalize():f}"
    return text


def _svg(body: str, *, view_box: str, label: str, css_class: str,
         preserve: str | None = None) -> SafeString:
    preserve_attr = f' preserveAspectRatio="{preserve}"' if preserve else ""
    return mark_safe(
        f'<svg class="{css_class}" viewBox="{view_box}"{preserve_attr} role="img" '
        f'aria-label="{escape(label)}" focusable="false"><title>{escape(label)}</title>'
        f"{body}</svg>")


# ---------------------------------------------------------------- bars

def progress_bar(percent: int | None, *, expected: int | None = None) -> SafeString:
    """A 0–100 bar; with `expected`, a tick where the trajectory says it should be."""
    percent = max(0, min(100, int(percent or 0)))
    label = _("完成进度 %(p)d%%") % {"p": percent}
    body = (f'<rect x="0" y="0" width="100" height="10" rx="2" fill="{GRID}"/>'
            f'<rect x="0" y="0" width="{percent}" height="10" rx="2" fill="{ACTUAL}"/>')
    if expected is not None:
        expected = max(0, min(100, int(expected)))
        label += _("，序时进度 %(e)d%%") % {"e": expected}
        body += (f'<rect x="{_n(max(0, expected - 0.6))}" y="0" width="1.2" height="10" '
                 f'fill="{INK}"/>')
    return _svg(body, view_box="0 0 100 10", label=label, css_class="chart-bar",
                preserve="none")


def status_stack(counts: dict[str, int]) -> SafeString:
    """One bar split by status, worst first (the area roll-up's counts)."""
    total = sum(counts.get(s, 0) for s in STATUS_FILL)
    parts, x = [], 0.0
    labels = []
    for status, fill in STATUS_FILL.items():
        n = counts.get(status, 0)
        if not n:
            continue
        width = 100 * n / total
        parts.append(f'<rect x="{_n(x)}" y="0" width="{_n(width)}" height="10" '
                     f'fill="{fill}"/>')
        labels.append(f"{Status(status).label} {n}")
        x += width
    if not parts:
        parts.append(f'<rect x="0" y="0" width="100" height="10" fill="{GRID}"/>')
    label = "，".join(labels) or _("暂无任务")
    return _svg("".join(parts), view_box="0 0 100 10", label=label, css_class="chart-bar",
                preserve="none")


# ---------------------------------------------------------------- headline bullet

def bullet(*, actual: Decimal | None, target: Decimal | None, baseline: Decimal | None = None,
           unit: str = "") -> SafeString | None:
    """A bullet chart for a headline target: the actual as a bar, the target as a mark,
    the baseline as a faint tick. None when there is no number to draw (同步 targets)."""
    if target is None:
        return None
    values = [float(v) for v in (actual, target, baseline) if v is not None]
    low = min(0.0, *values)
    high = max(values) * 1.15 if max(values) > 0 else 1.0
    span = (high - low) or 1.0

    def x(v: float) -> float:
        return 4 + 192 * (v - low) / span

    body = [f'<rect x="4" y="8" width="192" height="12" fill="{GRID}"/>']
    if baseline is not None:
        body.append(f'<rect x="{_n(x(float(baseline)) - 0.75)}" y="5" width="1.5" '
                    f'height="18" fill="{EXPECTED}"/>')
    if actual is not None:
        body.append(f'<rect x="{_n(x(0) if low < 0 else 4)}" y="10" '
                    f'width="{_n(max(1.0, x(float(actual)) - (x(0) if low < 0 else 4)))}" '
                    f'height="8" fill="{ACTUAL}"/>')
    body.append(f'<rect x="{_n(x(float(target)) - 1.5)}" y="3" width="3" height="22" '
                f'fill="{TARGET}"/>')
    label = _("目标 %(t)s%(u)s，最新实际 %(a)s%(u)s") % {
        "t": _fmt(target), "a": _fmt(actual), "u": unit}
    if baseline is not None:
        label += _("，基期 %(b)s%(u)s") % {"b": _fmt(baseline), "u": unit}
    return _svg("".join(body), view_box="0 0 200 28", label=label, css_class="chart-bullet")


# ---------------------------------------------------------------- trajectory

@dataclass(frozen=True)
class Point:
    on: dt.date
    value: Decimal


def expected_is_flat(*, unit: str, comparator: str, direction: str) -> bool:
    """Rates (%), ceilings (≤) and "less is better" targets hold all year: the expected
    line is the target itself. Counts and amounts accumulate: the expected line rises
    from zero to the target in step with time (the same 序时 idea as the status rule)."""
    return (unit.strip() in ("%", "％") or comparator == Comparator.LTE
            or direction == Direction.DECREASE)


def trajectory(*, start: dt.date, due: dt.date, target: Decimal | None,
               readings: Sequence[Point], today: dt.date, unit: str = "",
               comparator: str = Comparator.EQ, direction: str = Direction.INCREASE,
               baseline: Decimal | None = None) -> SafeString:
    """Expected trajectory against actual readings, over the indicator's period."""
    width, height = 640, 240
    left, right, top, bottom = 56, 16, 16, 36
    end = max([due, *(p.on for p in readings)])
    begin = min([start, *(p.on for p in readings)])
    days = max(1, (end - begin).days)
    flat = expected_is_flat(unit=unit, comparator=comparator, direction=direction)

    values = [float(p.value) for p in readings]
    if target is not None:
        values.append(float(target))
    if baseline is not None:
        values.append(float(baseline))
    low = min([0.0, *values])
    high = max([*values, 0.0])
    high = high * 1.1 if high > 0 else 1.0
    span = (high - low) or 1.0

    def x(on: dt.date) -> float:
        return left + (width - left - right) * (on - begin).days / days

    def y(v: float) -> float:
        return top + (height - top - bottom) * (1 - (v - low) / span)

    body: list[str] = []
    # Y grid: five levels between low and high, labelled.
    for i in range(5):
        v = low + span * i / 4
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{_n(y(v))}" '
                    f'y2="{_n(y(v))}" stroke="{GRID}"/>')
        body.append(f'<text x="{left - 6}" y="{_n(y(v) + 4)}" text-anchor="end" '
                    f'font-size="12" fill="{MUTED}">{escape(_tick(v))}</text>')
    # X ticks: the start, each quarter's end inside the period, and the due date.
    for on in _date_ticks(begin, end):
        body.append(f'<text x="{_n(x(on))}" y="{height - 12}" text-anchor="middle" '
                    f'font-size="12" fill="{MUTED}">{on.month}/{on.day}</text>')
        body.append(f'<line x1="{_n(x(on))}" x2="{_n(x(on))}" y1="{top}" '
                    f'y2="{height - bottom}" stroke="{GRID}"/>')
    if baseline is not None:
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{_n(y(float(baseline)))}" '
                    f'y2="{_n(y(float(baseline)))}" stroke="{EXPECTED}" '
                    f'stroke-dasharray="2 4"/>')
    if target is not None:
        t = float(target)
        if flat:
            line = (f'{left},{_n(y(t))} {width - right},{_n(y(t))}')
        else:
            line = f"{_n(x(start))},{_n(y(0.0))} {_n(x(due))},{_n(y(t))}"
        body.append(f'<polyline points="{line}" fill="none" stroke="{EXPECTED}" '
                    f'stroke-width="2" stroke-dasharray="6 4"/>')
        body.append(f'<circle cx="{_n(x(due))}" cy="{_n(y(t))}" r="4" fill="{TARGET}"/>')
    if begin <= today <= end:
        body.append(f'<line x1="{_n(x(today))}" x2="{_n(x(today))}" y1="{top}" '
                    f'y2="{height - bottom}" stroke="{INK}" stroke-dasharray="1 3"/>')
    if readings:
        points = " ".join(f"{_n(x(p.on))},{_n(y(float(p.value)))}" for p in readings)
        body.append(f'<polyline points="{points}" fill="none" stroke="{ACTUAL}" '
                    f'stroke-width="2.5"/>')
        for p in readings:
            tip = f"{p.on.isoformat()}: {_fmt(p.value)}{unit}"
            body.append(f'<circle cx="{_n(x(p.on))}" cy="{_n(y(float(p.value)))}" r="4" '
                        f'fill="{ACTUAL}"><title>{escape(tip)}</title></circle>')

    label = _("指标走势：目标 %(t)s%(u)s（%(due)s），实际 %(n)d 次报送，最新 %(a)s%(u)s") % {
        "t": _fmt(target), "u": unit, "due": due.isoformat(), "n": len(readings),
        "a": _fmt(readings[-1].value) if readings else "—"}
    return _svg("".join(body), view_box=f"0 0 {width} {height}", label=label,
                css_class="chart-trajectory")


def _tick(v: float) -> str:
    if abs(v) >= 100 or v == int(v):
        return f"{v:.0f}"
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _date_ticks(begin: dt.date, end: dt.date) -> list[dt.date]:
    ticks = [begin]
    year, month = begin.year, begin.month
    while True:
        # The last day of each quarter: 3/31, 6/30, 9/30, 12/31.
        month += 1
        if month > 12:
            year, month = year + 1, 1
        if month not in (4, 7, 10, 1):
            continue
        quarter_end = dt.date(year, month, 1) - dt.timedelta(days=1)
        if quarter_end >= end:
            break
        if (quarter_end - ticks[-1]).days > 20:
            ticks.append(quarter_end)
    if (end - ticks[-1]).days > 20 or len(ticks) == 1:
        ticks.append(end)
    else:
        ticks[-1] = end
    return ticks
