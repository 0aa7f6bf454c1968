"""Behaviour that depends on the database engine: concurrency, text search, migrations.

Marked postgres, so they run again in the PostgreSQL pass (`make test-postgres`).
"""

import threading

import pytest
from django.db import connection, connections

from tests.factories import TaskFactory
from tracker.models import ProgressEntry, Task
from tracker.services.progress import progress_entry_create

pytestmark = pytest.mark.postgres


@pytest.mark.django_db
def test_it_finds_tasks_by_chinese_text_in_any_case():
    TaskFactory(title="实施老旧小区改造工程", text="实施老旧小区改造178万平方米。")
    TaskFactory(title="Smart City 建设")
    assert Task.objects.filter(text__icontains="老旧小区").count() == 1
    assert Task.objects.filter(title__icontains="smart city").count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_report_when_two_arrive_at_once(requires_postgres, department):
    """Two departments' staff report on one task at the same moment: the row lock in
    progress_entry_create serialises the roll-up, and neither entry is lost."""
    from tests.factories import UserFactory

    task = TaskFactory(lead_department=department)
    authors = [UserFactory(department=department) for _ in range(4)]
    barrier = threading.Barrier(len(authors))
    errors = []

    def report(author, percent):
        try:
            barrier.wait(timeout=10)
            progress_entry_create(task=task, author=author, percent=percent,
                                  progress_text=f"{percent}%")
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=report, args=(a, 10 * (i + 1)))
               for i, a in enumerate(authors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert ProgressEntry.objects.filter(task=task).count() == 4
    task.refresh_from_db()
    latest = ProgressEntry.objects.filter(task=task).order_by("-reported_on", "-id").first()
    assert task.percent == latest.percent


@pytest.mark.django_db
def test_it_applies_every_migration_on_this_engine():
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
