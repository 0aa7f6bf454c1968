from __future__ import annotations

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from accounts.tokens import ApiToken


class ApiTokenRateThrottle(SimpleRateThrottle):
    """Limits each API token to REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_token"].

    Keyed by token, not by user, so one runaway integration does not lock its owner out
    of the web UI. Session requests (people in a browser) are not throttled here.
    The counters live in Django's default cache: per process with the default LocMem
    cache, shared across workers when the cache is Redis.
    """

    scope = "api_token"

    def get_cache_key(self, request: Request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
