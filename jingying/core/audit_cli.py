from __future__ import annotations

import argparse

from django.utils.translation import gettext as _

from jingying.cli import migrate
from jingying.core.audit import verify


def cli_verify(args: argparse.Namespace) -> int:
    migrate()
    result = verify()
    if result.ok:
        print(_("审计链完整：已校验 %(n)d 条记录") % {"n": result.checked})
        return 0
    print(_("审计链已被破坏：第 %(seq)s 条记录（%(reason)s）；此前 %(n)d 条完好") % {
        "seq": result.broken_seq, "reason": result.reason, "n": result.checked})
    return 1
