"""Pages: `page_size` chooses the length, up to 500."""

import pytest

from tests.factories import TaskFactory
from tracker.models import Task

pytestmark = pytest.mark.django_db


def _bulk_tasks(area, n):
    proto = TaskFactory(area=area)
    Task.objects.bulk_create([
        Task(plan=area.plan, area=area, code=f"B{i}", position=proto.position + 1 + i,
             title=f"任务{i}",
             start_date=proto.start_date, deadline=proto.deadline) for i in range(n - 1)])


def test_it_pages_with_a_default_size_and_links_to_the_next_page(client_for, member, area):
    _bulk_tasks(area, 60)
    body = client_for(member).get("/api/v1/tasks/").json()
    assert body["count"] == 60
    assert len(body["results"]) == 50
    assert "page=2" in body["next"]


def test_it_returns_the_page_size_asked_for(client_for, member, area):
    _bulk_tasks(area, 30)
    body = client_for(member).get("/api/v1/tasks/?page_size=7&page=2").json()
    assert len(body["results"]) == 7


def test_it_caps_the_page_size_at_500(client_for, member, area):
    _bulk_tasks(area, 501)
    body = client_for(member).get("/api/v1/tasks/?page_size=10000").json()
    assert body["count"] == 501
    assert len(body["results"]) == 500


def test_it_answers_404_past_the_last_page(client_for, member, area):
    _bulk_tasks(area, 3)
    response = client_for(member).get("/api/v1/tasks/?page=9")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_it_counts_exactly_up_to_the_limit_and_says_null_beyond(client_for, member, area,
                                                                monkeypatch):
    from tracker.api import pagination

    _bulk_tasks(area, 6)
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 6)
    assert client_for(member).get("/api/v1/tasks/?page_size=2").json()["count"] == 6
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 5)
    body = client_for(member).get("/api/v1/tasks/?page_size=2&page=3").json()
    assert body["count"] is None
    assert len(body["results"]) == 2
    assert body["next"] is None
    assert "page=2" in body["previous"]


def test_it_answers_404_to_a_page_that_is_not_a_number(client_for, member, area):
    response = client_for(member).get("/api/v1/tasks/?page=first")
    assert response.status_code == 404
    assert response.json()["message"] == "页码无效。"


def test_only_a_page_with_a_next_page_runs_a_count(client_for, member, area,
                                                   django_assert_num_queries):
    _bulk_tasks(area, 5)
    client = client_for(member)
    client.get("/api/v1/me/")  # the token's first use records last_used_at once
    # token, rows, co-department ids, measure ids
    with django_assert_num_queries(4):
        assert client.get("/api/v1/tasks/?page_size=5").json()["count"] == 5
    # … and the capped COUNT, since the total is not on this page
    with django_assert_num_queries(5):
        assert client.get("/api/v1/tasks/?page_size=2").json()["count"] == 5
