"""Checkups and the green channel in a real browser on a phone-sized screen: the officer reads
their own results with explanations and who looked; the medical liaison refers a follow-up
through the green channel in one step; the county leader sees the k-safe statistics, no names.

Builds the 3,000-person demo force (its loaders add hospitals and three years of checkups).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.support import ARTIFACTS, Watch, _login, chromium, running_demo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_demo(tmp_path_factory.mktemp("checkups-browser-var"), people=3000) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


def _phone(browser: Any) -> Any:
    return browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                               has_touch=True, locale="zh-CN")


def _no_sideways_scroll(page: Any, what: str) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{what} scrolls sideways on a 390 px phone by {overflow}px"


def test_checkups_on_a_phone(server: str, browser: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    # The officer: own results, plain-language explanations, and who looked (the demo doctor).
    page = _phone(browser).new_page()
    watch = Watch(page, server)
    _login(page, server, "officer")
    page.goto(f"{server}/health/me/")
    page.wait_for_load_state("networkidle")
    body = page.inner_text("body")
    assert "高血压" in body and "少盐" in body, body[:1500]
    assert "doctor" in body and "健康记录" in body
    _no_sideways_scroll(page, "my health page")
    page.screenshot(path=str(ARTIFACTS / "checkups-officer-me.png"), full_page=True)
    watch.assert_clean()

    # The medical liaison: an open specialist follow-up, referred through the green channel.
    doc = _phone(browser).new_page()
    doc_watch = Watch(doc, server)
    _login(doc, server, "doctor")
    doc.goto(f"{server}/health/checkups/followups/?status=open&code=DM")
    doc.wait_for_load_state("networkidle")
    doc.locator("#followup-results tr.js-row", has_text="跟进中").locator("a").first.click()
    doc.wait_for_load_state("networkidle")
    name = doc.inner_text("h2.page-title")
    doc.select_option("select[name=hospital]", index=1)
    doc.click("text=一键转介")
    doc.wait_for_load_state("networkidle")
    assert "/care/referrals/" in doc.url, doc.inner_text("body")[:1000]
    detail = doc.inner_text("body")
    assert "体检随访" in detail and "糖尿病" in detail, detail[:1000]
    _no_sideways_scroll(doc, "the referral page")
    doc.screenshot(path=str(ARTIFACTS / "checkups-doctor-referral.png"), full_page=True)
    doc_watch.assert_clean()
    assert name

    # The county leader: aggregates only.
    lead = _phone(browser).new_page()
    _login(lead, server, "county")
    lead.goto(f"{server}/health/checkups/stats/")
    lead.wait_for_load_state("networkidle")
    stats = lead.inner_text("body")
    assert "完成率" in stats and "血脂异常" in stats
    assert "叶文刚" not in stats  # the demo officer's name never appears
    lead.screenshot(path=str(ARTIFACTS / "checkups-leader-stats.png"), full_page=True)
    assert lead.goto(f"{server}/health/checkups/followups/").status == 403
