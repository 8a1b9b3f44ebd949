"""`jingying bench [--people N] [--json] [--runs R] [--only B1,B3] [--postgres URL]`.

The parent (the `jingying` command, whose Django settings point at the user's database) never
touches a database itself: for each database it starts a child process with its own
JINGYING_DATA_DIR and JINGYING_DATABASE_URL (a temporary SQLite file; with --postgres a scratch
database created and dropped on that server), which migrates, builds the unit tree and runs
benchmarks.BENCHMARKS. The child writes its results as JSON; the parent prints the table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SCRATCH_DB = "jingying_bench"


def _child_env(data_dir: Path, database_url: str) -> dict[str, str]:
    env = os.environ.copy()
    env["JINGYING_DATA_DIR"] = str(data_dir)
    env["JINGYING_DATABASE_URL"] = database_url
    env["JINGYING_SECRET_KEY"] = "jingying-bench-throwaway-key"  # noqa: S105 - throwaway database
    env["JINGYING_TASKS_IMMEDIATE"] = "1"
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _run_child(env: dict[str, str], *, people: int, runs: int, only: list[str], seed: int, out: Path,
               quiet: bool) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "jingying.bench.runner", "child", "--people", str(people), "--runs", str(runs),
           "--seed", str(seed), "--out", str(out), "--only", ",".join(only)]
    if quiet:
        cmd.append("--quiet")
    proc = subprocess.run(cmd, env=env, check=False)  # noqa: S603 - our own interpreter and module
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"benchmark child failed with status {proc.returncode}")
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def scratch_name(url: str) -> str:
    """The throwaway database: "<the URL's database>_bench" (so two people benchmarking against
    the same server with their own database names never drop each other's), else jingying_bench."""
    name = urlsplit(url).path.lstrip("/")
    if name and name.replace("_", "").isalnum() and name != "postgres":
        return f"{name}_bench"
    return SCRATCH_DB


def _pg_admin(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def run_bench(*, people: int, runs: int = 5, only: list[str] | None = None, postgres: str = "", seed: int = 2026,
              quiet: bool = False) -> dict[str, Any]:
    """Measure on a throwaway SQLite database (and PostgreSQL when a URL is given); the JSON document."""
    only = [o.strip().upper() for o in (only or []) if o.strip()]
    doc: dict[str, Any] = {
        "people": people, "runs": runs,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    databases: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="jingying-bench-") as tmp:
        tmp_path = Path(tmp)
        sqlite_dir = tmp_path / "sqlite"
        sqlite_dir.mkdir()
        env = _child_env(sqlite_dir, f"sqlite:///{sqlite_dir / 'bench.sqlite3'}")
        databases["sqlite"] = _run_child(env, people=people, runs=runs, only=only, seed=seed,
                                         out=tmp_path / "sqlite.json", quiet=quiet)
        if postgres:
            pg_dir = tmp_path / "postgres"
            pg_dir.mkdir()
            scratch = scratch_name(postgres)
            _pg_admin(postgres, f"DROP DATABASE IF EXISTS {scratch}", f"CREATE DATABASE {scratch}")
            try:
                env = _child_env(pg_dir, _with_database(postgres, scratch))
                databases["postgresql"] = _run_child(env, people=people, runs=runs, only=only, seed=seed,
                                                     out=tmp_path / "postgres.json", quiet=quiet)
            finally:
                _pg_admin(postgres, f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")
    first = databases["sqlite"]
    doc["database"] = "sqlite"
    doc["results"] = first["results"]
    doc["setup"] = first.get("setup", {})
    if len(databases) > 1:
        doc["databases"] = databases
    return doc


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    if isinstance(value, list):
        return "/".join(str(v) for v in value)
    return str(value)


def format_results(doc: dict[str, Any]) -> str:
    from jingying.org.demo.cli import format_table

    rows = []
    for db, section in (doc.get("databases") or {"sqlite": doc}).items():
        for bench, r in section["results"].items():
            if r.get("available") is False:
                rows.append((bench, db, "n/a", "", "", "", r.get("goal", ""), r.get("note", "")))
                continue
            extra = []
            if "peak_mb" in r:
                extra.append(f"peak {r['peak_mb']} MB")
            if "queries" in r:
                extra.append(f"queries 10/100 rows: {_fmt(r['queries'])}")
            if "lost" in r:
                extra.append(f"{r['submissions']} from {r['clients']} clients in {r['seconds']} s; "
                             f"lost {r['lost']}, duplicated {r['duplicated']}, unanswered {r['unanswered']}, "
                             f"held {r['held']}, retries {r['retries_sent']} (200: {r['replayed_200']}); "
                             f"floor = form GETs/s")
            if "p95_ms" in r:
                extra.append(f"{r['requests']} pages from {r['clients']} users in {r['seconds']} s; "
                             f"errors {r['errors']}, p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms; "
                             f"floor = static file GETs/s")
            if "queries_station_force" in r:
                extra.append(f"{r['rows']} rows, {r['file_mb']} MB; queries station/force: "
                             f"{_fmt(r['queries_station_force'])}")
            view = r.get("view") or {}
            if view.get("value") is not None:
                extra.append(f"page {view['value']} ms, floor {view.get('floor')} ms, {view.get('ratio')}×, "
                             f"queries 20/100 rows: {_fmt(view.get('queries'))}"
                             f"{'' if view.get('passed', True) else ' FAIL'}")
            rows.append((bench, db, f"{_fmt(r['value'])} {r['unit']}", f"{_fmt(r['floor'])} {r['unit']}",
                         f"{r['ratio']:.2f}×", "pass" if r.get("passed") else "FAIL", r.get("goal", ""),
                         "; ".join(extra)))
    headers = ["id", "database", "figure", "floor", "ratio", "result", "goal", "notes"]
    title = f"jingying bench: {doc['people']} people, median of {doc['runs']} runs, {doc['machine']['cpus']} CPUs"
    return title + "\n" + format_table(headers, rows)


def cli_bench(args: argparse.Namespace) -> int:
    only = [o for o in (args.only or "").split(",") if o.strip()]
    doc = run_bench(people=args.people, runs=args.runs, only=only, postgres=args.postgres, quiet=args.json)
    if args.json:
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        print(format_results(doc))
    return 0


# --- child process --------------------------------------------------------------------------------


def _child(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="jingying.bench.runner child")
    parser.add_argument("--people", type=int, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--only", default="")
    parser.add_argument("--out", required=True)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)

    from jingying.cli import migrate, setup_django

    setup_django()
    from django.conf import settings
    from django.db import connection, transaction

    # A throwaway database: the demo password hash needs no argon2 cost here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    from jingying.bench.benchmarks import BENCHMARKS, BenchContext, bench_id
    from jingying.org.demo.generator import build_units
    from jingying.org.demo.users import create_demo_users

    def say(message: str) -> None:
        if not args.quiet:
            print(f"[bench {connection.vendor}] {message}", file=sys.stderr, flush=True)

    say("migrating")
    migrate()
    with transaction.atomic():
        units = build_units(args.seed)
        create_demo_users(units)
    ctx = BenchContext(people=args.people, runs=args.runs, seed=args.seed, workdir=Path(args.out).parent,
                       progress=say, units=units)
    only = {o.strip().upper() for o in args.only.split(",") if o.strip()}
    results: dict[str, Any] = {}
    for fn in BENCHMARKS:
        bid = bench_id(fn)
        if only and bid not in only:
            continue
        say(f"{bid} ({fn.__doc__ or ''})".splitlines()[0])
        results[bid] = fn(ctx)
    doc = {"database": connection.vendor, "people": args.people, "runs": args.runs, "results": results,
           "setup": {"units": len(units.all), **ctx.extra}}
    Path(args.out).write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
    return 0


def _b1_memory(argv: list[str]) -> int:
    from jingying.cli import setup_django

    setup_django()
    from jingying.bench.benchmarks import b1_import_once, rolled_back, rss_mb

    base = rss_mb(peak=False)
    result = rolled_back(lambda: b1_import_once(Path(argv[0]), argv[1]))
    if not result.ok:
        print(result.errors[:3], file=sys.stderr)
        return 1
    print(f"{base:.1f} {rss_mb():.1f}")
    return 0


if __name__ == "__main__":
    command, rest = sys.argv[1], sys.argv[2:]
    if command == "b8-memory":
        from jingying.bench.b8_export import b8_memory

        sys.exit(b8_memory(rest))
    sys.exit(_child(rest) if command == "child" else _b1_memory(rest) if command == "b1-memory" else 2)
