"""Tokens in the admin: created with their secret shown once, revoked, never deleted."""

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from accounts.admin_tokens import ApiTokenAdmin
from accounts.services_tokens import api_token_create
from accounts.tokens import ApiToken

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().post("/admin/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_creating_a_token_in_the_admin_shows_the_secret_once(supervisor, member):
    model_admin = ApiTokenAdmin(ApiToken, admin.site)
    request = _request(supervisor)
    token = ApiToken(user=member, name="市平台")
    model_admin.save_model(request, token, form=None, change=False)
    stored = ApiToken.objects.get()
    assert stored.pk == token.pk and stored.created_by == supervisor
    shown = [str(m) for m in request._messages]
    assert len(shown) == 1 and stored.prefix in shown[0]


def test_revoking_from_the_admin_keeps_the_row(supervisor, member):
    api_token_create(user=member)
    model_admin = ApiTokenAdmin(ApiToken, admin.site)
    model_admin.revoke(_request(supervisor), ApiToken.objects.all())
    assert ApiToken.objects.get().revoked_at is not None
    assert model_admin.has_delete_permission(_request(supervisor)) is False


def test_department_heads_see_only_their_own_tokens(department_head, member):
    api_token_create(user=member)
    own, _ = api_token_create(user=department_head)
    model_admin = ApiTokenAdmin(ApiToken, admin.site)
    assert list(model_admin.get_queryset(_request(department_head))) == [own]


def test_supervisors_list_and_add_tokens_in_the_admin(client, supervisor, member):
    api_token_create(user=member, name="市平台")
    client.force_login(supervisor)
    listing = client.get("/admin/accounts/apitoken/")
    assert listing.status_code == 200
    assert "市平台" in listing.content.decode()
    response = client.post("/admin/accounts/apitoken/add/", {
        "user": member.pk, "name": "区数据屏", "read_only": "on", "expires_at_0": "",
        "expires_at_1": ""}, follow=True)
    assert response.status_code == 200
    token = ApiToken.objects.get(name="区数据屏")
    assert token.read_only and token.created_by == supervisor
    assert token.prefix in response.content.decode()  # the secret, shown this once
