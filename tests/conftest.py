"""The cast: one user per role, and helpers that tests share."""

import os

import pytest
from hypothesis import settings as hypothesis_settings

from accounts.models import Role
from tests.factories import DepartmentFactory, UserFactory

# CI must be reproducible: the same examples every run, no saved failures from elsewhere.
hypothesis_settings.register_profile("ci", derandomize=True, database=None,
                                     print_blob=True)
if os.environ.get("CI", "").lower() == "true":
    hypothesis_settings.load_profile("ci")


@pytest.fixture
def department(db):
    return DepartmentFactory(short_name="发改局", name="区发展和改革局")


@pytest.fixture
def other_department(db):
    return DepartmentFactory(short_name="教育局", name="区教育局")


@pytest.fixture
def supervisor(db):
    office = DepartmentFactory(short_name="督查室", name="区政府督查室")
    return UserFactory(username="duchashi", role=Role.SUPERVISOR, department=office,
                       is_staff=True)


@pytest.fixture
def department_head(department):
    head = UserFactory(username="fgj_head", role=Role.DEPARTMENT_HEAD, department=department,
                       is_staff=True)
    department.head = head
    department.save()
    return head


@pytest.fixture
def member(department):
    return UserFactory(username="fgj_member", role=Role.MEMBER, department=department)


@pytest.fixture
def outsider(other_department):
    """A member of another department."""
    return UserFactory(username="jyj_member", role=Role.MEMBER, department=other_department)


@pytest.fixture
def leader(db):
    return UserFactory(username="leader", role=Role.LEADER, department=None)


# ---------------------------------------------------------------- real services

def _postgres_configured() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _postgres_reachable() -> str | None:
    """None when the configured PostgreSQL answers, else why not."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    try:
        psycopg.connect(host=db.get("HOST") or "127.0.0.1", port=db.get("PORT") or 5432,
                        user=db.get("USER") or "postgres", password=db.get("PASSWORD") or None,
                        # The server's maintenance database: the test database is created
                        # by pytest-django later, so it need not exist yet.
                        dbname="postgres", connect_timeout=3).close()
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]
    return None


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, skip with a clear reason when the server is absent, except in CI
    (CI=true), where an absent server is a failure, not a skip."""
    import os

    if not _postgres_configured():
        return
    problem = _postgres_reachable()
    if problem is None:
        return
    message = f"PostgreSQL is not reachable ({problem})"
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError(f"{message}; CI requires it.")
    for item in items:
        item.add_marker(pytest.mark.skip(reason=f"{message}; start it to run these tests."))


@pytest.fixture
def requires_postgres():
    if not _postgres_configured():
        pytest.skip("needs PostgreSQL: runs in `make test-postgres`")
