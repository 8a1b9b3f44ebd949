"""B5 (benchmarks.md): a burst of public survey submissions from 64 concurrent clients.

A real server (`jingying.core.serve.run_gunicorn` in a subprocess on a free port, the bench
child's throwaway database) receives 10,000 submissions through the public API
(POST /api/v1/public/<token>/responses) from 64 clients: one asyncio loop, one keep-alive
HTTP/1.1 connection per client, requests built before the clock starts (so the client costs
well under a millisecond of CPU per request and the figure is the server's). Every submission
is a new phone: its own `jy_device` cookie and its own one-time key. Every 20th submission is
deliberately posted twice with the same key (a retry after a lost answer), and a lost
connection is retried with the same bytes (same key) too. Then the database is counted:
- lost: keys the server acknowledged (201/200) that are not in the ledger;
- duplicated: ledger rows beyond the distinct keys sent, or responses beyond accepted rows.
The CPU spent during the burst is reported per request: the server's processes, the PostgreSQL
processes serving them, and the bench client (Linux /proc).

All the rules stay on: the clients fetch the form's signed stamp, wait out the 3-second
speed check before the clock starts, and answer with varied answers (no identical bursts);
only the per-address rate limit is raised (JINGYING_PUBLIC_RATE_LIMIT), since all clients
share 127.0.0.1. The floor is the same clients reading the form schema (GET) from the same
server: what the server does per request without writing anything.

Size: 10,000 submissions / 64 clients for a full run (`--people` ≥ 10,000), 200 / 4 for a
smoke run; JINGYING_BENCH_B5="N/CLIENTS" overrides.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
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

RETRY_EVERY = 20


def _size(people: int) -> tuple[int, int]:
    raw = os.environ.get("JINGYING_BENCH_B5", "")
    if raw:
        total, _sep, clients = raw.partition("/")
        return int(total), int(clients or 64)
    return (10_000, 64) if people >= 10_000 else (200, 4)



def _setup() -> tuple[Any, str]:
    """A published public questionnaire and a public campaign at a station (committed)."""
    import datetime as dt

    from django.utils import timezone

    from jingying.core.scoping import SYSTEM
    from jingying.org.choices import UnitKind
    from jingying.org.models import Unit
    from jingying.surveys import public, services
    from jingying.surveys.choices import CampaignKind, QuestionKind

    station = Unit.objects.filter(kind=UnitKind.STATION).order_by("path").first() or Unit.objects.order_by("-path").first()
    assert station is not None
    scale = [{"value": str(v), "label": label} for v, label in
             [(1, "很不满意"), (2, "不满意"), (3, "一般"), (4, "满意"), (5, "很满意")]]
    version = services.questionnaire_create(actor=SYSTEM, unit=station, code=f"b5-{secrets.token_hex(4)}",
                                            title="群众评价")
    services.question_create(actor=SYSTEM, version=version, code="overall", kind=QuestionKind.RATING,
                             text="您对我们工作的总体评价", options=scale)
    services.question_create(actor=SYSTEM, version=version, code="attitude", kind=QuestionKind.RATING,
                             text="民警的服务态度", options=scale)
    services.question_create(actor=SYSTEM, version=version, code="what", kind=QuestionKind.SINGLE,
                             text="您今天办理的事项", options=[{"value": "id", "label": "户籍证件"},
                                                            {"value": "case", "label": "报警求助"},
                                                            {"value": "other", "label": "其他"}])
    services.question_create(actor=SYSTEM, version=version, code="words", kind=QuestionKind.TEXTAREA,
                             text="意见和建议", required=False)
    services.version_publish(actor=SYSTEM, version=version)
    now = timezone.now()
    campaign = services.campaign_create(actor=SYSTEM, version=version, unit=station, title="B5 群众评价",
                                        kind=CampaignKind.PUBLIC, opens_at=now - dt.timedelta(hours=1),
                                        closes_at=now + dt.timedelta(days=30))
    return campaign, public.public_link_ensure(campaign=campaign).token



@dataclass
class Tally:
    acknowledged: set[str] = field(default_factory=set)
    created: int = 0  # 201
    replayed: int = 0  # 200
    statuses: dict[int, int] = field(default_factory=dict)
    connection_retries: int = 0

    def count(self, key: str, status: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status in (200, 201):
            self.acknowledged.add(key)
            if status == 201:
                self.created += 1
            else:
                self.replayed += 1



def _post(path: str, port: int, body: bytes, device: str) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nCookie: jy_device={device}\r\n\r\n").encode() + body


def _answers(rng: random.Random, n: int) -> dict[str, Any]:
    return {"overall": str(rng.randint(1, 5)), "attitude": str(rng.randint(1, 5)),
            "what": rng.choice(["id", "case", "other"]), "words": f"第 {n} 位群众的意见：{rng.randint(0, 10**9)}"}


def _prepared(token: str, port: int, stamp: str, numbers: list[int], rng: random.Random) -> list[tuple[str, bytes, int]]:
    """(key, request bytes, times to send) per submission, built before the clock starts: every
    submission a new phone (device cookie) and a new one-time key; every RETRY_EVERY-th sent twice."""
    path = f"/api/v1/public/{token}/responses"
    out = []
    for n in numbers:
        key = secrets.token_urlsafe(18)
        body = json.dumps({"key": key, "answers": _answers(rng, n), "stamp": stamp}).encode()
        out.append((key, _post(path, port, body, secrets.token_urlsafe(24)), 2 if n % RETRY_EVERY == 0 else 1))
    return out


async def _send(conn: Connection, raw: bytes, tally: Tally) -> int:
    for attempt in range(5):
        try:
            status, _body = await conn.request(raw)
            return status
        except ConnectionError:
            tally.connection_retries += 1
            await asyncio.sleep(0.05 * (attempt + 1))
    return 0



def _burst(port: int, clients: int, jobs: list[list[tuple[str, bytes, int]]], tally: Tally | None,
           server_pid: int, cpu: Cpu) -> float:
    """Run the clients' jobs concurrently (one keep-alive connection each); seconds elapsed."""

    async def main() -> float:
        conns = [Connection(port) for _i in range(clients)]

        async def client(index: int) -> None:
            conn = conns[index]
            for key, raw, sends in jobs[index]:
                for _send_no in range(sends):
                    status = await _send(conn, raw, tally or Tally())
                    if tally is not None:
                        tally.count(key, status)
                    elif status != 200:
                        raise RuntimeError(f"floor GET: {status}")
            conn.close()

        meter = CpuMeter(server_pid, cpu)
        await meter.start()
        started = time.perf_counter()
        await asyncio.gather(*(client(i) for i in range(clients)))
        elapsed = time.perf_counter() - started
        await meter.stop()
        return elapsed

    return asyncio.run(main())


def b5_public_burst(ctx: Any) -> dict[str, Any]:
    """B5: public survey submissions, 64 concurrent clients, against a real server"""
    from django.db import connection

    from jingying.surveys import public
    from jingying.surveys.models import PublicSubmission, Response

    total, clients = _size(ctx.people)
    goal = "0 lost or duplicated, ≥ 300 responses/s (PostgreSQL)"
    campaign, token = _setup()
    connection.close()  # the server processes write now; SQLite readers must not pin an old snapshot
    workers = int(os.environ.get("JINGYING_BENCH_B5_WORKERS", "0")) or None
    port = free_port()
    ctx.progress(f"B5: server on port {port}, {total} submissions from {clients} clients")
    server = start_server(port, workers=workers, threads=int(os.environ.get("JINGYING_BENCH_B5_THREADS", "0")) or 4,
                          env={"JINGYING_PUBLIC_RATE_LIMIT": "100000000/600"}, name="B5")
    try:
        form_path = f"/api/v1/public/{token}"

        async def forms() -> list[str]:
            async def one() -> str:
                conn = Connection(port)
                status, body = await conn.request(get_request(form_path, port))
                conn.close()
                if status != 200:
                    raise RuntimeError(f"B5 form: {status}")
                return str(json.loads(body)["stamp"])
            return list(await asyncio.gather(*(one() for _i in range(clients))))

        # Each client opens the form (its signed stamp), then "reads" for longer than the speed
        # check while its submissions are built; the clock starts after that.
        stamps = asyncio.run(forms())
        read_until = time.monotonic() + public.min_seconds() + 0.2
        jobs = [_prepared(token, port, stamps[i], list(range(i, total, clients)), random.Random(ctx.seed * 1000 + i))
                for i in range(clients)]
        time.sleep(max(0.0, read_until - time.monotonic()))
        tally, cpu = Tally(), Cpu()
        elapsed = _burst(port, clients, jobs, tally, server.pid, cpu)

        floor_total = min(total, 2000)
        get = get_request(form_path, port)
        floor_jobs = [[("", get, 1)] * len(range(i, floor_total, clients)) for i in range(clients)]
        floor_elapsed = _burst(port, clients, floor_jobs, None, server.pid, Cpu())
    finally:
        stop_server(server)

    rows = PublicSubmission.objects.filter(campaign=campaign)
    stored_keys = set(rows.values_list("key", flat=True))
    row_count = rows.count()
    accepted = rows.filter(status=PublicSubmission.Status.ACCEPTED).count()
    held = rows.filter(status=PublicSubmission.Status.HELD).count()
    responses = Response.objects.filter(campaign=campaign).count()
    lost = len(tally.acknowledged - stored_keys)
    duplicated = (row_count - len(stored_keys)) + max(0, responses - accepted) + max(0, tally.created - total)
    value = round(len(tally.acknowledged) / elapsed, 1) if elapsed else 0.0
    floor = round(floor_total / floor_elapsed, 1) if floor_elapsed else 0.0
    unanswered = total - len(tally.acknowledged)
    passed = lost == 0 and duplicated == 0 and unanswered == 0 and (connection.vendor != "postgresql" or value >= 300)
    sent = total + len(range(0, total, RETRY_EVERY))
    return {
        "value": value, "unit": "responses/s", "floor": floor, "ratio": round(floor / value, 2) if value else 0.0,
        "goal": goal, "passed": passed, "submissions": total, "clients": clients,
        "workers": workers or default_workers(), "seconds": round(elapsed, 2), "lost": lost, "duplicated": duplicated,
        "unanswered": unanswered, "rows": row_count, "distinct_keys": len(stored_keys), "accepted": accepted,
        "held": held, "responses": responses, "retries_sent": len(range(0, total, RETRY_EVERY)),
        "replayed_200": tally.replayed, "created_201": tally.created,
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "connection_retries": tally.connection_retries,
        # CPU per POST sent, in ms: where the time goes (2 CPUs = 2,000 ms of CPU per second).
        "cpu_ms_per_request": cpu.per_request_ms(sent),
    }
