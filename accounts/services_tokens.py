"""Writes for API tokens: create (the secret is returned once) and revoke.

The admin, the web UI and `manage.py create_api_token` all call these.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.services.errors import PermissionDenied, ValidationError

from .tokens import TOKEN_PREFIX, VISIBLE_CHARS, ApiToken, token_generate, token_hash

# A token's `last_used_at` is written at most once per this interval, so reads under load
# do not turn every request into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _may_manage(actor, user) -> bool:
    """People manage their own tokens; superusers and 督查室 anyone's."""
    if actor is None:  # management commands run as the operator
        return True
    from tracker.rules.permissions import Actor

    return actor.pk == user.pk or Actor.of(actor).is_supervisor


@transaction.atomic
def api_token_create(*, user, name: str = "", read_only: bool = False,
                     expires_in_days: int | None = None,
                     expires_at: dt.datetime | None = None,
                     created_by=None) -> tuple[ApiToken, str]:
    """Create a token for `user`; return it and its secret, which is never stored.

    `created_by` is None for the operator's command line; otherwise they must be the
    user themself or a supervisor.
    """
    if not _may_manage(created_by, user):
        raise PermissionDenied(_("只能为自己创建令牌。"))
    if not user.is_active:
        raise ValidationError({"user": [_("该用户已停用。")]})
    if expires_in_days is not None:
        if expires_in_days < 1:
            raise ValidationError({"expires_in_days": [_("有效期至少为 1 天。")]})
        expires_at = timezone.now() + dt.timedelta(days=expires_in_days)
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": [_("过期时间必须晚于现在。")]})
    secret = token_generate()
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:100], read_only=read_only, expires_at=expires_at,
        prefix=secret[: len(TOKEN_PREFIX) + VISIBLE_CHARS], key_hash=token_hash(secret),
        created_by=created_by,
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor=None) -> ApiToken:
    """Revoke a token at once; the row stays so the audit trail keeps who used what."""
    if not _may_manage(actor, token.user):
        raise PermissionDenied(_("只能吊销自己的令牌。"))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_touch(*, token: ApiToken, now: dt.datetime) -> None:
    """Record that a token was used, at most once per LAST_USED_RESOLUTION.

    A conditional UPDATE, so concurrent requests with the same token write once.
    """
    last = token.last_used_at
    if last is not None and now - last < LAST_USED_RESOLUTION:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
