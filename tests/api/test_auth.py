"""Who gets in: tokens (hashed, expiring, read-only, revocable, throttled) and sessions."""

import datetime as dt
import hashlib

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services_tokens import api_token_create, api_token_revoke
from accounts.tokens import ApiToken
from tests.factories import TaskFactory

pytestmark = pytest.mark.django_db
TASKS = "/api/v1/tasks/"


def _client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_it_answers_401_with_a_challenge_when_credentials_are_missing(anonymous):
    response = anonymous.get(TASKS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Token realm="api"'
    assert response.json()["code"] == "not_authenticated"


def test_it_answers_401_to_a_wrong_token():
    response = _client("dbt_not-a-real-token").get(TASKS)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_it_answers_401_to_a_malformed_authorization_header(anonymous):
    anonymous.credentials(HTTP_AUTHORIZATION="Token two parts")
    assert anonymous.get(TASKS).status_code == 401


def test_it_accepts_a_bearer_token(member):
    _, secret = api_token_create(user=member)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get(TASKS).status_code == 200


def test_it_stores_only_the_hash_of_a_token(member):
    token, secret = api_token_create(user=member)
    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.prefix, token.key_hash, token.name}
    assert secret.startswith(token.prefix)


def test_it_refuses_an_expired_token(member, time_machine):
    time_machine.move_to(dt.datetime(2023, 3, 1, tzinfo=dt.UTC), tick=False)
    _, secret = api_token_create(user=member, expires_in_days=7)
    assert _client(secret).get(TASKS).status_code == 200
    time_machine.move_to(dt.datetime(2023, 3, 8, 0, 1, tzinfo=dt.UTC), tick=False)
    response = _client(secret).get(TASKS)
    assert response.status_code == 401
    assert response.json()["message"] == "令牌已过期。"


def test_it_refuses_a_revoked_token(member):
    token, secret = api_token_create(user=member)
    api_token_revoke(token=token, actor=member)
    assert _client(secret).get(TASKS).status_code == 401


def test_it_refuses_the_token_of_a_deactivated_user(member):
    _, secret = api_token_create(user=member)
    member.is_active = False
    member.save()
    assert _client(secret).get(TASKS).status_code == 401


def test_it_lets_a_read_only_token_read_but_never_write(client_for, supervisor, area):
    client = client_for(supervisor, read_only=True)
    task = TaskFactory(area=area)
    assert client.get(f"{TASKS}{task.pk}/").status_code == 200
    response = client.patch(f"{TASKS}{task.pk}/", {"title": "改名"}, format="json")
    assert response.status_code == 403
    assert response.json()["message"] == "只读令牌不能写入。"
    task.refresh_from_db()
    assert task.title != "改名"


def test_it_records_when_a_token_was_last_used(member, time_machine):
    time_machine.move_to(dt.datetime(2023, 3, 1, 9, tzinfo=dt.UTC), tick=False)
    token, secret = api_token_create(user=member)
    assert token.last_used_at is None
    _client(secret).get(TASKS)
    token.refresh_from_db()
    assert token.last_used_at == timezone.now()


def test_it_throttles_a_token_that_sends_too_many_requests(member, settings, monkeypatch):
    from tracker.api.throttling import ApiTokenRateThrottle

    monkeypatch.setattr(ApiTokenRateThrottle, "THROTTLE_RATES", {"api_token": "3/min"})
    _, secret = api_token_create(user=member)
    client = _client(secret)
    codes = [client.get(TASKS).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get(TASKS).json()["code"] == "throttled"


def test_it_counts_each_token_separately(member, monkeypatch):
    from tracker.api.throttling import ApiTokenRateThrottle

    monkeypatch.setattr(ApiTokenRateThrottle, "THROTTLE_RATES", {"api_token": "1/min"})
    _, first = api_token_create(user=member)
    _, second = api_token_create(user=member)
    assert _client(first).get(TASKS).status_code == 200
    assert _client(first).get(TASKS).status_code == 429
    assert _client(second).get(TASKS).status_code == 200


def test_it_accepts_a_signed_in_session(member):
    client = APIClient()
    client.force_login(member)
    assert client.get(TASKS).status_code == 200


def test_it_requires_csrf_for_writes_in_a_session(member, area):
    task = TaskFactory(area=area, lead_department=member.department)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post("/api/v1/progress-entries/", {"task": task.pk, "percent": 5},
                           format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]


def test_it_lets_people_manage_only_their_own_tokens(member, outsider, supervisor):
    from tracker.services.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        api_token_create(user=member, created_by=outsider)
    token, _ = api_token_create(user=member, created_by=supervisor)
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, actor=outsider)
    api_token_revoke(token=token, actor=member)
    assert ApiToken.objects.get().revoked_at is not None


def test_me_says_who_is_calling_and_what_they_may_do(client_for, supervisor):
    body = client_for(supervisor, read_only=True).get("/api/v1/me/").json()
    assert body["username"] == "duchashi"
    assert body["can_edit_plan"] is True
    assert body["token_read_only"] is True
