"""Request ids, and clean answers when the database is away or something breaks.

- RequestIdMiddleware (first in MIDDLEWARE): takes the proxy's X-Request-ID or makes
  one, puts it in the logging context (config.logging) and on the response.
- DatabaseUnavailableMiddleware: a view that loses PostgreSQL (restart, failover, a
  killed connection) answers 503 "try again", not a 500 with a stack trace.
- page_not_found (handler404): the API's JSON shape under /api/, Django's page elsewhere.
- server_error (handler500): the same 503 when the database failed outside a view
  (a session saved in middleware), else a plain 500 page with the request id. Neither
  shows the user a trace; both are logged with it by Django's "django.request" logger.

The API keeps its JSON error shape ({"status", "code", "message", "errors"}) for all three.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults

from config.logging import request_id_var

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is kept only when it looks like one: it is written into every log line
# and echoed to the client, so free text (newlines, markup, a megabyte) is replaced.
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Errors that mean "the database cannot be reached right now", not "this query is wrong".
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
API_PREFIX = "/api/"


def request_id_of(request: HttpRequest | None) -> str:
    return getattr(request, "request_id", None) or request_id_var.get()


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            # Errors below are turned into responses (and logged) inside this call, so
            # their log lines still carry the id.
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _api_error(request: HttpRequest, status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"status": status, "code": code, "message": message, "errors": {},
                         "request_id": request_id_of(request)},
                        status=status, json_dumps_params={"ensure_ascii": False})


def _page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    # A bare template context, not RequestContext: the context processors read the user
    # and session, which need the very database that may be down.
    html = loader.get_template(template).render({"request_id": request_id_of(request)})
    return HttpResponse(html, status=status)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        response = _api_error(request, 503, "service_unavailable",
                              _("服务暂时不可用（数据库连接中断），请稍后重试。"))
    else:
        response = _page(request, "503.html", 503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """Turns a lost database connection in a view into 503 with Retry-After.

    Django closes a connection that errored at the end of the request, and with
    CONN_HEALTH_CHECKS the next request checks a reused connection first, so service
    resumes by itself once PostgreSQL is back.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DATABASE_DOWN):
            return None
        logger.error("Database unavailable: %s %s", request.method, request.path,
                     exc_info=exception)
        return service_unavailable(request)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404. Under /api/ a path no route matches (`/api/v1/tasks/0.5/`) answers in
    the API's JSON shape, as a missing object does; elsewhere Django's page."""
    if _is_api(request):
        from rest_framework.exceptions import NotFound

        return _api_error(request, 404, "not_found", str(NotFound.default_detail))
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """handler500. Django calls it inside its `except` block, so the error is at hand."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_DOWN):
        return service_unavailable(request)
    if _is_api(request):
        return _api_error(request, 500, "server_error",
                          _("服务器内部错误，已记录。请将请求编号告知管理员。"))
    return _page(request, "500.html", 500)
