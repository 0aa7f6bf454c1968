"""`manage.py create_api_token` prints a working token once, and stores only its hash."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tokens import ApiToken, token_hash

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_it_prints_a_token_that_works_and_is_stored_hashed(member):
    secret = _run("fgj_member")
    token = ApiToken.objects.get()
    assert token.key_hash == token_hash(secret)
    assert (token.user, token.read_only, token.expires_at) == (member, False, None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get("/api/v1/me/").json()["username"] == "fgj_member"


def test_it_makes_read_only_and_expiring_tokens(member, time_machine):
    time_machine.move_to(dt.datetime(2023, 3, 1, tzinfo=dt.UTC), tick=False)
    _run("fgj_member", "--read-only", "--expires", "30")
    token = ApiToken.objects.get()
    assert token.read_only is True
    assert token.expires_at == timezone.now() + dt.timedelta(days=30)


def test_it_refuses_an_unknown_user_and_a_non_positive_expiry(member):
    with pytest.raises(CommandError, match="No user"):
        _run("nobody")
    with pytest.raises(CommandError, match="expires_in_days"):
        _run("fgj_member", "--expires", "0")
    assert not ApiToken.objects.exists()
