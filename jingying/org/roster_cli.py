"""`jingying roster import|export`: the command-line face of jingying.org.roster.

Without --as-user the command acts as the installation itself (jingying.core.scoping.SYSTEM):
whoever can run it on the server already holds the whole database. The audit entry then names
"system" as the actor.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _


def _actor(args: argparse.Namespace) -> Any:
    from jingying.core.scoping import SYSTEM

    if not args.as_user:
        return SYSTEM
    from jingying.accounts.models import User

    user = User.objects.filter(username=args.as_user, is_active=True).first()
    if user is None:
        print(_("找不到用户“%(u)s”（或该用户已停用）") % {"u": args.as_user}, file=sys.stderr)
    return user


class _Bar:
    """A tqdm progress bar on a terminal; silent when output is piped or in tests."""

    def __init__(self, desc: str) -> None:
        self.bar: Any = None
        self.desc = desc

    def __call__(self, done: int, total: int) -> None:
        if not sys.stdout.isatty():
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.desc, unit=_("行"), leave=False)
        self.bar.total = total
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def cli_import(args: argparse.Namespace) -> int:
    from jingying.cli import migrate
    from jingying.org.roster.importer import import_roster
    from jingying.org.roster.report import error_lines, write_error_workbook

    migrate()
    actor = _actor(args)
    if actor is None:
        return 2
    path = Path(args.file)
    if not path.is_file():
        print(_("找不到文件：%(p)s") % {"p": path}, file=sys.stderr)
        return 2
    bar = _Bar(_("校验并导入") if not args.dry_run else _("校验"))
    try:
        result = import_roster(path, actor=actor, dry_run=args.dry_run, progress=bar)
    finally:
        bar.close()
    if result.ignored_columns:
        print(_("已忽略的列：%(cols)s") % {"cols": "、".join(result.ignored_columns)})
    if result.errors:
        for line in error_lines(result):
            print(line)
        print(
            _("共 %(rows)d 行，%(bad)d 行有错误（%(n)d 处）；未写入任何数据。")
            % {"rows": result.rows, "bad": result.error_row_count, "n": len(result.errors)}
        )
        if args.errors:
            write_error_workbook(result, args.errors)
            print(_("错误报告已写入 %(p)s") % {"p": args.errors})
        return 1
    summary = _("共 %(rows)d 行：新增 %(c)d 人，更新 %(u)d 人，未变 %(n)d 人。") % {
        "rows": result.rows, "c": result.created, "u": result.updated, "n": result.unchanged,
    }
    if args.dry_run:
        summary += _("（试运行，未写入）")
    print(summary)
    return 0


def cli_export(args: argparse.Namespace) -> int:
    from jingying.cli import migrate
    from jingying.org.models import Unit
    from jingying.org.roster.exporter import export_roster

    migrate()
    actor = _actor(args)
    if actor is None:
        return 2
    unit = None
    if args.unit:
        unit = Unit.objects.filter(code=args.unit).first()
        if unit is None:
            print(_("找不到单位代码“%(c)s”") % {"c": args.unit}, file=sys.stderr)
            return 2
    rows = export_roster(args.file, actor=actor, unit=unit, purpose=args.purpose)
    print(_("已导出 %(n)d 人到 %(p)s") % {"n": rows, "p": args.file})
    return 0
