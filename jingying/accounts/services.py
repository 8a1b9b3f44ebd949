"""Writes to accounts (style rule 2): keyword-only, one transaction, permission-checked, audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.accounts.models import ApiToken, User
from jingying.core import audit
from jingying.core.i18n import join_list
from jingying.core.scoping import has_perm


@transaction.atomic
def api_token_create(*, actor: Any, user: User, name: str = "", expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """A new bearer token for `user`; returns the row and the secret, which is never stored.

    `actor` SYSTEM (or None) is the installation itself: the `jingying token create` command,
    run by whoever holds the server. A signed-in user may create tokens for themselves; for anyone else it takes
    the security administrator's `accounts.manage_users`.
    """
    if actor is not None and actor.pk != user.pk and not has_perm(actor, "accounts.manage_users"):
        raise PermissionDenied("accounts.manage_users")
    if not user.is_active:
        raise ValidationError({"user": [_("用户“%(u)s”已停用，不能为其创建令牌") % {"u": user.username}]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": [_("到期时间必须晚于现在")]})
    secret = ApiToken.new_secret()
    token = ApiToken(user=user, name=name, digest=ApiToken.digest_of(secret), prefix=secret[:8], expires_at=expires_at)
    token.full_clean()
    token.save()
    audit.record(
        actor=actor,
        action="accounts.api_token.create",
        obj=token,
        after={"user": user.username, "name": name, "prefix": token.prefix,
               "expires_at": expires_at.isoformat() if expires_at else None},
    )
    return token, secret


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
