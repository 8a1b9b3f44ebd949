"""`jingying care remind`: the care-support reminders (campaign visits, expiring insurance).

Run it from cron (daily is fine: the insurance reminder goes once per policy end date, the
campaign reminder once per run for each unit with people not yet visited).
"""

from __future__ import annotations

import argparse

from django.utils.translation import gettext as _


def cli_remind(args: argparse.Namespace) -> int:
    from jingying.care.tasks_support import run_support_reminders

    counts = run_support_reminders()
    print(_("从优待警活动走访提醒：%(a)d 条；意外保险到期提醒：%(b)d 条")
          % {"a": counts["campaigns"], "b": counts["insurance"]})
    return 0


def care_subparsers(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    """The `jingying care …` subcommands, created by whichever care part registers first."""
    care = sub.choices.get("care")
    if care is None:
        care = sub.add_parser("care", help="care programmes (reminders, escalation)")
        care.set_defaults(_care_sub=care.add_subparsers(dest="care_command", required=True))
    return care.get_default("_care_sub")


def register(sub: argparse._SubParsersAction, lazy: object) -> None:  # type: ignore[type-arg]
    """Add `jingying care remind` (called from jingying.cli.build_parser)."""
    remind = care_subparsers(sub).add_parser("remind", help="campaign visit and expiring insurance reminders")
    remind.set_defaults(handler=lazy("jingying.care.support_cli:cli_remind"))  # type: ignore[operator]
