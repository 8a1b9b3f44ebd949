"""`jingying health escalate`: send unacknowledged crisis alerts to the head counsellor(s).
Run it every few minutes (cron / systemd timer), or enqueue the `crisis_escalate` task."""

from __future__ import annotations

import argparse

from django.utils.translation import gettext as _

from jingying.cli import migrate


def cli_escalate(args: argparse.Namespace) -> int:
    from jingying.health.services.crisis import crisis_escalate_overdue

    migrate()
    n = crisis_escalate_overdue()
    print(_("已升级 %(n)d 条超时未确认的危机预警") % {"n": n})
    return 0
