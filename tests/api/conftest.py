"""Helpers for API tests: a client that speaks with a token, and a small plan."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.services_tokens import api_token_create
from tests.factories import AreaFactory, PlanFactory


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    # Throttle counters live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def client_for(db):
    """client_for(user, read_only=False) -> an APIClient authenticated by a fresh token."""

    def make(user, *, read_only: bool = False, language: str | None = None) -> APIClient:
        _, secret = api_token_create(user=user, read_only=read_only)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        if language:
            client.credentials(HTTP_AUTHORIZATION=f"Token {secret}",
                               HTTP_ACCEPT_LANGUAGE=language)
        return client

    return make


@pytest.fixture
def plan(db):
    return PlanFactory(year=2023)


@pytest.fixture
def area(plan):
    return AreaFactory(plan=plan)
