"""What the browser tests share: a demo force served by the real server, and Debian's Chromium.

`running_demo()` builds a demo force in a temporary data directory with `jingying demo --no-serve`,
starts `jingying serve --demo` on a free port and stops it afterwards; `chromium()` launches the
browser with the flags this closed network needs.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(data_dir: Path) -> dict[str, str]:
    """The server's environment: a private SQLite data dir, nothing from the test run's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JINGYING_")}
    env["JINGYING_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _jingying(*args: str) -> list[str]:
    return [sys.executable, "-m", "jingying.cli", *args]


def _wait_for(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"jingying serve exited with {proc.returncode}:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own localhost server)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"jingying serve did not answer on {url} within {timeout:.0f} s:\n{log.read_text(errors='replace')[-4000:]}")


@contextlib.contextmanager
def running_demo(data_dir: Path, *, people: int) -> Iterator[str]:
    """The demo force with `people` people, served by `jingying serve`; yields its base URL."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk (./run test does it as root)")
    env = _env(data_dir)
    demo = subprocess.run(_jingying("demo", "--no-serve", "--people", str(people)), env=env, cwd=data_dir,
                          capture_output=True, text=True, timeout=600, check=False)
    assert demo.returncode == 0, f"jingying demo failed:\n{demo.stdout[-3000:]}\n{demo.stderr[-3000:]}"
    port = _free_port()
    log = data_dir / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            _jingying("serve", "--demo", "--port", str(port), "--workers", "1", "--no-worker"),
            env=env, cwd=data_dir, stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/accounts/login/", proc, log)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


class Watch:
    """What the page did that it should not: outside requests, script errors, CSP violations."""

    def __init__(self, page: Any, base: str) -> None:
        self.outside: list[str] = []
        self.errors: list[str] = []
        page.on("request", self._request(base))
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("console", self._console)

    def _request(self, base: str) -> Any:
        def check(request: Any) -> None:
            url = request.url
            if not url.startswith((base, "data:", "blob:", "about:")):
                self.outside.append(url)

        return check

    def _console(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.errors.append(f"CSP: {message.text}")

    def assert_clean(self) -> None:
        assert not self.outside, f"requests left the machine: {self.outside}"
        assert not self.errors, f"errors in the page: {self.errors}"


# The glyph test: draw a Chinese character and a code point no font has (which falls back to
# the empty "tofu" box) in the page's own font; if they come out the same, no CJK font is there.
GLYPH_CHECK = """
() => {
  const font = getComputedStyle(document.body).fontFamily;
  const draw = (text) => {
    const canvas = document.createElement('canvas');
    canvas.width = 64; canvas.height = 64;
    const ctx = canvas.getContext('2d');
    ctx.font = `40px ${font}`;
    ctx.fillStyle = '#000';
    ctx.fillText(text, 4, 48);
    return Array.from(ctx.getImageData(0, 0, 64, 64).data).join(',');
  };
  const tofu = draw('\\u{10FFFD}');
  return {font, drawn: ['警', '营', '民'].filter((c) => draw(c) !== tofu).length,
          inked: draw('警') !== draw(' ')};
}
"""


def _login(page: Any, base: str, username: str = "region") -> None:
    from jingying.core.serve import DEMO_PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, f"login as {username} failed: {page.inner_text('body')[:500]}"
