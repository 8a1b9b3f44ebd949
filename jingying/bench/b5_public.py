"""B5 (benchmarks.md): a burst of public survey submissions from 64 concurrent clients.

A real server (`jingying.core.serve.run_gunicorn` in a subprocess on a free port, the bench
child's throwaway database) receives 10,000 submissions through the public API
(POST /api/v1/public/<token>/responses) from 64 threads using `http.client` with keep-alive.
Every submission is a new phone: its own `jy_device` cookie and its own one-time key. Every
20th submission is deliberately posted twice with the same key (a retry after a lost answer),
and a connection error is retried with the same key too. Then the database is counted:
- lost: keys the server acknowledged (201/200) that are not in the ledger;
- duplicated: ledger rows beyond the distinct keys sent, or responses beyond accepted rows.

All the rules stay on: the clients fetch the form's signed stamp, wait out the 3-second
speed check before the clock starts, and answer with varied answers (no identical bursts);
only the per-address rate limit is raised (JINGYING_PUBLIC_RATE_LIMIT), since all clients
share 127.0.0.1. The floor is the same clients reading the form schema (GET) from the same
server: what the server does per request without writing anything.

Size: 10,000 submissions / 64 clients for a full run (`--people` ≥ 10,000), 200 / 4 for a
smoke run; JINGYING_BENCH_B5="N/CLIENTS" overrides.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import threading
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


def _start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = os.environ.copy()
    env["JINGYING_PUBLIC_RATE_LIMIT"] = "100000000/600"
    code = ("from jingying.core.serve import run_gunicorn; "
            f"run_gunicorn(host='127.0.0.1', port={port}, workers={workers})")
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
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            response = self.conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def _answers(rng: random.Random, n: int) -> dict[str, Any]:
    return {"overall": str(rng.randint(1, 5)), "attitude": str(rng.randint(1, 5)),
            "what": rng.choice(["id", "case", "other"]), "words": f"第 {n} 位群众的意见：{rng.randint(0, 10**9)}"}


def _submit(client: _Client, token: str, stamp: str, n: int, rng: random.Random, tally: Tally) -> None:
    key = secrets.token_urlsafe(18)
    device = secrets.token_urlsafe(24)
    body = json.dumps({"key": key, "answers": _answers(rng, n), "stamp": stamp}).encode()
    headers = {"Content-Type": "application/json", "Cookie": f"jy_device={device}"}
    sends = 2 if n % RETRY_EVERY == 0 else 1
    for _send in range(sends):
        for attempt in range(5):
            try:
                status, _body = client.request("POST", f"/api/v1/public/{token}/responses", body, headers)
                break
            except (OSError, http.client.HTTPException):
                with tally.lock:
                    tally.connection_retries += 1
                time.sleep(0.05 * (attempt + 1))
        else:
            status = 0
        with tally.lock:
            tally.statuses[status] = tally.statuses.get(status, 0) + 1
            if status in (200, 201):
                tally.acknowledged.add(key)
                if status == 201:
                    tally.created += 1
                else:
                    tally.replayed += 1


def _run_clients(clients: int, work: list[list[int]], fn: Any) -> float:
    barrier = threading.Barrier(clients + 1)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            fn(index, work[index], barrier)
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"B5 client failed: {errors[0]!r}")
    return elapsed


def b5_public_burst(ctx: Any) -> dict[str, Any]:
    """B5: public survey submissions, 64 concurrent clients, against a real server"""
    from django.db import connection

    from jingying.surveys import public
    from jingying.surveys.models import PublicSubmission, Response

    total, clients = _size(ctx.people)
    goal = "0 lost or duplicated, ≥ 300 responses/s (PostgreSQL)"
    campaign, token = _setup()
    connection.close()  # the server processes write now; SQLite readers must not pin an old snapshot
    workers = int(os.environ.get("JINGYING_BENCH_B5_WORKERS", str(max(2, os.cpu_count() or 2))))
    port = _free_port()
    ctx.progress(f"B5: server on port {port} ({workers} workers), {total} submissions from {clients} clients")
    server = _start_server(port, workers)
    try:
        work = [list(range(i, total, clients)) for i in range(clients)]
        tally = Tally()
        min_wait = public.min_seconds() + 0.2

        def submitter(index: int, numbers: list[int], barrier: threading.Barrier) -> None:
            client = _Client(port)
            rng = random.Random(ctx.seed * 1000 + index)
            status, body = client.request("GET", f"/api/v1/public/{token}")
            if status != 200:
                raise RuntimeError(f"form: {status}")
            stamp = json.loads(body)["stamp"]
            client.close()  # idle past the server's keep-alive while the person "reads": reconnect after
            client.conn = None
            time.sleep(min_wait)  # a person takes longer than the speed check to answer
            barrier.wait()
            for n in numbers:
                _submit(client, token, stamp, n, rng, tally)
            client.close()

        elapsed = _run_clients(clients, work, submitter)

        floor_total = min(total, 2000)
        floor_work = [list(range(i, floor_total, clients)) for i in range(clients)]

        def reader(index: int, numbers: list[int], barrier: threading.Barrier) -> None:
            client = _Client(port)
            barrier.wait()
            for _n in numbers:
                status, _body = client.request("GET", f"/api/v1/public/{token}")
                if status != 200:
                    raise RuntimeError(f"floor GET: {status}")
            client.close()

        floor_elapsed = _run_clients(clients, floor_work, reader)
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
    return {
        "value": value, "unit": "responses/s", "floor": floor, "ratio": round(floor / value, 2) if value else 0.0,
        "goal": goal, "passed": passed, "submissions": total, "clients": clients, "workers": workers,
        "seconds": round(elapsed, 2), "lost": lost, "duplicated": duplicated, "unanswered": unanswered,
        "rows": row_count, "distinct_keys": len(stored_keys), "accepted": accepted, "held": held,
        "responses": responses, "retries_sent": len(range(0, total, RETRY_EVERY)), "replayed_200": tally.replayed,
        "created_201": tally.created,
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "connection_retries": tally.connection_retries,
    }
