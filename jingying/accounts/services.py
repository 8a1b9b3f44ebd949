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
from jingying.core.scoping import has_perm


@transaction.atomic
def api_token_create(*, actor: Any, user: User, name: str = "", expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """A new bearer token for `user`; returns the row and the secret, which is never stored.

    `actor` None is the system itself (the `jingying token create` command run by whoever holds
    the server). A signed-in user may create tokens for themselves; for anyone else it takes
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
