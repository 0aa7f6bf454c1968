"""The page shown when django-axes refuses a sign-in after repeated failures.

Axes counts failed sign-ins per username (AXES_LOCKOUT_PARAMETERS in settings) on every
form that goes through django.contrib.auth.authenticate() with the request: the admin
sign-in and the web UI's. API tokens are made in the admin or on the account page, which
asks for the password again through authenticate(), so failures there count towards the
same lock.
"""

from __future__ import annotations

import math

from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

LOCKED_OUT_STATUS = 429  # Too Many Requests: the same answer however many more tries


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None,
               credentials: dict | None = None) -> HttpResponse:
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    return render(request, "locked_out.html", {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": minutes,
    }, status=LOCKED_OUT_STATUS)


def client_ip(request: HttpRequest) -> str | None:
    """The address a sign-in came from, as recorded with the attempt.

    Behind our proxy (BEHIND_PROXY) that is the last X-Forwarded-For entry, the one the
    proxy itself appended; earlier entries come from the client and may be made up.
    """
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR")
