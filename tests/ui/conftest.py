"""Shared set-up for the web UI tests: a fixed "today" and a small plan to look at."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AreaFactory, PlanFactory

# Mid-year, so the year's tasks are under way, none past their deadline by default.
TODAY = dt.date(2023, 6, 15)


@pytest.fixture
def today(time_machine) -> dt.date:
    time_machine.move_to(dt.datetime(2023, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
                         tick=False)
    return TODAY


@pytest.fixture
def plan(db, today):
    return PlanFactory(year=2023, region="沙河口区",
                       title="2023年沙河口区政府工作报告")


@pytest.fixture
def area(plan):
    return AreaFactory(plan=plan, order=1, code="A1", title="抓项目强产业")


@pytest.fixture
def signed_in(client) -> Callable:
    def sign_in(user):
        client.force_login(user)
        return client
    return sign_in


def count_queries(client, url: str, **kwargs) -> int:
    """How many queries one GET of `url` runs (the response must be a success)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return len(queries)
