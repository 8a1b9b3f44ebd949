"""Smoke test in a real browser: demo data, the production server, Debian's Chromium.

Builds a 300-person demo force in a temporary data directory with `jingying demo --no-serve`,
starts `jingying serve --demo` on a free port, signs in as `region`, opens the person list and a
profile, on a desktop and on a 390 px phone, and checks that:
- the Chinese text is really drawn (glyphs, not empty boxes: fonts-noto-cjk is present);
- no request leaves the machine (every asset is vendored) and no script error or CSP violation
  happens;
- the phone layout does not scroll sideways.
Screenshots go to test-artifacts/ (gitignored) for a human to look at.

Run with `pytest -m browser` (the fast suite leaves it out); `./run test` runs it as its own stage.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DEMO_PEOPLE = 300


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


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk (./run test does it as root)")
    data_dir = tmp_path_factory.mktemp("browser-var")
    env = _env(data_dir)
    demo = subprocess.run(
        _jingying("demo", "--no-serve", "--people", str(DEMO_PEOPLE)),
        env=env, cwd=data_dir, capture_output=True, text=True, timeout=600, check=False,
    )
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


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
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


def _has_chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def _person_urls() -> tuple[str, re.Pattern[str]]:
    """The person list's path and a pattern for a profile's path, from the URL conf."""
    from django.urls import reverse

    marker = "987654321"
    prefix, suffix = reverse("org:person_detail", args=[marker]).split(marker)
    return reverse("org:person_list"), re.compile(re.escape(prefix) + r"(\d+)" + re.escape(suffix) + "$")


def _open_list_and_profile(page: Any, base: str, shot: str, *, full_page: bool = True) -> None:
    list_url, detail_re = _person_urls()
    page.goto(base + list_url)
    page.wait_for_load_state("networkidle")
    body = page.inner_text("body")
    assert _has_chinese(body), "the person list shows no Chinese text"
    page.screenshot(path=str(ARTIFACTS / f"{shot}-people.png"), full_page=full_page)

    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    profiles = [h for h in hrefs if detail_re.search(urlsplit(h).path)]
    assert profiles, f"no link to a profile on the person list ({len(hrefs)} links)"
    page.goto(urljoin(page.url, profiles[0]))
    page.wait_for_load_state("networkidle")
    assert detail_re.search(urlsplit(page.url).path), page.url
    profile_text = page.inner_text("body")
    assert _has_chinese(profile_text)
    assert re.search(r"警号|身份证|单位", profile_text), "the profile shows none of 警号/身份证/单位"
    glyphs = page.evaluate(GLYPH_CHECK)
    assert glyphs["inked"] and glyphs["drawn"] == 3, f"Chinese characters are not drawn in {glyphs['font']}"
    page.screenshot(path=str(ARTIFACTS / f"{shot}-profile.png"), full_page=full_page)


def test_region_opens_people_and_a_profile(server: str, browser: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    watch = Watch(page, server)
    _login(page, server)
    page.screenshot(path=str(ARTIFACTS / "desktop-home.png"), full_page=True)
    _open_list_and_profile(page, server, "desktop")
    # The API's interactive docs are served by the instance too (no CDN), within the CSP.
    page.goto(f"{server}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    assert "人员列表" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "desktop-api-docs.png"))
    watch.assert_clean()
    context.close()


def test_phone_viewport(server: str, browser: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    watch = Watch(page, server)
    _login(page, server)
    _open_list_and_profile(page, server, "phone", full_page=False)  # one screen, as a phone shows it
    list_url, _re = _person_urls()
    page.goto(server + list_url)
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the person list scrolls sideways on a 390 px phone by {overflow}px"
    watch.assert_clean()
    context.close()
