"""B4 (benchmarks.md): throughput of authenticated page views, 32 concurrent clients on 2 cores.

A real server (`jingying.core.serve.run_gunicorn`, what `jingying serve` runs, in a subprocess
on a free port against the bench child's database with the synthetic force) answers 32
signed-in users at once. Each user is a leader or political-department clerk of a different
unit (a city or a county, so the pages cover different subtrees) with a real session: created
the way the login view leaves it (Django's auth keys in the session, the account's one current
session recorded), so every request passes the whole stack — sessions, the login rules, scope,
the view and its template. Each user walks the same mix of everyday pages, repeatedly:

    home · person list of their subtree · the list filtered (民警, 在职) · a person's profile ·
    the care concerns list · the survey campaigns list

One asyncio loop holds one keep-alive connection per user, every request built before the
clock starts, and the time of every request is kept for the p95. Goal: ≥ 150 requests/s,
0 errors (anything but 200), p95 ≤ 200 ms. The floor is the same 32 clients fetching a static
file from the same server (WhiteNoise, ahead of sessions and views): what the HTTP stack alone
costs per request. The CPU per request is reported like B5's (server, database, client).

Size: 32 clients × 100 pages for a full run (`--people` ≥ 10,000), 4 × 12 for a smoke run;
JINGYING_BENCH_B4="N/CLIENTS" overrides (N pages in all).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from jingying.bench.http_load import (
    Connection,
    Cpu,
    CpuMeter,
    default_workers,
    free_port,
    get_request,
    start_server,
    stop_server,
)

# (URL name, query string): the everyday pages each user walks through, in this order.
PAGES: list[tuple[str, str]] = [
    ("core:home", ""),
    ("org:person_list", ""),
    ("org:person_list", "category=police&status=active"),
    ("org:person_detail", ""),
    ("care:concern_list", ""),
    ("surveys:campaign_list", ""),
]


def _size(people: int) -> tuple[int, int]:
    raw = os.environ.get("JINGYING_BENCH_B4", "")
    if raw:
        total, _sep, clients = raw.partition("/")
        return int(total), int(clients or 32)
    return (3200, 32) if people >= 10_000 else (48, 4)


@dataclass
class Visitor:
    username: str
    cookie: str
    paths: list[str]


def _users(count: int) -> list[Visitor]:
    """`count` bench users, each with a grant over a different city or county and a signed-in
    session made as the login view makes one (committed, so the server sees it)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import transaction
    from django.urls import NoReverseMatch, reverse
    from django.utils.module_loading import import_string

    from jingying.accounts import login_rules
    from jingying.accounts.models import Grant, User
    from jingying.accounts.roles import Role
    from jingying.org.choices import UnitKind
    from jingying.org.models import Person, Unit

    store_class = import_string(settings.SESSION_ENGINE + ".SessionStore")
    backend = settings.AUTHENTICATION_BACKENDS[0]
    cities = list(Unit.objects.filter(kind=UnitKind.CITY_BUREAU).order_by("path"))
    counties = list(Unit.objects.filter(kind=UnitKind.COUNTY_BUREAU).order_by("path"))
    scopes = [(Role.POLITICAL, u) for u in cities] + [(Role.LEADER, u) for u in counties]
    visitors = []
    with transaction.atomic():
        for i in range(count):
            role, unit = scopes[i % len(scopes)]
            user, _created = User.objects.update_or_create(username=f"b4-{i:03d}", defaults={
                "display_name": f"B4 {unit.name}", "is_active": True})
            user.set_unusable_password()
            user.save()
            Grant.objects.filter(user=user).delete()
            Grant.objects.create(user=user, role=role, unit=unit, reason="bench B4")
            session = store_class()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = backend
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            login_rules.session_bind(user=user, session_key=session.session_key or "")
            person = (Person.objects.filter(unit__path__startswith=unit.path).order_by("pk")
                      .values_list("pk", flat=True)[i % 7:i % 7 + 1].first())
            paths = []
            for name, query in PAGES:
                try:
                    if name == "org:person_detail":
                        if person is None:
                            continue
                        path = reverse(name, args=[person])
                    else:
                        path = reverse(name)
                except NoReverseMatch:  # a module not installed in this build
                    continue
                paths.append(f"{path}?{query}" if query else path)
            visitors.append(Visitor(user.username, f"{settings.SESSION_COOKIE_NAME}={session.session_key}", paths))
    return visitors


@dataclass
class Tally:
    times: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def count(self, path: str, status: int, seconds: float) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.times.append(seconds)
        if status != 200 and len(self.errors) < 10:
            self.errors.append(f"{status} {path}")


def _burst(port: int, jobs: list[list[tuple[str, bytes]]], server_pid: int, cpu: Cpu, tally: Tally) -> float:
    """Every client sends its requests one after another on its own connection; seconds elapsed."""

    async def main() -> float:
        async def client(index: int) -> None:
            conn = Connection(port)
            for path, raw in jobs[index]:
                started = time.perf_counter()
                try:
                    status, _body = await conn.request(raw)
                except ConnectionError:
                    status = 0
                tally.count(path, status, time.perf_counter() - started)
            conn.close()

        meter = CpuMeter(server_pid, cpu)
        await meter.start()
        started = time.perf_counter()
        await asyncio.gather(*(client(i) for i in range(len(jobs))))
        elapsed = time.perf_counter() - started
        await meter.stop()
        return elapsed

    return asyncio.run(main())


def _jobs(visitors: list[Visitor], total: int, port: int) -> list[list[tuple[str, bytes]]]:
    """Each visitor's share of `total` requests, walking its page mix round and round."""
    jobs = []
    for i, visitor in enumerate(visitors):
        share = len(range(i, total, len(visitors)))
        jobs.append([(path, get_request(path, port, visitor.cookie))
                     for path in (visitor.paths[n % len(visitor.paths)] for n in range(share))])
    return jobs


def p95(times: list[float]) -> float:
    if len(times) < 2:
        return times[0] if times else 0.0
    return statistics.quantiles(times, n=20, method="inclusive")[18]


def b4_page_views(ctx: Any) -> dict[str, Any]:
    """B4: authenticated page views, 32 concurrent clients, against a real server"""
    from django.db import connection
    from django.templatetags.static import static

    ctx.force()
    total, clients = _size(ctx.people)
    goal = "≥ 150 requests/s, 0 errors, p95 ≤ 200 ms"
    visitors = _users(clients)
    connection.close()  # the server processes read now; SQLite readers must not pin an old snapshot
    workers = int(os.environ.get("JINGYING_BENCH_B4_WORKERS", "0")) or None
    port = free_port()
    ctx.progress(f"B4: server on port {port}, {total} page views from {clients} signed-in users")
    threads = int(os.environ.get("JINGYING_BENCH_B4_THREADS", "0")) or 4  # as `jingying serve`
    server = start_server(port, workers=workers, threads=threads, name="B4")
    try:
        # Warm-up, untimed: every page once per user (templates compiled, caches filled) and a
        # check that each answers 200 before anything is measured.
        warm = Tally()
        _burst(port, _jobs(visitors, sum(len(v.paths) for v in visitors), port), server.pid, Cpu(), warm)
        if set(warm.statuses) != {200}:
            return {"available": False, "note": f"warm-up answered {warm.statuses}: {warm.errors}", "goal": goal,
                    "passed": False}
        tally, cpu = Tally(), Cpu()
        elapsed = _burst(port, _jobs(visitors, total, port), server.pid, cpu, tally)
        floor_tally = Tally()
        static_path = static("jingying/favicon.svg")
        floor_jobs = [[(static_path, get_request(static_path, port))] * len(job) for job in _jobs(visitors, total, port)]
        floor_elapsed = _burst(port, floor_jobs, server.pid, Cpu(), floor_tally)
    finally:
        stop_server(server)

    errors = sum(n for status, n in tally.statuses.items() if status != 200)
    value = round(total / elapsed, 1) if elapsed else 0.0
    floor = round(total / floor_elapsed, 1) if floor_elapsed else 0.0
    latency_p95 = round(p95(tally.times) * 1000, 1)
    return {
        "value": value, "unit": "requests/s", "floor": floor, "ratio": round(floor / value, 2) if value else 0.0,
        "goal": goal, "passed": value >= 150 and errors == 0 and latency_p95 <= 200,
        "requests": total, "clients": clients, "workers": workers or default_workers(), "threads": threads,
        "seconds": round(elapsed, 2), "errors": errors, "error_examples": tally.errors,
        "p50_ms": round(statistics.median(tally.times) * 1000, 1) if tally.times else 0.0, "p95_ms": latency_p95,
        "pages_per_user": len(visitors[0].paths) if visitors else 0,
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "cpu_ms_per_request": cpu.per_request_ms(total),
    }
