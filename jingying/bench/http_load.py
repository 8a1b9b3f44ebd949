"""What the HTTP benchmarks (B4, B5) share: a real server on a free port, a keep-alive asyncio
client connection, and the CPU spent by the server, its database processes and the client.

The server is `jingying.core.serve.run_gunicorn` (what `jingying serve` runs) in a subprocess
against the bench child's throwaway database; the client is one asyncio loop with one
keep-alive HTTP/1.1 connection per simulated user and requests built before the clock starts,
so the client costs well under a millisecond of CPU per request and the figure is the server's.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def default_workers() -> int:
    from jingying.core.serve import default_workers

    return default_workers()


def start_server(port: int, *, workers: int | None = None, threads: int = 4,
                 env: dict[str, str] | None = None, name: str = "bench") -> subprocess.Popen[bytes]:
    """`run_gunicorn` in a subprocess on `port` (the bench child's database and settings, plus
    `env`); returns once it answers."""
    environ = {**os.environ, **(env or {})}
    code = ("from jingying.core.serve import run_gunicorn; "
            f"run_gunicorn(host='127.0.0.1', port={port}, workers={workers or default_workers()}, threads={threads})")
    proc = subprocess.Popen([sys.executable, "-c", code], env=environ,  # noqa: S603 - our own interpreter
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name}: the server did not start")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/openapi.json")
            conn.getresponse().read()
            conn.close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"{name}: the server did not answer within 60 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:  # pragma: no cover
        proc.kill()


def get_request(path: str, port: int, cookie: str = "") -> bytes:
    """A GET as raw bytes (HTTP/1.1, keep-alive), with a Cookie header when given."""
    cookies = f"Cookie: {cookie}\r\n" if cookie else ""
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{cookies}\r\n".encode()


class Connection:
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
            raise ConnectionError("bench: connection lost") from None
        if close:
            self.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def cpu_seconds(pids: list[int]) -> float:
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


def descendants(root: int) -> list[int]:
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


def db_backends() -> list[int]:
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



class CpuMeter:
    """Measures `Cpu` around a timed section (async: the database's process list is read in a
    thread): `await meter.start()`, the work, `await meter.stop()`."""

    def __init__(self, server_pid: int, cpu: Cpu) -> None:
        self.server_pids = descendants(server_pid)
        self.cpu = cpu
        self.db0: dict[int, float] = {}
        self.server0 = self.client0 = 0.0

    async def start(self) -> None:
        self.db0 = {pid: cpu_seconds([pid]) for pid in await asyncio.to_thread(db_backends)}
        self.server0, self.client0 = cpu_seconds(self.server_pids), time.process_time()

    async def stop(self) -> None:
        self.cpu.client = time.process_time() - self.client0
        self.cpu.server = cpu_seconds(self.server_pids) - self.server0
        # Connections the server opened during the burst count from zero.
        self.cpu.database = sum(cpu_seconds([pid]) - self.db0.get(pid, 0.0)
                                for pid in await asyncio.to_thread(db_backends))
