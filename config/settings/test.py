"""Test settings: the base settings with fast hashing, in-memory mail and a test database.

TEST_DATABASE_URL picks the database (the Makefile points it at PostgreSQL for the
database-sensitive run); by default tests run on SQLite.
"""

import tempfile

from config.env import env_database

from .base import *  # noqa: F403

DATABASES = {"default": env_database("TEST_DATABASE_URL", "sqlite:///:memory:")}
DATABASES["default"]["CONN_MAX_AGE"] = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "zh-hans"
MEDIA_ROOT = tempfile.mkdtemp(prefix="tracker-test-media-")
# Tests sign in with client.login()/force_login(), which call authenticate() without a
# request; django-axes would refuse that. The lockout tests switch it on for themselves
# (tests/production/test_login_lockout.py).
AXES_ENABLED = False
# Tests move the clock by days or weeks (time_machine) while signed in; the production
# working-day session would expire under them. tests/production checks the real age.
SESSION_COOKIE_AGE = 60 * 60 * 24 * 365
# An empty collected-static folder, so WhiteNoise has a directory to look at.
STATIC_ROOT = tempfile.mkdtemp(prefix="tracker-test-static-")
