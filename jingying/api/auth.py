"""API authentication: `Authorization: Bearer <token>` or the browser session (with CSRF).

A token is a credential of its own, issued deliberately (`jingying token create`, audited) with
its own expiry. A browser session is held to the same login rules as the screens
(jingying.accounts.middleware): the one current session per account, the second factor when
the user's grants need it, no use while a password change is due.
"""

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


class PolicySession(SessionAuth):
    """Django's session, under the same rules as the screens."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # No signed-in session: nothing for CSRF to protect, and the answer must be 401 (a
        # script with a bad token would otherwise be told about CSRF).
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        from jingying.accounts import login_rules

        user = super().authenticate(request, key)
        if user is None:
            return None
        if not login_rules.session_is_current(user, request.session.session_key):
            return None
        if not request.session.get(login_rules.SESSION_SECOND_FACTOR) and login_rules.totp_required(user):
            return None
        if login_rules.password_change_required(user):
            return None
        return user


AUTH = [BearerToken(), PolicySession()]
