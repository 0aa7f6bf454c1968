"""How statuses and progress look in admin lists: one badge for every page."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tracker.choices import Status

# 红黄绿灯: background and text colour per status.
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    Status.DONE: ("#1b5e20", "#fff"),
    Status.ON_TRACK: ("#43a047", "#fff"),
    Status.AT_RISK: ("#f9a825", "#222"),
    Status.OFF_TRACK: ("#c62828", "#fff"),
    Status.NOT_STARTED: ("#9e9e9e", "#fff"),
}


def status_badge(status: str, *, overridden: bool = False, title: str = "") -> SafeString:
    """A coloured pill with the status label; a 人工 marker when 督查室 decided it."""
    if not status:
        return format_html("{}", "-")
    background, colour = STATUS_COLOURS.get(status, ("#607d8b", "#fff"))
    marker = format_html(' <span title="{}">✎{}</span>', title, _("人工")) if overridden else ""
    return format_html(
        '<span class="status-badge status-{}" style="background:{};color:{};'
        'padding:1px 8px;border-radius:9px;white-space:nowrap">{}{}</span>',
        status, background, colour, Status(status).label, marker,
    )


def percent_bar(percent: int) -> SafeString:
    return format_html(
        '<progress max="100" value="{}" style="width:5em;vertical-align:middle"></progress>'
        ' {}%', percent, percent)
