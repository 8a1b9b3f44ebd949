"""API authentication: `Authorization: Bearer <token>` or the browser session (with CSRF).

A token is a credential of its own, issued deliberately (`jingying token create` or the user's
own token page, audited) with its own expiry; for an account that needs the second factor it is
held to that rule too (decision 0013). A browser session is held to the same login rules as the screens
(jingying.accounts.middleware): the one current session per account, the second factor when
the user's grants need it, no use while a password change is due.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from jingying.accounts.models import ApiToken
from jingying.core.request_context import set_credential


class TokenRefusedError(AuthenticationError):
    """A token that exists but may not be used any more, with the reason its holder must read.

    Answered as 401 (jingying.api.errors shows `message`), so a script stops rather than retries.
    """

    explains = True

    def __init__(self, message: str) -> None:
        super().__init__(401, message)


def _refuse(row: ApiToken, rule: str, message: str) -> NoReturn:
    """Record the refused use (a security event, 等保 L3-CES1-12) and answer 401 with `message`."""
    set_credential(f"token:{row.prefix}")
    record_refusal(row, rule)
    raise TokenRefusedError(message)


REFUSED = "accounts.api_token.refused"


def record_refusal(row: ApiToken, rule: str, *, now: dt.datetime | None = None) -> bool:
    """Audit a refused use, at most once per token per JINGYING_API_TOKEN_REFUSAL_AUDIT_MINUTES.

    A script looping on a refused token would otherwise write one entry per request. The first
    refusal is recorded; the ones within the window after it are only counted on the token, and
    the next recorded entry says how many there were (`after.refusals_not_recorded`), so the
    trail still shows that, and how often, refusals happened. A count left when the script stops
    is written by `flush_refusals` (periodic job `accounts.token_refusals`). Returns whether an entry was written.
    """
    from jingying.core import audit

    now = now or timezone.now()
    window = dt.timedelta(minutes=settings.JINGYING_API_TOKEN_REFUSAL_AUDIT_MINUTES)
    with transaction.atomic():
        locked = (ApiToken.objects.select_for_update().only("pk", "refusal_audited_at", "refusals_unaudited")
                  .get(pk=row.pk))
        if locked.refusal_audited_at is not None and now - locked.refusal_audited_at < window:
            ApiToken.objects.filter(pk=row.pk).update(refusals_unaudited=F("refusals_unaudited") + 1)
            return False
        ApiToken.objects.filter(pk=row.pk).update(refusal_audited_at=now, refusals_unaudited=0)
        after = {"refusals_not_recorded": locked.refusals_unaudited} if locked.refusals_unaudited else None
        audit.record(actor=row.user, action=REFUSED, obj=row, reason=rule, after=after)
    return True


def flush_refusals(*, now: dt.datetime | None = None) -> int:
    """Write the counts of refusals not yet in the trail whose window has closed (system action)."""
    from jingying.core import audit
    from jingying.core.scoping import SYSTEM

    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.JINGYING_API_TOKEN_REFUSAL_AUDIT_MINUTES)
    written = 0
    for row in ApiToken.objects.filter(refusals_unaudited__gt=0, refusal_audited_at__lt=cutoff).select_related("user"):
        with transaction.atomic():
            count = row.refusals_unaudited
            # Claimed with the count read, so refusals counted meanwhile are not lost.
            if not ApiToken.objects.filter(pk=row.pk, refusals_unaudited=count).update(refusals_unaudited=0):
                continue
            audit.record(actor=SYSTEM, action=REFUSED, obj=row, object_repr=str(row), reason="count",
                         after={"refusals_not_recorded": count, "user": row.user.username,
                                "since": row.refusal_audited_at.isoformat() if row.refusal_audited_at else None})
        written += 1
    return written


class BearerToken(HttpBearer):
    """A token from `jingying token create` or the account's token page; only its SHA-256 is
    stored, so look it up by digest.

    Refused (401): unknown, revoked, past its expiry, its user deactivated; and, when the user's
    grants need the second factor (decision 0013), a token not issued under that rule (the user
    gained such a grant after it was made) or older than JINGYING_API_TOKEN_MAX_DAYS_2FA days.
    Grants are read afresh on every request, so a revoked grant takes effect at once.
    """

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from jingying.accounts import login_rules

        row = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), user__is_active=True, revoked_at__isnull=True)
            .first()
        )
        now = timezone.now()
        if row is None or (row.expires_at is not None and row.expires_at <= now):
            return None
        if login_rules.totp_required(row.user):
            if not row.second_factor:
                _refuse(row, "second_factor", _(
                    "该 API 令牌签发时账号尚不需要动态口令；账号现有的权限需要动态口令，此令牌已停用。"
                    "请在完成动态口令验证后于“API 令牌”页重新创建，或由服务器管理员重新签发。"))
            max_age = dt.timedelta(days=settings.JINGYING_API_TOKEN_MAX_DAYS_2FA)
            if now - row.created_at > max_age:  # the limit may have been lowered since it was issued
                _refuse(row, "max_age", _(
                    "该账号的权限需要动态口令，API 令牌最长使用 %(n)d 天；此令牌已过期，请重新创建。")
                    % {"n": settings.JINGYING_API_TOKEN_MAX_DAYS_2FA})
        # Touch at most once a minute so reads stay reads.
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        # Every audit entry this request writes (sensitive reads included) names the token.
        set_credential(f"token:{row.prefix}")
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
