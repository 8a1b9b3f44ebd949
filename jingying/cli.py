"""The `jingying` command. Each subcommand is a thin wrapper over the same services the UI uses.

Subcommand handlers live next to what they drive (jingying.org.roster_cli, jingying.org.demo,
jingying.bench, …) and are imported lazily so `jingying --help` stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from importlib import import_module


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingying.settings")
    import django

    django.setup()


def migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def _lazy(target: str) -> Callable[[argparse.Namespace], int]:
    """'module:function' resolved when the subcommand runs."""
    module_name, func_name = target.split(":")

    def run(args: argparse.Namespace) -> int:
        setup_django()
        result: int | None = getattr(import_module(module_name), func_name)(args)
        return int(result or 0)

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jingying", description="警营 Jingying")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="create the database, load the demo force and serve it")
    demo.add_argument("--people", type=int, default=3000)
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--no-serve", action="store_true")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--workers", type=int, default=2)
    demo.add_argument("--reset", action="store_true", help="drop existing data first")
    demo.set_defaults(handler=_lazy("jingying.org.demo:cli_demo"))

    serve = sub.add_parser("serve", help="production server (gunicorn) plus the task worker")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--threads", type=int, default=4,
                       help="threads per worker (1 with more workers suits CPU-bound page traffic; docs/benchmarks.md)")
    serve.add_argument("--demo", action="store_true", help="allow the demo passwords")
    serve.add_argument("--no-worker", action="store_true")
    serve.set_defaults(handler=_lazy("jingying.core.serve:cli_serve"))

    roster = sub.add_parser("roster", help="roster import/export (.xlsx)")
    roster_sub = roster.add_subparsers(dest="roster_command", required=True)
    r_import = roster_sub.add_parser("import")
    r_import.add_argument("file")
    r_import.add_argument("--dry-run", action="store_true")
    r_import.add_argument("--errors", metavar="OUT.xlsx")
    r_import.add_argument("--as-user", default=None, help="act as this user (default: the system)")
    r_import.set_defaults(handler=_lazy("jingying.org.roster_cli:cli_import"))
    r_export = roster_sub.add_parser("export")
    r_export.add_argument("file")
    r_export.add_argument("--unit", metavar="CODE")
    r_export.add_argument("--purpose", default="命令行导出", help="why the roster is exported (kept in the audit trail)")
    r_export.add_argument("--as-user", default=None)
    r_export.set_defaults(handler=_lazy("jingying.org.roster_cli:cli_export"))

    token = sub.add_parser("token", help="API tokens")
    token_sub = token.add_subparsers(dest="token_command", required=True)
    t_create = token_sub.add_parser("create")
    t_create.add_argument("username")
    t_create.add_argument("--name", default="cli")
    t_create.add_argument("--days", type=int, default=None)
    t_create.set_defaults(handler=_lazy("jingying.accounts.cli:cli_token_create"))
    t_list = token_sub.add_parser("list", help="tokens (id, prefix, how issued, state), one user's or all")
    t_list.add_argument("username", nargs="?", default=None)
    t_list.set_defaults(handler=_lazy("jingying.accounts.cli:cli_token_list"))
    t_revoke = token_sub.add_parser("revoke", help="end tokens now: by id, or --user for all of a user's")
    t_revoke.add_argument("token_id", nargs="?", type=int, default=None)
    t_revoke.add_argument("--user", default=None, help="revoke every live token of this user")
    t_revoke.add_argument("--reason", default="", help="kept in the audit trail")
    t_revoke.set_defaults(handler=_lazy("jingying.accounts.cli:cli_token_revoke"))

    bench = sub.add_parser("bench", help="measure the figures in benchmarks.md")
    bench.add_argument("--people", type=int, default=30000)
    bench.add_argument("--json", action="store_true")
    bench.add_argument("--runs", type=int, default=5)
    bench.add_argument("--only", default="", help="comma-separated ids, e.g. B1,B3")
    bench.add_argument("--postgres", default=os.environ.get("JINGYING_BENCH_POSTGRES_URL", ""))
    bench.set_defaults(handler=_lazy("jingying.bench.runner:cli_bench"))

    audit = sub.add_parser("audit", help="audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    a_verify = audit_sub.add_parser("verify")
    a_verify.set_defaults(handler=_lazy("jingying.core.audit_cli:cli_verify"))

    instruments = sub.add_parser("instruments", help="scored screening instruments (PHQ-9, GAD-7, …)")
    instruments_sub = instruments.add_subparsers(dest="instruments_command", required=True)
    i_list = instruments_sub.add_parser("list")
    i_list.add_argument("--json", action="store_true")
    i_list.set_defaults(handler=_lazy("jingying.instruments.cli:cli_list"))
    i_score = instruments_sub.add_parser("score")
    i_score.add_argument("code")
    i_score.add_argument("--answers", required=True, help="A1,A2,... (empty or null = unanswered)")
    i_score.add_argument("--sex", choices=["male", "female"], default=None)
    i_score.add_argument("--cutoff", default=None)
    i_score.add_argument("--json", action="store_true")
    i_score.set_defaults(handler=_lazy("jingying.instruments.cli:cli_score"))

    periodic = sub.add_parser("periodic", help="run the escalation and reminder jobs that are due")
    periodic.add_argument("--loop", action="store_true", help="keep running, checking every minute")
    periodic.set_defaults(handler=_lazy("jingying.core.periodic_cli:cli_periodic"))

    import_module("jingying.care.support_cli").register(sub, _lazy)  # care-support: jingying care remind
    # health-psych: periodic crisis escalation (other health parts may add subcommands here)
    health = sub.add_parser("health", help="health and psychological support")
    health_sub = health.add_subparsers(dest="health_command", required=True)
    h_escalate = health_sub.add_parser("escalate", help="escalate unacknowledged crisis alerts")
    h_escalate.set_defaults(handler=_lazy("jingying.health.cli_psych:cli_escalate"))

    # security: delete expired import uploads now (the periodic job does it every few hours)
    uploads = sub.add_parser("uploads", help="uploaded import files (personal data)")
    uploads_sub = uploads.add_subparsers(dest="uploads_command", required=True)
    u_purge = uploads_sub.add_parser("purge", help="delete files of finished imports older than the retention")
    u_purge.add_argument("--days", type=int, default=None, help="default: JINGYING_UPLOAD_RETENTION_DAYS")
    u_purge.set_defaults(handler=_lazy("jingying.core.retention:cli_purge"))

    manage = sub.add_parser("manage", help="run a Django management command")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=_manage)
    return parser


def _manage(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingying.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jingying manage", *args.args])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
