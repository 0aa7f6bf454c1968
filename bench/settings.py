"""Settings for the benchmark server: production-like (DEBUG off), on the bench database,
with the floor views mounted beside the API and throttling out of the way."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("HTTPS", "0")  # plain HTTP on loopback: no TLS redirect

from config.env import env_database
from config.settings.base import *  # noqa: F403
from config.settings.base import REST_FRAMEWORK

ROOT_URLCONF = "bench.urls"
# Never DATABASE_URL: the loader empties the tables of the database it is given.
DATABASES = {"default": env_database(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tracker_bench")}
DATABASES["default"]["CONN_MAX_AGE"] = 600  # persistent, as in production
REST_FRAMEWORK = {**REST_FRAMEWORK,
                  "DEFAULT_THROTTLE_RATES": {"api_token": "1000000/min"}}
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "root": {"handlers": ["console"], "level": "WARNING"}}
