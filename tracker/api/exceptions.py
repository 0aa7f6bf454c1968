"""One JSON shape for every API error:

    {"status": 400, "code": "invalid", "message": "…", "errors": {"percent": ["…"]}}

`errors` maps a field (or "non_field_errors", or "body" for an unreadable body) to its
messages; it is empty when the error is about the request as a whole (401, 403, 404…).
Messages follow Accept-Language (LocaleMiddleware), Chinese by default.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tracker.services.errors import PermissionDenied as ServicePermissionDenied
from tracker.services.errors import ValidationError as ServiceValidationError


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """{"co_departments": {0: ["…"]}} -> {"co_departments.0": ["…"]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, name))
    elif isinstance(detail, list) and any(isinstance(v, dict | list) for v in detail):
        for index, value in enumerate(detail):
            if value:
                out.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    elif isinstance(detail, list):
        out[prefix or "non_field_errors"] = [str(v) for v in detail]
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def _translate(exc: Exception) -> Exception:
    """Map service and Django errors onto DRF's, so one code path renders them all."""
    if isinstance(exc, ServiceValidationError):
        return exceptions.ValidationError(exc.errors)
    if isinstance(exc, ServicePermissionDenied | DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    return exc


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    exc = _translate(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handling and logging apply
    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        code, message = "invalid", _("请求有误，请检查 errors 中列出的字段。")
        errors = _flatten(exc.detail)
    elif isinstance(exc, exceptions.ParseError):
        code, message = "parse_error", _("请求体无法解析，请检查 JSON 格式。")
        errors = {"body": [str(exc.detail)]}
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        message = str(exc.detail) if not isinstance(exc.detail, dict | list) else ""
        errors = {} if not isinstance(exc.detail, dict | list) else _flatten(exc.detail)
    response.data = {"status": response.status_code, "code": code, "message": message,
                     "errors": errors}
    return response
