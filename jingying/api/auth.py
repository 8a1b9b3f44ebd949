"""API authentication: `Authorization: Bearer <token>` or the browser session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from jingying.accounts.models import ApiToken


class BearerToken(HttpBearer):
    """A token from `jingying token create`; only its SHA-256 is stored, so look it up by digest."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), user__is_active=True)
            .first()
        )
        now = timezone.now()
        if row is None or (row.expires_at is not None and row.expires_at <= now):
            return None
        # Touch at most once a minute so reads stay reads.
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


AUTH = [BearerToken(), SessionAuth()]
