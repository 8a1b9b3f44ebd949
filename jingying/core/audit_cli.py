from __future__ import annotations

import argparse

from django.utils.translation import gettext as _

from jingying.cli import migrate
from jingying.core.audit import verify


def _why(reason: str) -> str:
    return {
        "hash": _("内容被改动"),
        "prev_hash": _("与前一条记录不衔接"),
        "missing": _("该条记录缺失"),
        "truncated": _("末尾的记录被删除"),
    }.get(reason, reason)


def cli_verify(args: argparse.Namespace) -> int:
    migrate()
    result = verify()
    if result.ok:
        print(_("审计链完整：已校验 %(n)d 条记录") % {"n": result.checked})
        return 0
    print(_("审计链已被破坏：第 %(seq)s 条记录（%(reason)s）；此前 %(n)d 条完好") % {
        "seq": result.broken_seq, "reason": _why(result.reason), "n": result.checked})
    return 1
