from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tracker.models import Plan
from tracker.selectors_ui import plan_default


def plan_from_request(request: HttpRequest, today: dt.date) -> Plan | None:
    """The plan named by ?plan=<id>, else the default one. A malformed or unknown id
    falls back to the default instead of failing: the URL may be an old bookmark."""
    raw = request.GET.get("plan", "")
    if raw.isdigit():
        plan = Plan.objects.filter(pk=int(raw)).first()
        if plan is not None:
            return plan
    return plan_default(today)


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "tracker/forbidden.html", {"message": message}, status=403)
