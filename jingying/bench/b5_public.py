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
import http.client
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

RETRY_EVERY = 20


def _size(people: int) -> tuple[int, int]:
    raw = os.environ.get("JINGYING_BENCH_B5", "")
    if raw:
        total, _sep, clients = raw.partition("/")
        return int(total), int(clients or 64)
    return (10_000, 64) if people >= 10_000 else (200, 4)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


def _default_workers() -> int:
    from jingying.core.serve import default_workers

    return default_workers()


def _threads() -> int:
    return int(os.environ.get("JINGYING_BENCH_B5_THREADS", "0")) or 4


def _start_server(port: int, workers: int | None) -> subprocess.Popen[bytes]:
    env = os.environ.copy()
    env["JINGYING_PUBLIC_RATE_LIMIT"] = "100000000/600"
    code = ("from jingying.core.serve import run_gunicorn; "
            f"run_gunicorn(host='127.0.0.1', port={port}, workers={workers or _default_workers()}, threads={_threads()})")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env,  # noqa: S603 - our own interpreter
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("B5: the server did not start")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/openapi.json")
            conn.getresponse().read()
            conn.close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("B5: the server did not answer within 60 s")


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


class _Connection:
    """One client's keep-alive HTTP/1.1 connection (asyncio streams): write a pre-built request,
    read the status line, the headers and a Content-Length body. Reconnects when the server
    closes; the caller resends the same bytes (same key: idempotent)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        try:
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            assert self.reader is not None
            self.writer.write(raw)
            head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), 120)  # TimeoutError is an OSError
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            length, close = 0, False
            for line in lines[1:]:
                name, _sep, value = line.partition(":")
                name = name.strip().lower()
                if name == "content-length":
                    length = int(value)
                elif name == "connection" and value.strip().lower() == "close":
                    close = True
            body = await self.reader.readexactly(length) if length else b""
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError):
            self.close()
            raise ConnectionError("B5: connection lost") from None
        if close:
            self.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _get(path: str, port: int) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()


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


async def _send(conn: _Connection, raw: bytes, tally: Tally) -> int:
    for attempt in range(5):
        try:
            status, _body = await conn.request(raw)
            return status
        except ConnectionError:
            tally.connection_retries += 1
            await asyncio.sleep(0.05 * (attempt + 1))
    return 0


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (Linux /proc; 0 elsewhere)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
        except (OSError, IndexError, ValueError):
            continue
    return total / (os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100)


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return [root]
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _db_backends() -> list[int]:
    """PostgreSQL server processes of the other sessions on this database (the server's)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        pids = [int(r[0]) for r in cursor.fetchall()]
    connection.close()
    return pids


@dataclass
class Cpu:
    """CPU seconds spent during the timed burst: the server processes, the database server
    processes serving them (PostgreSQL), and the bench client itself."""

    server: float = 0.0
    database: float = 0.0
    client: float = 0.0

    def per_request_ms(self, n: int) -> dict[str, float]:
        return {name: round(value * 1000 / max(1, n), 2) for name, value in
                (("server", self.server), ("database", self.database), ("client", self.client))}


def _burst(port: int, clients: int, jobs: list[list[tuple[str, bytes, int]]], tally: Tally | None,
           server_pid: int, cpu: Cpu) -> float:
    """Run the clients' jobs concurrently (one keep-alive connection each); seconds elapsed."""

    async def main() -> float:
        conns = [_Connection(port) for _i in range(clients)]

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

        server_pids = _descendants(server_pid)
        db0 = {pid: _cpu_seconds([pid]) for pid in await asyncio.to_thread(_db_backends)}
        server0, client0 = _cpu_seconds(server_pids), time.process_time()
        started = time.perf_counter()
        await asyncio.gather(*(client(i) for i in range(clients)))
        elapsed = time.perf_counter() - started
        cpu.client = time.process_time() - client0
        cpu.server = _cpu_seconds(server_pids) - server0
        # Connections the server opened during the burst count from zero.
        cpu.database = sum(_cpu_seconds([pid]) - db0.get(pid, 0.0) for pid in await asyncio.to_thread(_db_backends))
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
    port = _free_port()
    ctx.progress(f"B5: server on port {port}, {total} submissions from {clients} clients")
    server = _start_server(port, workers)
    try:
        form_path = f"/api/v1/public/{token}"

        async def forms() -> list[str]:
            async def one() -> str:
                conn = _Connection(port)
                status, body = await conn.request(_get(form_path, port))
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
        get = _get(form_path, port)
        floor_jobs = [[("", get, 1)] * len(range(i, floor_total, clients)) for i in range(clients)]
        floor_elapsed = _burst(port, clients, floor_jobs, None, server.pid, Cpu())
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover
            server.kill()

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
        "workers": workers or _default_workers(), "seconds": round(elapsed, 2), "lost": lost, "duplicated": duplicated,
        "unanswered": unanswered, "rows": row_count, "distinct_keys": len(stored_keys), "accepted": accepted,
        "held": held, "responses": responses, "retries_sent": len(range(0, total, RETRY_EVERY)),
        "replayed_200": tally.replayed, "created_201": tally.created,
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "connection_retries": tally.connection_retries,
        # CPU per POST sent, in ms: where the time goes (2 CPUs = 2,000 ms of CPU per second).
        "cpu_ms_per_request": cpu.per_request_ms(sent),
    }
