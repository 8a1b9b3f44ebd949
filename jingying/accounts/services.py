"""Writes to accounts (style rule 2): keyword-only, one transaction, permission-checked, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.accounts.models import ApiToken, User
from jingying.core import audit
from jingying.core.i18n import join_list
from jingying.core.scoping import has_perm


def api_token_max_expiry(now: dt.datetime | None = None) -> dt.datetime:
    """The latest expiry a token of an account needing the second factor may have."""
    return (now or timezone.now()) + dt.timedelta(days=settings.JINGYING_API_TOKEN_MAX_DAYS_2FA)


@transaction.atomic
def api_token_create(*, actor: Any, user: User, name: str = "", expires_at: dt.datetime | None = None,
                     second_factor_verified: bool = False) -> tuple[ApiToken, str]:
    """A new bearer token for `user`; returns the row and the secret, which is never stored.

    `actor` SYSTEM (or None) is the installation itself: the `jingying token create` command,
    run by whoever holds the server. A signed-in user may create tokens for themselves; for anyone
    else it takes the security administrator's `accounts.manage_users`.

    When the user's grants need the second factor (login_rules.totp_required) a token must not be
    a way round it (decision 0013): only the server command or the user's own session that
    completed TOTP (`second_factor_verified`, which the caller takes from the session) may issue
    one, never another account; its expiry is at most JINGYING_API_TOKEN_MAX_DAYS_2FA days (that
    maximum when none is given). How it was issued is kept on the token and in the audit entry.
    """
    from jingying.accounts.login_rules import totp_required

    if actor is not None and actor.pk != user.pk and not has_perm(actor, "accounts.manage_users"):
        raise PermissionDenied("accounts.manage_users")
    if not user.is_active:
        raise ValidationError({"user": [_("用户“%(u)s”已停用，不能为其创建令牌") % {"u": user.username}]})
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ValidationError({"expires_at": [_("到期时间必须晚于现在")]})
    if actor is None or actor.pk is None:
        via = ApiToken.IssuedVia.SERVER
    elif actor.pk == user.pk:
        via = ApiToken.IssuedVia.SESSION_TOTP if second_factor_verified else ApiToken.IssuedVia.SESSION
    else:
        via = ApiToken.IssuedVia.SECADMIN
    needs_second_factor = totp_required(user)
    if needs_second_factor:
        days = settings.JINGYING_API_TOKEN_MAX_DAYS_2FA
        if via == ApiToken.IssuedVia.SECADMIN:
            raise ValidationError({"user": [_(
                "用户“%(u)s”的权限需要动态口令，其 API 令牌只能由本人在完成动态口令验证后创建，"
                "或由服务器管理员用 jingying token create 签发") % {"u": user.username}]})
        if via == ApiToken.IssuedVia.SESSION:
            raise ValidationError(_("您的权限需要动态口令：请先完成动态口令验证，再创建 API 令牌"))
        if expires_at is None:
            expires_at = api_token_max_expiry(now)
        elif expires_at > api_token_max_expiry(now):
            raise ValidationError({"expires_at": [_(
                "该账号的权限需要动态口令，API 令牌有效期最长 %(n)d 天") % {"n": days}]})
    secret = ApiToken.new_secret()
    token = ApiToken(user=user, name=name, digest=ApiToken.digest_of(secret), prefix=secret[:8], expires_at=expires_at,
                     issued_via=via, second_factor=needs_second_factor)
    token.full_clean()
    token.save()
    audit.record(
        actor=actor,
        action="accounts.api_token.create",
        obj=token,
        after={"user": user.username, "name": name, "prefix": token.prefix,
               "expires_at": expires_at.isoformat() if expires_at else None,
               "issued_via": via.value, "second_factor": needs_second_factor},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken, reason: str = "") -> ApiToken:
    """End a token now: its next request answers 401. The row stays as the record.

    The token's owner, the security administrator (`accounts.manage_users`) or the server
    (SYSTEM/None, `jingying token revoke`) may revoke it.
    """
    if (actor is not None and actor.pk is not None and actor.pk != token.user_id
            and not has_perm(actor, "accounts.manage_users")):
        raise PermissionDenied("accounts.manage_users")
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise ValidationError(_("该令牌已于 %(t)s 撤销") % {
            "t": timezone.localtime(token.revoked_at).strftime("%Y-%m-%d %H:%M")})
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="accounts.api_token.revoke", obj=token, reason=reason[:200],
                 after={"user": token.user.username, "prefix": token.prefix,
                        "revoked_at": token.revoked_at.isoformat()})
    return token


# --- users and grants (security administrator; 三员分立) -------------------------------------


def _require_secadmin(actor: Any, perm: str, unit_path: str | None = None) -> None:
    from jingying.core.scoping import covers

    if unit_path is None:
        if not has_perm(actor, perm):
            raise PermissionDenied(perm)
    elif not covers(actor, perm, unit_path):
        raise PermissionDenied(perm)


@transaction.atomic
def user_create(*, actor: Any, username: str, raw_password: str, display_name: str = "",
                person: Any = None) -> User:
    """A new account; the holder must change the password at first sign-in."""
    from django.contrib.auth.password_validation import validate_password

    from jingying.accounts.login_rules import password_set

    _require_secadmin(actor, "accounts.manage_users")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [_("账号“%(u)s”已存在") % {"u": username}]})
    if person is not None and User.objects.filter(person=person).exists():
        raise ValidationError({"person": [_("该人员已有账号")]})
    user = User(username=username, display_name=display_name, person=person)
    user.full_clean(exclude=["password"])
    try:
        validate_password(raw_password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_unusable_password()
    user.save()
    audit.record(actor=actor, action="accounts.user.create", obj=user,
                 after={"username": username, "display_name": display_name, "person": getattr(person, "pk", None)})
    password_set(actor=actor, user=user, raw_password=raw_password, must_change=True)
    return user


@transaction.atomic
def user_set_active(*, actor: Any, user: User, active: bool, reason: str) -> User:
    _require_secadmin(actor, "accounts.manage_users")
    if actor.pk == user.pk:
        raise ValidationError(_("不能停用或启用自己的账号"))
    if not reason.strip():
        raise ValidationError({"reason": [_("请填写原因")]})
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(actor=actor, action="accounts.user.activate" if active else "accounts.user.deactivate",
                 obj=user, after={"is_active": active}, reason=reason)
    return user


@transaction.atomic
def user_reset_password(*, actor: Any, user: User, raw_password: str) -> None:
    from django.contrib.auth.password_validation import validate_password

    from jingying.accounts.login_rules import password_set

    _require_secadmin(actor, "accounts.manage_users")
    if actor.pk == user.pk:
        raise ValidationError(_("请通过“修改密码”修改自己的密码"))
    try:
        validate_password(raw_password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    password_set(actor=actor, user=user, raw_password=raw_password, must_change=True)


def _admin_role_conflict(user: User, role: str) -> str | None:
    """Why `user` may not receive `role` under 三员分立, or None."""
    from jingying.accounts.models import Grant
    from jingying.accounts.roles import ADMIN_ROLES, Role

    held = set(Grant.objects.active().filter(user=user).values_list("role", flat=True))
    held_admin = held & {str(r) for r in ADMIN_ROLES}
    if role in ADMIN_ROLES:
        others = held - {role}
        if others:
            names = join_list(Role(r).label for r in sorted(others))
            return _("三员分立：该账号已有“%(roles)s”授权，不能再授予管理员角色") % {"roles": names}
    elif held_admin:
        names = join_list(Role(r).label for r in sorted(held_admin))
        return _("三员分立：该账号是%(roles)s，不能再授予业务角色") % {"roles": names}
    return None


@transaction.atomic
def grant_create(*, actor: Any, user: User, role: str, unit: Any, reason: str,
                 expires_at: dt.datetime | None, domains: list[str] | None = None) -> Any:
    """Give `user` a role over `unit`'s subtree, with a reason and an expiry (等保: 最小授权)."""
    from jingying.accounts.models import Grant
    from jingying.accounts.roles import Domain, Role

    _require_secadmin(actor, "accounts.manage_grants", unit.path)
    errors: dict[str, list[str]] = {}
    if actor is not None and actor.pk == user.pk:
        errors.setdefault("user", []).append(_("安全管理员不能给自己授权"))
    if role not in Role.values:
        errors.setdefault("role", []).append(_("未知角色"))
    domains = sorted(set(domains or []))
    unknown = [d for d in domains if d not in Domain.values]
    if unknown:
        errors.setdefault("domains", []).append(_("未知数据域：%(d)s") % {"d": join_list(unknown)})
    if not reason.strip():
        errors.setdefault("reason", []).append(_("请填写授权理由"))
    if expires_at is None:
        errors.setdefault("expires_at", []).append(_("请填写到期时间"))
    elif expires_at <= timezone.now():
        errors.setdefault("expires_at", []).append(_("到期时间必须晚于现在"))
    if not errors and (conflict := _admin_role_conflict(user, role)):
        errors.setdefault("role", []).append(conflict)
    if errors:
        raise ValidationError(errors)
    grant = Grant.objects.create(user=user, role=role, unit=unit, domains=domains, reason=reason,
                                 expires_at=expires_at, granted_by=actor if getattr(actor, "pk", None) else None)
    audit.record(actor=actor, action="accounts.grant.create", obj=grant, reason=reason,
                 after={"user": user.username, "role": role, "unit": unit.code, "domains": domains,
                        "expires_at": expires_at.isoformat() if expires_at else None})
    return grant


@transaction.atomic
def grant_revoke(*, actor: Any, grant: Any, reason: str) -> Any:
    """End a grant now; the row stays as the record of who held what, and when."""
    _require_secadmin(actor, "accounts.manage_grants", grant.unit.path)
    if actor is not None and actor.pk == grant.user_id:
        raise ValidationError(_("安全管理员不能修改自己的授权"))
    if not reason.strip():
        raise ValidationError({"reason": [_("请填写撤销原因")]})
    before = grant.expires_at
    grant.expires_at = timezone.now()
    grant.save(update_fields=["expires_at"])
    audit.record(actor=actor, action="accounts.grant.revoke", obj=grant, reason=reason,
                 before={"expires_at": before.isoformat() if before else None},
                 after={"expires_at": grant.expires_at.isoformat()})
    return grant
