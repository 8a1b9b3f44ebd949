"""`jingying token create USERNAME [--name N] [--days D]`: prints the new token alone on its last line."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


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
    until = timezone.localtime(expires_at).strftime("%Y-%m-%d %H:%M") if expires_at else _("永不过期")
    print(_("已为用户 %(u)s 创建 API 令牌“%(n)s”（到期：%(t)s）。令牌只显示这一次，请妥善保存：")
          % {"u": user.username, "n": token.name, "t": until})
    print(secret)
    return 0
