"""Template helpers of the web UI: status badges, charts, sortable headers."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tracker import charts
from tracker.choices import Comparator, Status

register = template.Library()


@register.filter
def get(mapping, key):
    """{{ counts|get:status }}: a dict lookup with a variable key."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.simple_tag
def status_badge(status: str) -> SafeString:
    try:
        label = Status(status).label
    except ValueError:
        label = status or "—"
    return format_html('<span class="badge status-{}">{}</span>', status, label)


@register.simple_tag
def progress_bar(percent, expected=None) -> SafeString:
    return charts.progress_bar(percent, expected=expected)


@register.simple_tag
def status_stack(counts) -> SafeString:
    return charts.status_stack(counts)


@register.simple_tag
def headline_chart(indicator) -> SafeString | str:
    return charts.bullet(actual=indicator.latest_actual, target=indicator.target_value,
                         baseline=indicator.baseline, unit=indicator.unit) or ""


@register.filter
def number(value) -> str:
    """A Decimal without trailing zeros: 1.7600 -> 1.76, 40.0000 -> 40."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value).normalize():f}"


@register.simple_tag
def target_text(indicator) -> str:
    """"≥ 150 家", "≈ 6 %", or "同步" for in-step targets."""
    if indicator.comparator == Comparator.IN_STEP or indicator.target_value is None:
        return str(Comparator.IN_STEP.label)
    sign = "" if indicator.comparator == Comparator.EQ else f"{indicator.get_comparator_display()} "
    return f"{sign}{number(indicator.target_value)} {indicator.unit}".strip()


def _query(context):
    """The page's query string: the view's `query` when it made the defaults explicit
    (e.g. the plan), so a copied link keeps showing the same list; else the request's."""
    query = context.get("query")
    return (query if query is not None else context["request"].GET).copy()


@register.simple_tag(takes_context=True)
def sort_header(context, key: str, label: str) -> SafeString:
    """A column header that sorts by `key`, and reverses when already sorted by it. Keeps
    the other filters in the URL and goes back to page 1."""
    current = context.get("sort") or "position"
    params = _query(context)
    params.pop("page", None)
    if current == key:
        params["sort"], arrow, state = f"-{key}", " ↑", "ascending"
    elif current == f"-{key}":
        params["sort"], arrow, state = key, " ↓", "descending"
    else:
        params["sort"], arrow, state = key, "", None
    sorted_attr = format_html(' aria-sort="{}"', state) if state else ""
    return format_html('<th scope="col"{}><a href="?{}">{}{}</a></th>', sorted_attr,
                       params.urlencode(), label, arrow)


@register.simple_tag(takes_context=True)
def with_params(context, **changes) -> str:
    """The current query string with `changes` applied (None removes a key)."""
    params = _query(context)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return f"?{params.urlencode()}" if params else "?"


@register.filter
def filesize(size: int) -> str:
    if size is None:
        return ""
    if size < 1024:
        return _("%(n)d 字节") % {"n": size}
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
