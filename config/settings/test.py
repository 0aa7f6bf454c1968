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
