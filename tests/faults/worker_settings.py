"""Settings of the Celery worker that tests/faults start as a subprocess: the test
settings (the database from TEST_DATABASE_URL, the broker from CELERY_BROKER_URL), with
e-mail written to the journal the test reads (tests/faults/mail.py)."""

from config.settings.test import *  # noqa: F403

EMAIL_BACKEND = "tests.faults.mail.JournalBackend"
