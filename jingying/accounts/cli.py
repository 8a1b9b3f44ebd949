"""`jingying token create|list|revoke`: API tokens from the server's command line.

`create USERNAME [--name N] [--days D]` prints the new token alone on its last line. Whoever runs
it holds the server, so it is recorded as issued by the system ("server"); for an account whose
grants need the second factor the expiry is capped at JINGYING_API_TOKEN_MAX_DAYS_2FA days and
defaults to it (decision 0013).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def _when(moment: dt.datetime | None, never: str = "") -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else never


def cli_token_create(args: argparse.Namespace) -> int:
    from jingying.accounts.models import User
    from jingying.accounts.services import api_token_create
    from jingying.cli import migrate
    from jingying.core.scoping import SYSTEM

    migrate()
    user = User.objects.filter(username=args.username).first()
    if user is None:
        print(_("没有用户“%(u)s”") % {"u": args.username}, file=sys.stderr)
        return 1
    if args.days is not None and args.days < 1:
        print(_("--days 应为正整数"), file=sys.stderr)
        return 2
    expires_at = timezone.now() + dt.timedelta(days=args.days) if args.days else None
    try:
        token, secret = api_token_create(actor=SYSTEM, user=user, name=args.name, expires_at=expires_at)
    except ValidationError as exc:
        for message in exc.messages:
            print(message, file=sys.stderr)
        return 1
    until = _when(token.expires_at, _("永不过期"))
    print(_("已为用户 %(u)s 创建 API 令牌“%(n)s”（到期：%(t)s）。令牌只显示这一次，请妥善保存：")
          % {"u": user.username, "n": token.name, "t": until})
    print(secret)
    return 0


def _state(token: object) -> str:
    from jingying.accounts.models import ApiToken

    assert isinstance(token, ApiToken)
    if token.revoked_at is not None:
        return _("已撤销")
    if token.expires_at is not None and token.expires_at <= timezone.now():
        return _("已过期")
    return _("有效")


def cli_token_list(args: argparse.Namespace) -> int:
    from jingying.accounts.models import ApiToken
    from jingying.cli import migrate

    migrate()
    rows = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
    if args.username:
        rows = rows.filter(user__username=args.username)
    for t in rows:
        print("\t".join([str(t.pk), t.user.username, f"{t.prefix}…", t.name, t.get_issued_via_display() or "-",
                         _("第二因素") if t.second_factor else "-", _when(t.created_at),
                         _when(t.expires_at, _("永不过期")), _when(t.last_used_at, "-"), _state(t)]))
    return 0


def cli_token_revoke(args: argparse.Namespace) -> int:
    from jingying.accounts.models import ApiToken
    from jingying.accounts.services import api_token_revoke
    from jingying.cli import migrate
    from jingying.core.scoping import SYSTEM

    migrate()
    if (args.token_id is None) == (args.user is None):
        print(_("请给出令牌编号，或用 --user 指定用户（二者取一）"), file=sys.stderr)
        return 2
    if args.token_id is not None:
        tokens = list(ApiToken.objects.filter(pk=args.token_id))
        if not tokens:
            print(_("没有编号为 %(id)s 的令牌") % {"id": args.token_id}, file=sys.stderr)
            return 1
    else:
        tokens = list(ApiToken.objects.filter(user__username=args.user, revoked_at__isnull=True))
    code = 0
    for token in tokens:
        try:
            api_token_revoke(actor=SYSTEM, token=token, reason=args.reason)
        except ValidationError as exc:
            print(" ".join(exc.messages), file=sys.stderr)
            code = 1
            continue
        print(_("已撤销令牌 %(id)s（%(p)s…）") % {"id": token.pk, "p": token.prefix})
    return code
