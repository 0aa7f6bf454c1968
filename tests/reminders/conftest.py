"""Shared by the reminder tests: a broker that goes nowhere, a real Redis when asked for,
and people who can be reached."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

import pytest

from tests.factories import TaskFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def at(day: str, hour: int = 8, minute: int = 30) -> dt.datetime:
    """A moment in Shanghai, for time_machine."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute),
                               tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def broker_in_memory():
    """Nothing a test enqueues reaches a real broker unless the test asks for one."""
    from config.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = "memory://"
    yield app
    app.conf.broker_url = previous


@pytest.fixture
def requires_redis():
    """The Redis URL for a real broker; skip with the reason when there is none, except in
    CI (CI=true), where a missing Redis is a failure."""
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.RedisError as exc:
        message = f"Redis is not reachable at {REDIS_TEST_URL} ({exc})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}; CI requires it.")
        pytest.skip(f"{message}; start it to run this test.")
    return REDIS_TEST_URL


@pytest.fixture
def owner(member):
    """The responsible person, reachable by e-mail."""
    member.email = "owner@example.gov.cn"
    member.save()
    return member


@pytest.fixture
def head(department_head):
    department_head.email = "head@example.gov.cn"
    department_head.save()
    return department_head


@pytest.fixture
def boss(leader):
    leader.email = "leader@example.gov.cn"
    leader.save()
    return leader


@pytest.fixture
def task_for(owner, head, boss, department):
    """Make a task owned by the cast: responsible `owner`, lead department `department`
    (headed by `head`), leader in charge `boss`."""

    def make(deadline: str, **kwargs):
        due = dt.date.fromisoformat(deadline)
        defaults = {"deadline": due, "start_date": min(due, dt.date(due.year, 1, 1)),
                    "responsible": owner, "lead_department": department, "leader": boss}
        return TaskFactory(area__plan__year=due.year, **(defaults | kwargs))

    return make
