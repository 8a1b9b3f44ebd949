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

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from tests.browser.support import ARTIFACTS, GLYPH_CHECK, Watch, _login, chromium, running_demo

pytestmark = pytest.mark.browser

DEMO_PEOPLE = 300


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_demo(tmp_path_factory.mktemp("browser-var"), people=DEMO_PEOPLE) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


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
