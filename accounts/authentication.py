"""DRF authentication by API token: `Authorization: Token <secret>` (or `Bearer <secret>`).

Failing credentials raise AuthenticationFailed, and `authenticate_header` makes DRF
answer 401 with a WWW-Authenticate challenge instead of 403.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from .services_tokens import api_token_touch
from .tokens import ApiToken, token_hash

KEYWORDS = (b"token", b"bearer")


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None  # not ours: let session authentication try
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式错误：应为 “Token <令牌>”。"))
        try:
            secret = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("令牌无效。")) from None
        # One indexed lookup by hash; the user comes along for the permission checks.
        token = (ApiToken.objects.select_related("user")
                 .filter(key_hash=token_hash(secret)).first())
        now = timezone.now()
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("令牌无效或已被吊销。"))
        if token.is_expired(now):
            raise exceptions.AuthenticationFailed(_("令牌已过期。"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("该用户已停用。"))
        api_token_touch(token=token, now=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Token realm="api"'
