"""Per-user API tokens for integrations (other systems reading the plan, pushing progress).

A token is shown once, when it is created; the database keeps only its SHA-256, so a
leaked database dump does not leak working credentials. SHA-256 (not a slow password
hash) is enough because the secret is 256 random bits, not something a person chose,
and it lets authentication find the row with one indexed lookup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Every token starts with this, so a secret scanner (or a person) can recognise one.
TOKEN_PREFIX = "dbt_"
# How many characters after TOKEN_PREFIX are stored in clear, to tell tokens apart in lists.
VISIBLE_CHARS = 6


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_generate() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(models.Model):
    """An API credential of one user: hashed, optionally read-only, optionally expiring."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens", verbose_name=_("用户"))
    name = models.CharField(_("用途"), max_length=100, blank=True,
                            help_text=_("例如：市大数据平台同步。"))
    # The first characters of the secret, kept in clear so people can tell tokens apart.
    prefix = models.CharField(_("前缀"), max_length=20, editable=False)
    key_hash = models.CharField(_("摘要"), max_length=64, unique=True, editable=False)
    read_only = models.BooleanField(_("只读"), default=False,
                                    help_text=_("只读令牌只能查询，不能报送或修改。"))
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("创建人"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="apitoken_hash_is_sha256",
                                   condition=Q(key_hash__regex=r"^[0-9a-f]{64}$")),
        ]
        # key_hash's unique index serves the lookup on every authenticated request.

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or self.user})"

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired()
