"""One small JSON-over-HTTP client for the robots and webhooks (the standard library).

Kept in one place so tests can run a real HTTP server on loopback and every channel
classifies failures the same way.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings

from .base import PermanentDeliveryError, TransientDeliveryError

# Worth retrying: the receiver is overloaded, rate-limiting, or briefly unavailable.
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


def post_json(url: str, payload: dict[str, Any], *, headers: dict[str, str] | None = None,
              body: bytes | None = None) -> dict[str, Any]:
    """POST `payload` as JSON (or the exact `body` bytes, when a signature covers them)
    and return the decoded JSON answer ({} when the answer is not JSON)."""
    data = body if body is not None else json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=data, method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=settings.TRACKER_REMINDER_HTTP_TIMEOUT
                                    ) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        message = f"HTTP {exc.code} from {_host(url)}"
        if exc.code in RETRYABLE_STATUS:
            raise TransientDeliveryError(message) from exc
        raise PermanentDeliveryError(message) from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TransientDeliveryError(f"{_host(url)} unreachable: {reason}") from exc
    except ValueError as exc:  # a malformed URL (urllib raises ValueError for it)
        raise PermanentDeliveryError(f"invalid URL: {exc}") from exc
    try:
        answer = json.loads(raw.decode() or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return answer if isinstance(answer, dict) else {}


def _host(url: str) -> str:
    """The host only: robot URLs carry their access token in the query string."""
    from urllib.parse import urlsplit

    return urlsplit(url).netloc or url[:40]
