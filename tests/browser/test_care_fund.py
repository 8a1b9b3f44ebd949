"""Issue 5 parts 8 and 10 in a real browser on a phone-sized screen: the fund holder (`region`)
gives the second approval to a waiting relief grant and pays it (the ledger gains the entry and
the balance drops), opens the expiring-equipment list and the six guarantees scorecard; an
officer sees their own protective equipment on their profile. Screenshots in test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from tests.browser.support import ARTIFACTS, Watch, _login, chromium, running_demo

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True, "locale": "zh-CN"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_demo(tmp_path_factory.mktemp("care-fund-browser-var"), people=3000) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


def _go(page: Any, url: str) -> str:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return str(page.inner_text("body"))


def _no_sideways_scroll(page: Any, what: str) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{what} scrolls sideways on a 390 px phone by {overflow}px"


def _balance(text: str) -> Decimal:
    found = re.search(r"¥\s*([\d,]+\.\d\d)", text)
    assert found, text[:500]
    return Decimal(found.group(1).replace(",", ""))


def test_region_approves_and_pays_a_grant_on_a_phone(server: str, browser: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(**PHONE)
    page = context.new_page()
    watch = Watch(page, server)
    _login(page, server, "region")
    before = _balance(_go(page, f"{server}/care/fund/"))
    page.screenshot(path=str(ARTIFACTS / "care-fund-home.png"), full_page=True)

    _go(page, f"{server}/care/fund/grants/?status=first_approved")
    _no_sideways_scroll(page, "the grant list")
    page.click(".grant-row a")
    page.wait_for_load_state("networkidle")
    page.click("text=复审通过")
    page.wait_for_load_state("networkidle")
    assert "已审批通过" in page.inner_text("body")
    assert "待拨付" in page.inner_text(".grant-status")
    amount = Decimal(re.search(r"¥\s*([\d.]+)", page.inner_text("dl")).group(1))
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('拨付')")
    page.wait_for_load_state("networkidle")
    body = page.inner_text("body")
    assert "已拨付并记入基金流水" in body, body[:800]
    page.screenshot(path=str(ARTIFACTS / "care-fund-grant-paid.png"), full_page=True)
    _no_sideways_scroll(page, "the grant page")

    after = _balance(_go(page, f"{server}/care/fund/"))
    assert after == before - amount
    page.click(".fund-card")
    page.wait_for_load_state("networkidle")
    assert "抚恤支出" in page.inner_text("#fund-entries")
    page.screenshot(path=str(ARTIFACTS / "care-fund-ledger.png"), full_page=True)
    _no_sideways_scroll(page, "the ledger")

    text = _go(page, f"{server}/care/equipment/expiring/")
    assert "各单位到期情况" in text
    page.screenshot(path=str(ARTIFACTS / "care-equipment-expiring.png"), full_page=True)
    _no_sideways_scroll(page, "the expiring list")
    text = _go(page, f"{server}/care/scorecard/")
    assert "装备保障" in text and "算" in text
    page.screenshot(path=str(ARTIFACTS / "care-scorecard.png"), full_page=True)
    _no_sideways_scroll(page, "the scorecard")
    watch.assert_clean()
    context.close()


def test_officer_sees_own_equipment(server: str, browser: Any) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    watch = Watch(page, server)
    _login(page, server, "officer")
    text = _go(page, f"{server}/care/equipment/")
    assert "共" in text
    page.click(".issue-row a")
    page.wait_for_load_state("networkidle")
    panel = page.inner_text("#equipment")
    assert "防护装备" in panel and re.search(r"20\d\d-\d\d-\d\d", panel) and "更换" not in panel
    page.screenshot(path=str(ARTIFACTS / "care-equipment-profile.png"), full_page=True)
    watch.assert_clean()
    context.close()
