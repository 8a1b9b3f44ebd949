"""`jingying serve`: gunicorn (pre-fork, threaded workers) plus the background task worker and\nthe periodic-job runner."""

from __future__ import annotations

import argparse
import atexit
import os
import subprocess
import sys
from typing import Any

from django.utils.translation import gettext as _

DEMO_PASSWORD = "Jingying@2026"  # printed by `jingying demo`; `serve` refuses it without --demo
DEMO_USERNAMES = (
    "region", "city", "county", "station", "officer", "counsellor", "doctor", "inspector",
    "publicity", "sysadmin", "secadmin", "auditor",
)


def demo_passwords_in_use() -> list[str]:
    from jingying.accounts.models import User

    return [u.username for u in User.objects.filter(username__in=DEMO_USERNAMES, is_active=True)
            if u.check_password(DEMO_PASSWORD)]


def start_worker() -> subprocess.Popen[bytes]:
    """The task worker and the periodic-job runner (escalations, reminders) beside the web server."""
    proc = subprocess.Popen([sys.executable, "-m", "jingying.cli", "manage", "db_worker"])
    atexit.register(proc.terminate)
    periodic = subprocess.Popen([sys.executable, "-m", "jingying.cli", "periodic", "--loop"])
    atexit.register(periodic.terminate)
    return proc


def default_workers() -> int:
    """One process per CPU, at least two."""
    return max(2, os.cpu_count() or 2)


def run_gunicorn(*, host: str, port: int, workers: int, threads: int = 4) -> None:
    from gunicorn.app.base import BaseApplication

    from jingying.wsgi import application

    class App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "timeout": 120,
                "accesslog": "-" if os.environ.get("JINGYING_ACCESS_LOG") else None,
            }
            for key, value in options.items():
                if value is not None:
                    self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    App().run()


def cli_serve(args: argparse.Namespace) -> int:
    from jingying.cli import migrate

    migrate()
    weak = demo_passwords_in_use()
    if weak and not args.demo:
        print(_("拒绝启动：以下账号仍使用演示密码：%(users)s。请先修改密码，或加 --demo 仅用于演示。")
              % {"users": ", ".join(weak)}, file=sys.stderr)
        return 2
    if not args.no_worker:
        start_worker()
    print(_("警营已启动：http://%(host)s:%(port)d/") % {"host": args.host, "port": args.port}, flush=True)
    run_gunicorn(host=args.host, port=args.port, workers=args.workers, threads=max(1, args.threads))
    return 0
