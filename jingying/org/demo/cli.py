"""`jingying demo`: migrate, load the demo force when the database is empty, print the logins, serve."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table that lines up with Chinese (double-width) characters."""
    widths = [max(_width(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[Any]) -> str:
        return "  ".join(str(c) + " " * (w - _width(str(c))) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


class _Lines:
    """Progress as a line per 10 % where there is no terminal to draw a bar on (logs, CI)."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.next_mark = total, 0, 10

    def update(self, n: int) -> None:
        self.done += n
        if self.total < 20000:  # a small load is over in a second or two
            return
        percent = self.done * 100 // max(1, self.total)
        if percent >= self.next_mark:
            print(_("  已生成 %(done)d / %(total)d 人") % {"done": self.done, "total": self.total}, flush=True)
            self.next_mark = percent // 10 * 10 + 10

    def close(self) -> None:
        pass


def _progress(total: int) -> Any:
    if total < 20000 or not sys.stderr.isatty():
        return _Lines(total)
    from tqdm import tqdm

    return tqdm(total=total, unit=_("人"), desc=_("生成人员"), dynamic_ncols=True)


def reset_database() -> None:
    """Empty every table (the demo's data, users, sessions and its audit trail)."""
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)


def load_module_demos(*, seed: int) -> None:
    """Each domain app's demo activity on top of the force (settings.JINGYING_DEMO_LOADERS).

    Named in settings rather than imported here so org never depends on the apps built on it.
    """
    from django.apps import apps
    from django.conf import settings
    from django.utils.module_loading import import_string

    loaders = list(settings.JINGYING_DEMO_LOADERS)
    labels = []
    for dotted in loaders:
        app = apps.get_containing_app_config(dotted)
        labels.append(str(app.verbose_name) if app else dotted.rsplit(".", 1)[0])
    for index, dotted in enumerate(loaders):
        label = labels[index]
        if labels.count(label) > 1:  # one app, several parts: number them
            label = f"{label}（{labels[:index + 1].count(label)}/{labels.count(label)}）"
        print(_("正在生成演示数据：%(what)s……") % {"what": label}, flush=True)
        import_string(dotted)(seed=seed)


def cli_demo(args: argparse.Namespace) -> int:
    from jingying.cli import migrate
    from jingying.core.serve import DEMO_PASSWORD
    from jingying.org.demo.generator import load_demo
    from jingying.org.demo.users import demo_logins
    from jingying.org.models import Unit

    if args.people < 0:
        print(_("--people 不能为负数"), file=sys.stderr)
        return 2
    print(_("正在准备数据库……"), flush=True)
    migrate()
    if args.reset:
        reset_database()
    if Unit.objects.exists():
        print(_("数据库中已有数据，不再生成演示队伍（加 --reset 清空后重新生成）。"))
    else:
        print(_("正在生成演示队伍：%(n)d 人，随机种子 %(seed)d……") % {"n": args.people, "seed": args.seed}, flush=True)
        bar = _progress(args.people)
        try:
            summary = load_demo(people=args.people, seed=args.seed, progress=bar.update)
        finally:
            bar.close()
        print(_("已生成 %(units)d 个单位、%(people)d 人（民警 %(police)d，辅警 %(aux)d）、家属 %(deps)d 人，用时 %(s).1f 秒。")
              % {"units": summary["units"], "people": summary["people"], "police": summary["police"],
                 "aux": summary["auxiliary"], "deps": summary["dependents"], "s": summary["seconds"]})
        load_module_demos(seed=args.seed)

    rows = [(u, role, scope, person, DEMO_PASSWORD) for u, role, scope, person in demo_logins()]
    if rows:
        print()
        print(format_table([_("用户名"), _("角色"), _("范围"), _("关联人员"), _("密码")], rows))
        print(_("三员（sysadmin、secadmin、auditor）以及有心理、廉政数据域授权的账号（counsellor、inspector）"
                "登录时还需动态口令：首次登录按页面提示用手机验证器扫码绑定。"))
    url = f"http://{args.host}:{args.port}/"
    print()
    print(_("访问地址：%(url)s") % {"url": url}, flush=True)
    if args.no_serve:
        return 0

    from jingying.core.serve import run_gunicorn, start_worker

    start_worker()
    print(_("警营演示已启动：%(url)s（Ctrl+C 停止）") % {"url": url}, flush=True)
    run_gunicorn(host=args.host, port=args.port, workers=args.workers)
    return 0
