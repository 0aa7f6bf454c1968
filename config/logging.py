"""Structured logs: one JSON object per line, each carrying the id of its request.

The request id comes from the X-Request-ID header a proxy set (or is made up when there
is none, see config.middleware.RequestIdMiddleware), is echoed on the response, and is
printed on the error page. A user who reports "this page failed, id 3f2c…" leads an
operator to the exact log lines, stack trace included, with one grep.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

# "-" outside a request: management commands, Celery workers, start-up.
request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record, so any formatter can print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def logging_config(*, level: str, json: bool) -> dict[str, Any]:
    """The LOGGING setting: JSON lines in production, readable text in development.

    Everything goes to stderr (12-factor: the process manager or container runtime
    collects it). Django's own "django" logger hands its records to the root logger
    instead of printing them a second time through its DEBUG-only console handler.
    """
    formatter = "json" if json else "text"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "config.logging.RequestIdFilter"}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                # exc_info (the stack trace) is added as its own field when present.
                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                "rename_fields": {"asctime": "time", "levelname": "level",
                                  "name": "logger"},
            },
            "text": {
                "format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s",
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": formatter,
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"handlers": [], "level": level, "propagate": True},
            # runserver's access lines: readable as they are, and only in development.
            "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
