"""`jingying periodic [--loop]`: run the escalation and reminder jobs that are due."""

from __future__ import annotations

import argparse

from django.utils.translation import gettext as _


def cli_periodic(args: argparse.Namespace) -> int:
    from jingying.cli import migrate
    from jingying.core import periodic

    migrate()
    if args.loop:  # pragma: no cover - started by `jingying serve`, runs until stopped
        periodic.loop()
        return 0
    results = periodic.run_due()
    for name, result in results.items():
        print(f"{name}: {result}")
    if not results:
        print(_("没有到期的定时任务。"))
    return 0
