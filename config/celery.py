"""The Celery app: reminders and the daily status refresh run here, on Redis.

Settings come from Django's (the CELERY_ namespace in config/settings/base.py), and the
periodic schedule lives in the database (django-celery-beat), so staff edit it in the
admin and every periodic job is in that one schedule. The defaults are installed by the
migration tracker/migrations/*_reminder_schedules.py.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
