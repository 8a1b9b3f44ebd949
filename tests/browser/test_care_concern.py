"""Issue 5 "Done when", in a real browser on a phone-sized screen: the demo officer raises a
concern, the demo station leader (`station`) accepts and resolves it, and the officer sees the
outcome in 我的诉求 and rates it. Screenshots go to test-artifacts/care-concern-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.support import ARTIFACTS, Watch, _login, chromium, running_demo

pytestmark = pytest.mark.browser

TITLE = "孩子转学需要单位开具证明"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_demo(tmp_path_factory.mktemp("care-concern-var"), people=600) as base:
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


def test_officer_raises_station_resolves_officer_rates(server: str, browser: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    # The officer raises a concern from the phone.
    officer_ctx = _phone(browser)
    page = officer_ctx.new_page()
    watch = Watch(page, server)
    _login(page, server, "officer")
    page.goto(f"{server}/care/concerns/mine/")
    page.wait_for_load_state("networkidle")
    assert "我的诉求" in page.inner_text("body")
    page.click("#raise-concern")
    page.wait_for_load_state("networkidle")
    page.select_option("select[name=category]", "schooling")
    page.select_option("select[name=urgency]", "urgent")
    page.fill("input[name=title]", TITLE)
    page.fill("textarea[name=description]", "孩子下学期转学到旗里的小学，需要单位开具在职证明并协调学校。")
    page.screenshot(path=str(ARTIFACTS / "care-concern-1-raise.png"), full_page=True)
    _no_sideways_scroll(page, "the raise form")
    page.click("#concern-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    body = page.inner_text("body")
    assert TITLE in body and "待受理" in body, body[:600]
    concern_url = page.url
    page.screenshot(path=str(ARTIFACTS / "care-concern-2-raised.png"), full_page=True)

    # The station leader, also on a phone, finds it in the list and resolves it.
    leader_ctx = _phone(browser)
    leader = leader_ctx.new_page()
    leader_watch = Watch(leader, server)
    _login(leader, server, "station")
    leader.goto(f"{server}/care/concerns/?status=open&q={TITLE}")
    leader.wait_for_load_state("networkidle")
    leader.screenshot(path=str(ARTIFACTS / "care-concern-3a-list.png"), full_page=True)
    leader.click(f"text={TITLE}")
    leader.wait_for_load_state("networkidle")
    assert leader.url == concern_url
    leader.click("button[value=accept]")
    leader.wait_for_load_state("networkidle")
    assert "已受理" in leader.inner_text("body")
    leader.fill("#concern-note", "已开具在职证明，并与学校沟通，下学期可正常转入。")
    leader.screenshot(path=str(ARTIFACTS / "care-concern-3-leader.png"), full_page=True)
    leader.click("button[value=resolve]")
    leader.wait_for_load_state("networkidle")
    body = leader.inner_text("body")
    assert "已解决" in body and "已开具在职证明" in body, body[:800]
    _no_sideways_scroll(leader, "the concern page")

    # The officer sees the outcome and rates it.
    page.goto(f"{server}/care/concerns/mine/")
    page.wait_for_load_state("networkidle")
    assert "待评价" in page.inner_text("body")
    page.click(f"text={TITLE}")
    page.wait_for_load_state("networkidle")
    page.check("#rate-form input[name=rating][value='5']")
    page.fill("#rate-form textarea[name=comment]", "办得很快，感谢组织关心！")
    page.click("#rate-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    body = page.inner_text("body")
    assert "5/5" in body and "感谢您的评价" in body, body[:800]
    timeline = page.inner_text("#concern-timeline")
    for step in ("提出", "受理", "办结", "评价"):
        assert step in timeline, timeline
    page.screenshot(path=str(ARTIFACTS / "care-concern-4-rated.png"), full_page=True)
    _no_sideways_scroll(page, "the rated concern")
    page.goto(f"{server}/care/concerns/mine/")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(ARTIFACTS / "care-concern-5-mine.png"), full_page=True)
    _no_sideways_scroll(page, "我的诉求")

    # The county's desk view of its concerns and care visits (demo data: three years of them).
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    county = desk.new_page()
    county_watch = Watch(county, server)
    _login(county, server, "county")
    county.goto(f"{server}/care/concerns/?overdue=1")
    county.wait_for_load_state("networkidle")
    county.screenshot(path=str(ARTIFACTS / "care-concern-6-county-overdue.png"), full_page=True)
    county.goto(f"{server}/care/care-visits/")
    county.wait_for_load_state("networkidle")
    assert county.locator("tr.care-row").count() > 0
    county.screenshot(path=str(ARTIFACTS / "care-concern-7-county-care-visits.png"))
    county_watch.assert_clean()
    desk.close()
    watch.assert_clean()
    leader_watch.assert_clean()
    officer_ctx.close()
    leader_ctx.close()
