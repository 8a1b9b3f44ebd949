"""Login rules as services: lockout, password age, second factor, single session.

Views and middleware call these; nothing here reads the request beyond what it is given.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyotp
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jingying.accounts.models import LoginSecurity, LoginThrottle, PasswordHistory, User
from jingying.accounts.roles import ADMIN_ROLES, Domain
from jingying.core import audit
from jingying.core.scoping import active_grants

# Grants on these domains need a second factor, as the administrators do.
TOTP_DOMAINS = frozenset({Domain.PSYCH, Domain.INTEGRITY})


def security_of(user: User) -> LoginSecurity:
    sec, _created = LoginSecurity.objects.get_or_create(user=user)
    return sec


# --- lockout -------------------------------------------------------------------------------


def _keys(username: str, address: str) -> list[tuple[str, str]]:
    keys: list[tuple[str, str]] = [(LoginThrottle.Kind.ACCOUNT, username.strip().lower()[:150])]
    if address:
        keys.append((LoginThrottle.Kind.ADDRESS, address))
    return keys


def locked_until(username: str, address: str) -> dt.datetime | None:
    """When the later of the account's and the address's locks ends, or None."""
    now = timezone.now()
    latest = None
    for kind, key in _keys(username, address):
        row = LoginThrottle.objects.filter(kind=kind, key=key, locked_until__gt=now).first()
        until = row.locked_until if row is not None else None
        if until is not None and (latest is None or until > latest):
            latest = until
    return latest


@transaction.atomic
def login_failed(*, username: str, address: str, reason: str = "password") -> None:
    now = timezone.now()
    window = dt.timedelta(minutes=settings.JINGYING_LOCKOUT_MINUTES)
    for kind, key in _keys(username, address):
        row, _created = LoginThrottle.objects.select_for_update().get_or_create(kind=kind, key=key)
        if row.last_failure_at is None or now - row.last_failure_at > window:
            row.failures = 0  # failures far apart do not add up
        row.failures += 1
        row.last_failure_at = now
        if row.failures >= settings.JINGYING_LOCKOUT_ATTEMPTS:
            row.locked_until = now + window
            row.failures = 0
        row.save()
    audit.record(actor=None, action="accounts.login_failed", object_type="accounts.user",
                 object_repr=username[:200], reason=reason)


def login_succeeded(*, user: User, username: str, session_key: str) -> None:
    LoginThrottle.objects.filter(kind=LoginThrottle.Kind.ACCOUNT, key=username.strip().lower()).update(
        failures=0, locked_until=None
    )
    session_bind(user=user, session_key=session_key)
    audit.record(actor=user, action="accounts.login", obj=user)


def session_bind(*, user: User, session_key: str) -> None:
    """Make this the account's one live session; any other is signed out on its next request."""
    LoginSecurity.objects.update_or_create(user=user, defaults={"session_key": session_key})


def unlock(*, actor: Any, username: str) -> int:
    """The security administrator lifts a lock early."""
    n = LoginThrottle.objects.filter(kind=LoginThrottle.Kind.ACCOUNT, key=username.strip().lower()).update(
        failures=0, locked_until=None
    )
    audit.record(actor=actor, action="accounts.unlock", object_type="accounts.user", object_repr=username)
    return n


def current_locks() -> list[LoginThrottle]:
    return list(LoginThrottle.objects.filter(locked_until__gt=timezone.now()).order_by("-locked_until"))


# --- passwords -----------------------------------------------------------------------------


SESSION_SECOND_FACTOR = "jy_second_factor"


def password_change_required(user: User, sec: LoginSecurity | None = None) -> bool:
    sec = sec or security_of(user)
    if sec.must_change_password:
        return True
    max_age = settings.JINGYING_PASSWORD_MAX_AGE_DAYS
    if max_age <= 0:
        return False
    if sec.password_changed_at is None:
        # First seen: start the clock now rather than forcing everyone on upgrade.
        LoginSecurity.objects.filter(pk=sec.pk).update(password_changed_at=timezone.now())
        return False
    return timezone.now() - sec.password_changed_at > dt.timedelta(days=max_age)


@transaction.atomic
def password_set(*, actor: Any, user: User, raw_password: str, must_change: bool = False) -> None:
    """Set a password (already validated), keeping the old hash in the history."""
    if user.password:
        PasswordHistory.objects.create(user=user, encoded=user.password)
        stale = user.password_history.values_list("pk", flat=True)[settings.JINGYING_PASSWORD_HISTORY:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
    user.set_password(raw_password)
    user.save(update_fields=["password"])
    LoginSecurity.objects.update_or_create(
        user=user, defaults={"password_changed_at": timezone.now(), "must_change_password": must_change}
    )
    audit.record(actor=actor, action="accounts.password_set", obj=user)


# --- second factor -------------------------------------------------------------------------


def totp_required(user: User) -> bool:
    return any(grant.role in ADMIN_ROLES or grant.domains & TOTP_DOMAINS for grant in active_grants(user))


def totp_enrolled(user: User) -> bool:
    return security_of(user).totp_confirmed_at is not None


def totp_provisioning(user: User) -> tuple[str, str]:
    """The pending secret (created once) and its otpauth:// URI for an authenticator app."""
    sec = security_of(user)
    if not sec.totp_secret:
        sec.totp_secret = pyotp.random_base32()
        sec.save(update_fields=["totp_secret"])
    uri = pyotp.TOTP(sec.totp_secret).provisioning_uri(name=user.username, issuer_name=settings.JINGYING_TOTP_ISSUER)
    return sec.totp_secret, uri


def totp_check(user: User, code: str) -> bool:
    """Verify a 6-digit code (±1 step for clock drift); a code is accepted only once."""
    sec = security_of(user)
    if not sec.totp_secret:
        return False
    code = "".join(ch for ch in code if ch.isdigit())
    totp = pyotp.TOTP(sec.totp_secret)
    now = timezone.now()
    for drift in (0, -1, 1):
        moment = now + dt.timedelta(seconds=30 * drift)
        step = totp.timecode(moment)
        if step > sec.totp_last_step and totp.at(moment) == code:
            updated = LoginSecurity.objects.filter(pk=sec.pk, totp_last_step__lt=step).update(
                totp_last_step=step, totp_confirmed_at=sec.totp_confirmed_at or now
            )
            return bool(updated)
    return False


def totp_reset(*, actor: Any, user: User) -> None:
    LoginSecurity.objects.filter(user=user).update(totp_secret="", totp_confirmed_at=None, totp_last_step=0)
    audit.record(actor=actor, action="accounts.totp_reset", obj=user)


def session_is_current(user: User, session_key: str | None) -> bool:
    if not settings.JINGYING_SINGLE_SESSION:
        return True
    current = LoginSecurity.objects.filter(user=user).values_list("session_key", flat=True).first()
    return not current or current == session_key

