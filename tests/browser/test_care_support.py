"""Care support on a phone (issue 5 parts 4–7): the officer opens their own rights case and
accepts the psychological support offered, enrols a child on "我的子女托管" when they have one of
the right age, and sees their accident insurance; the city's political staff open a campaign's
coverage table. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.support import ARTIFACTS, Watch, _login, chromium, running_demo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_demo(tmp_path_factory.mktemp("care-support-browser-var"), people=600) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


def _no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{page.url} scrolls sideways on a 390 px phone by {overflow}px"


def test_officer_on_a_phone(server: str, browser: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                has_touch=True, locale="zh-CN")
    page = phone.new_page()
    watch = Watch(page, server)
    _login(page, server, "officer")

    page.goto(f"{server}/care/rights/")
    page.wait_for_load_state("networkidle")
    _no_sideways_scroll(page)
    page.locator("#support-results a").first.click()
    page.wait_for_load_state("networkidle")
    assert "涉及民警与心理支持" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "care-rights-phone.png"), full_page=True)
    page.click("text=接受心理支持")
    page.wait_for_load_state("networkidle")
    assert "已记录答复" in page.inner_text("body")
    assert "上传证据" not in page.inner_text("body")

    page.goto(f"{server}/care/childcare/mine/")
    page.wait_for_load_state("networkidle")
    _no_sideways_scroll(page)
    body = page.inner_text("body")
    assert "我的报名" in body and "可以报名的托管项目" in body
    forms = page.locator("[data-programme] form")
    if forms.count():
        forms.first.locator("button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        assert "报名成功" in page.inner_text("body") or "候补" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "care-childcare-mine-phone.png"), full_page=True)

    page.goto(f"{server}/care/insurance/mine/")
    page.wait_for_load_state("networkidle")
    _no_sideways_scroll(page)
    assert "为我投保的保单" in page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "care-insurance-mine-phone.png"), full_page=True)
    watch.assert_clean()


def test_city_staff_open_campaign_coverage(server: str, browser: Any) -> None:
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = desk.new_page()
    watch = Watch(page, server)
    _login(page, server, "city")
    page.goto(f"{server}/care/campaigns/")
    page.wait_for_load_state("networkidle")
    page.locator("#support-results a").first.click()
    page.wait_for_load_state("networkidle")
    body = page.inner_text("body")
    assert "覆盖情况" in body and "措施落实清单" in body
    page.screenshot(path=str(ARTIFACTS / "care-campaign-desktop.png"), full_page=True)
    watch.assert_clean()
