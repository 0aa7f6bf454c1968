"""The compose stack points at things that exist (Docker itself is not needed here).

Each service's command is checked against the project: the WSGI callable gunicorn
serves, the Celery app and scheduler the worker and beat load, the manage.py command the
migrate job runs, and the tasks the default schedule names.
"""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker", "beat")


def command(service: str) -> list[str]:
    value = SERVICES[service]["command"]
    return shlex.split(value) if isinstance(value, str) else list(value)


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def import_object(dotted: str):
    module, _sep, attribute = dotted.replace(":", ".").rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def test_it_runs_postgres_redis_web_worker_and_beat():
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(SERVICES)


def test_every_app_process_runs_the_one_image_built_from_the_dockerfile():
    assert (ROOT / "Dockerfile").is_file()
    images = {SERVICES[name]["image"] for name in APP_SERVICES}
    builds = {str(SERVICES[name]["build"]) for name in APP_SERVICES}
    assert len(images) == 1 and builds == {"."}
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11", dockerfile, re.MULTILINE)
    for copied in re.findall(r"^COPY (\S+) ", dockerfile, re.MULTILINE):
        assert copied == "." or (ROOT / copied).exists(), copied


def test_every_long_running_service_has_a_health_check():
    for name, service in SERVICES.items():
        if name == "migrate":
            continue
        assert service.get("healthcheck", {}).get("test"), name


def test_services_wait_for_what_they_need_and_it_exists():
    for name, service in SERVICES.items():
        for needed, rule in (service.get("depends_on") or {}).items():
            assert needed in SERVICES, f"{name} depends on unknown {needed}"
            if rule["condition"] == "service_healthy":
                assert SERVICES[needed].get("healthcheck"), f"{needed} has no health check"
    for name in ("web", "worker", "beat"):
        assert SERVICES[name]["depends_on"]["migrate"]["condition"] == \
            "service_completed_successfully"


def test_web_serves_the_projects_wsgi_application_with_gunicorn():
    args = command("web")
    assert args[0] == "gunicorn"
    application = import_object(args[1])
    assert callable(application)
    assert args[1] == "config.wsgi:application"


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_worker_and_beat_load_the_projects_celery_app(service):
    args = command(service)
    assert args[:2] == ["celery", "-A"] and args[3] == service
    package = importlib.import_module(args[2])
    from config.celery import app

    assert package.celery_app is app


def test_beat_reads_the_schedule_from_the_database():
    from django.conf import settings
    from django_celery_beat.schedulers import DatabaseScheduler

    scheduler = option(command("beat"), "--scheduler")
    assert import_object(scheduler) is DatabaseScheduler
    assert settings.CELERY_BEAT_SCHEDULER == scheduler


def test_migrate_runs_a_management_command_that_exists():
    from django.core.management import get_commands

    args = command("migrate")
    assert args[:2] == ["python", "manage.py"] and (ROOT / "manage.py").is_file()
    assert args[2] in get_commands()


@pytest.mark.django_db
def test_the_default_schedule_names_tasks_the_worker_knows():
    from django_celery_beat.models import PeriodicTask

    from config.celery import app

    app.loader.import_default_modules()
    names = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {"tracker.tasks.reminders_sweep_task",
            "tracker.tasks.task_statuses_refresh_task"} <= names
    assert names <= set(app.tasks)


def test_app_settings_in_the_compose_file_are_documented_in_env_example():
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(),
                                re.MULTILINE))
    for name in APP_SERVICES:
        assert set(SERVICES[name]["environment"]) <= documented, name


def test_make_worker_and_make_beat_start_the_same_processes():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^worker:", makefile, re.MULTILINE)
    assert re.search(r"^beat:", makefile, re.MULTILINE)
    assert "celery -A config worker" in makefile
    assert "--scheduler django_celery_beat.schedulers:DatabaseScheduler" in makefile
