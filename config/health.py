"""/healthz: is this web process able to serve, and are reminders flowing?

For load balancers and the compose health check. The answer is JSON:

    {"status": "ok" | "degraded" | "down",
     "checks": {"database": {...}, "redis": {...}, "queue": {...}},
     "degraded": ["reminders"]}

- The database is the one hard dependency: without it the answer is 503, so a load
  balancer takes this process out of rotation.
- Redis carries only the Celery queue (reminders). Without it the web UI and the API
  work in full, so the answer stays 200 and marks reminders as degraded.
- The queue length is the number of Celery messages waiting in Redis, plus those a
  worker took and has not acknowledged yet; a growing number means no worker is running.

Errors are named by type only: the endpoint is public, and a message could name hosts.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

HEALTH_PATHS = frozenset({"/healthz", "/healthz/"})
# Kombu's Redis transport keeps one list per queue and priority step ("celery",
# "celery\x06\x163", …) and a hash of delivered, unacknowledged messages.
KOMBU_PRIORITY_SEP = "\x06\x16"
KOMBU_PRIORITY_STEPS = (0, 3, 6, 9)
KOMBU_UNACKED_KEY = "unacked"
# A probe must answer within the load balancer's timeout even when Redis is unreachable.
REDIS_TIMEOUT_SECONDS = 1.0


def _database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "cannot serve": report, do not raise
        # Drop the broken connection now, so the next probe connects afresh.
        connection.close_if_unusable_or_obsolete()
        return {"status": "down", "error": type(exc).__name__}
    return {"status": "ok"}


@functools.lru_cache(maxsize=4)
def _redis_client(url: str) -> redis.Redis:
    # One pool per broker URL for the life of the process, not a connection per probe.
    return redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                socket_timeout=REDIS_TIMEOUT_SECONDS)


def _queue_names() -> list[str]:
    queue = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", None) or "celery"
    return [queue] + [f"{queue}{KOMBU_PRIORITY_SEP}{step}" for step in KOMBU_PRIORITY_STEPS
                      if step]


def _redis_and_queue() -> tuple[dict[str, Any], dict[str, Any]]:
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://", "unix://")):
        skipped = {"status": "skipped", "broker": url.split(":", 1)[0]}
        return skipped, skipped
    try:
        client = _redis_client(url)
        client.ping()
        pipe = client.pipeline(transaction=False)
        for name in _queue_names():
            pipe.llen(name)
        pipe.hlen(KOMBU_UNACKED_KEY)
        *lengths, unacked = pipe.execute()
    except redis.RedisError as exc:
        down = {"status": "down", "error": type(exc).__name__}
        return down, {"status": "unknown"}
    return {"status": "ok"}, {"status": "ok", "length": sum(lengths), "unacked": unacked}


def healthz(request: HttpRequest) -> JsonResponse:
    database = _database()
    redis_check, queue = _redis_and_queue()
    degraded = [] if redis_check["status"] in ("ok", "skipped") else ["reminders"]
    if database["status"] != "ok":
        status, code = "down", 503
    else:
        status, code = ("degraded" if degraded else "ok"), 200
    response = JsonResponse(
        {"status": status, "checks": {"database": database, "redis": redis_check,
                                      "queue": queue},
         "degraded": degraded},
        status=code)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """Answers /healthz before host validation, the HTTPS redirect and sessions.

    A load balancer or `docker compose` probes by IP over plain HTTP; the site's
    ALLOWED_HOSTS and SECURE_SSL_REDIRECT would otherwise answer it 400 or 301. The
    same view is routed in config/urls.py, for reading and reversing; this only
    answers it earlier. Place it first (after the request id) in MIDDLEWARE.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info in HEALTH_PATHS and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
