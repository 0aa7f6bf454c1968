"""Settings for every environment, read from environment variables (see .env.example).

With nothing set the app runs on SQLite in the project folder, so `make run` needs no
other service. Production sets DATABASE_URL (PostgreSQL), SECRET_KEY, DEBUG=0 and
ALLOWED_HOSTS.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_database,
    env_int,
    env_int_list,
    env_list,
    env_str,
    env_time,
)
from config.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DEBUG", True)
_DEV_SECRET = "dev-only-secret-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
# Served over HTTPS (by a TLS proxy in front, or directly). On by default in production,
# off in development, where runserver speaks plain HTTP. See "Security" below.
HTTPS = env_bool("HTTPS", not DEBUG)
# Origins allowed to POST forms. Behind a proxy that keeps the Host header the site's
# own https://<host> is enough, and that is the default for each allowed host.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [
    f"https://*{host}" if host.startswith(".") else f"https://{host}"
    for host in ALLOWED_HOSTS if HTTPS and host != "*"
])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served locally (no CDN)
    "simple_history",
    "django_celery_beat",
    "axes",  # failed sign-ins and lockouts (tables, admin, axes_reset command)
    "csp",
    "accounts",
    "tracker",
]

MIDDLEWARE = [
    # First: every log line of the request, errors included, carries its id.
    "config.middleware.RequestIdMiddleware",
    # Before host checks and the HTTPS redirect: probes come by IP over plain HTTP.
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # gunicorn serves the collected static files itself (CSS, the admin's and Swagger
    # UI's scripts), so the compose stack and a bare proxy need no separate file server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records the signed-in user as the author of every history row written in a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # A view that loses the database answers 503 "try again", not 500.
    "config.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# A reused connection is checked before a request uses it, so one that PostgreSQL dropped
# (restart, failover) is replaced instead of failing the request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("DATABASE_CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out username before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Department staff and leaders sign in to the web UI, not the admin (which has its own).
LOGIN_URL = "ui:login"
LOGIN_REDIRECT_URL = "ui:dashboard"
LOGOUT_REDIRECT_URL = "ui:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Chinese first, English second; the report is Chinese and so are most users.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
if DEBUG:
    # Development serves static files from the app folders (runserver, WhiteNoise's
    # finders); var/static exists only after collectstatic, and that is fine here.
    import warnings

    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
# The web UI's CSS lives in the project, so it is served from the intranet with no CDN.
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "督查室 <duchashi@localhost>")

REST_FRAMEWORK = {
    # Token first: its authenticate_header turns missing credentials into 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "tracker.api.permissions.TokenScope",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "tracker.api.pagination.ApiPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tracker.api.exceptions.api_exception_handler",
    # Per API token; counted in the default cache (LocMem: per process).
    "DEFAULT_THROTTLE_CLASSES": ["tracker.api.throttling.ApiTokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_token": env_str("API_TOKEN_THROTTLE_RATE", "600/min")},
    "ORDERING_PARAM": "ordering",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "目标任务督办 API",
    "DESCRIPTION": "Read the plan, report progress. Authenticate with `Authorization: Token "
                   "<secret>` (manage.py create_api_token) or a signed-in session.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "tracker.choices.Status",
        "RoleEnum": "accounts.models.Role",
    },
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "tracker.api.schema.document_error_responses"],
}

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged only after it finished, so a worker that dies mid-task leaves it
# on the queue for another worker; every task is safe to run twice (the sweep's claims).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers an unacknowledged task after this many seconds; longer than any task.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2,
                                   "socket_timeout": 5}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
# One schedule for every periodic job, in the database, editable in the admin.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# 红黄绿灯 thresholds, in percentage points of lag behind the expected trajectory (序时进度).
TRACKER_STATUS_AT_RISK_LAG = env_int("TRACKER_STATUS_AT_RISK_LAG", 10, minimum=0)
TRACKER_STATUS_OFF_TRACK_LAG = env_int("TRACKER_STATUS_OFF_TRACK_LAG", 25, minimum=1)
if TRACKER_STATUS_OFF_TRACK_LAG <= TRACKER_STATUS_AT_RISK_LAG:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "TRACKER_STATUS_OFF_TRACK_LAG must be larger than TRACKER_STATUS_AT_RISK_LAG."
    )
# A task whose deadline is this close counts as "due soon" on lists and dashboards.
TRACKER_DUE_SOON_DAYS = env_int("TRACKER_DUE_SOON_DAYS", 7, minimum=0)
# Monthly reporting cycle: progress for a cycle is due by this day of the month (at most
# 28, so every month has the day).
TRACKER_REPORTING_CUTOFF_DAY = env_int("TRACKER_REPORTING_CUTOFF_DAY", 25, minimum=1)
if TRACKER_REPORTING_CUTOFF_DAY > 28:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("TRACKER_REPORTING_CUTOFF_DAY must be between 1 and 28.")
TRACKER_REMINDER_DAYS_BEFORE = env_int_list("TRACKER_REMINDER_DAYS_BEFORE", [7, 3, 1])
# Reminders (tracker.rules.reminders): overdue repeats every N days until done; the leader
# in charge is added once a task is this many days late; the update-due reminder goes out
# this many days before the reporting cutoff.
TRACKER_REMINDER_OVERDUE_REPEAT_DAYS = env_int("TRACKER_REMINDER_OVERDUE_REPEAT_DAYS", 7,
                                               minimum=1)
TRACKER_REMINDER_ESCALATE_AFTER_DAYS = env_int("TRACKER_REMINDER_ESCALATE_AFTER_DAYS", 14,
                                               minimum=1)
TRACKER_REMINDER_UPDATE_DAYS_BEFORE = env_int("TRACKER_REMINDER_UPDATE_DAYS_BEFORE", 3,
                                              minimum=0)
# Off: remind on weekends and holidays too (only for deployments that want it).
TRACKER_REMINDER_WORKING_DAYS_ONLY = env_bool("TRACKER_REMINDER_WORKING_DAYS_ONLY", True)
# Sending: rows per sweep batch, attempts before a delivery is failed for good, and how
# long a claimed delivery may stay unfinished before another sweep takes it over.
TRACKER_REMINDER_BATCH_SIZE = env_int("TRACKER_REMINDER_BATCH_SIZE", 1000, minimum=1)
TRACKER_REMINDER_MAX_ATTEMPTS = env_int("TRACKER_REMINDER_MAX_ATTEMPTS", 5, minimum=1)
# The flush job runs the daily sweep itself when none has run by this local time (beat
# skips a sweep that falls due while the broker is down). Keep it after the 08:30 sweep.
TRACKER_REMINDER_CATCH_UP_AFTER = env_time("TRACKER_REMINDER_CATCH_UP_AFTER", "09:00")
TRACKER_REMINDER_CLAIM_TIMEOUT = env_int("TRACKER_REMINDER_CLAIM_TIMEOUT", 600, minimum=30)
TRACKER_REMINDER_HTTP_TIMEOUT = env_int("TRACKER_REMINDER_HTTP_TIMEOUT", 10, minimum=1)
# Links in reminder messages point here.
TRACKER_SITE_URL = env_str("TRACKER_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Evidence files (tracker.services.evidence): the largest upload accepted, in MB.
TRACKER_EVIDENCE_MAX_BYTES = env_int("TRACKER_EVIDENCE_MAX_MB", 20, minimum=1) * 1024 * 1024

# ---------------------------------------------------------------- security
# `DEBUG=0 SECRET_KEY=… ALLOWED_HOSTS=… manage.py check --deploy` is clean with these
# defaults (tests/production/test_deploy_check.py). HTTPS=0 turns the TLS-only parts off
# for a production-like stack on plain HTTP (docker compose on a laptop).
# Behind a TLS proxy: set BEHIND_PROXY=1, and make the proxy set (never pass through
# from the client) X-Forwarded-Proto and X-Forwarded-For. Without it every request looks
# like plain HTTP (SECURE_SSL_REDIRECT loops) and comes from the proxy's address.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe over HTTP (config.health answers before the redirect anyway).
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# One year, subdomains and preload once the site is HTTPS; a browser that saw it will
# refuse plain HTTP for that long, so HTTPS must stay (SECURE_HSTS_SECONDS=0 to opt out).
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A signed-in session lasts a working day (seconds; default 8 hours) and ends when the
# browser closes, so a shared office computer does not stay signed in overnight.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

# Content-Security-Policy (django-csp 4): scripts and styles only from our own static
# files; no inline script anywhere (the API docs use drf-spectacular's split view, which
# loads its start-up script as a file). Inline *styles* stay allowed: the admin and a few
# staff pages use style attributes, and a style cannot run code. data: images are Swagger
# UI's icons and the favicon placeholder.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        **({"upgrade-insecure-requests": True} if HTTPS else {}),
    },
}

# django-axes: after AXES_FAILURE_LIMIT failed sign-ins a username is locked for
# AXES_COOLOFF_MINUTES, on the admin and the web UI alike. Counted per username, not per
# address: the account is what a password guesser attacks, and one office behind NAT
# shares one address, so a per-address lock would shut out colleagues too. (axes.W006
# warns about lock keys that a client can vary, such as the user agent; a username is
# not one, so that check is silenced.) A success resets the count;
# `manage.py axes_reset_username NAME` unlocks early.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.lockout.locked_out"
# The address recorded with each attempt (the proxy's X-Forwarded-For when BEHIND_PROXY).
AXES_CLIENT_IP_CALLABLE = "config.lockout.client_ip"
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# ---------------------------------------------------------------- logging
# JSON lines with a request id in production (LOG_FORMAT=json), readable text in
# development; see config/logging.py.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} must be json or text.")
LOGGING = logging_config(level=env_str("LOG_LEVEL", "INFO"), json=LOG_FORMAT == "json")
