"""Tokens for public links and invitations: random, at least 128 bits, stored only as a SHA-256 hash.

Every model that is reached by a token inherits `TokenModel`; a view looks a row up with
`Model.objects.by_token(raw)`, which returns only a row that is neither expired nor revoked.
"""

import datetime
import hashlib
import secrets
from typing import Literal, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_BYTES = 32  # 256 bits

# Why a link does not open.
Refusal = Literal["unknown", "revoked", "expired"]
_T = TypeVar("_T", bound="TokenModel")


def token_new() -> tuple[str, str]:
    """Return (raw, hash): the raw token goes into the link once, only the hash is kept."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    return raw, token_hash(raw)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class TokenQuerySet(models.QuerySet[_T]):
    def usable(self, now: datetime.datetime | None = None) -> "TokenQuerySet[_T]":
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)

    def by_token(self, raw: str, now: datetime.datetime | None = None) -> _T | None:
        """The usable row for a raw token, or None (unknown, expired and revoked all look the same)."""
        row, reason = self.lookup(raw, now)
        return row if reason is None else None

    def lookup(self, raw: str, now: datetime.datetime | None = None) -> tuple[_T | None, Refusal | None]:
        """(row, reason) for a raw token in any state, for a public page that tells the visitor why a link
        does not open: reason is None for a usable row, else "unknown" (row None), "revoked" or "expired"."""
        if not raw or len(raw) > 200:
            return None, "unknown"
        row = self.filter(token_hash=token_hash(raw)).first()
        if row is None:
            return None, "unknown"
        return row, row.refusal(now)


class TokenModel(models.Model):
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = TokenQuerySet.as_manager()

    class Meta:
        abstract = True

    def issue_token(self) -> str:
        """Give the row a fresh token and return the raw value (to be put in a link, never stored)."""
        raw, self.token_hash = token_new()
        return raw

    def refusal(self, now: datetime.datetime | None = None) -> Refusal | None:
        """Why the link no longer opens ("revoked", "expired"), or None while it does."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= (now or timezone.now()):
            return "expired"
        return None

    @property
    def is_usable(self) -> bool:
        return self.refusal() is None
