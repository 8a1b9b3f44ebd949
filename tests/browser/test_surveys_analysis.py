"""Issue 4 point 6 in a real browser, phone-sized: the political department opens the results of
the demo's force-wide morale campaign and walks the tabs 分布 / 交叉分析 / 指数 (the ECharts trend
across four quarters, drawn by a static script) / 主题, with no CSP violation and no request
leaving the machine. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.support import ARTIFACTS, Watch, _login, chromium, running_demo

pytestmark = pytest.mark.browser

CAMPAIGN = "【演示】2026 年第一季度队伍思想状况摸排"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_demo(tmp_path_factory.mktemp("analysis-browser-var"), people=3000) as base:
        yield base


def test_analysis_tabs_on_a_phone(server: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page = context.new_page()
        watch = Watch(page, server)
        _login(page, server, "region")
        page.goto(f"{server}/surveys/campaigns/?q={CAMPAIGN}")
        page.click(f"text={CAMPAIGN}")
        page.wait_for_load_state("networkidle")
        page.click("text=查看结果")
        page.wait_for_load_state("networkidle")
        assert page.locator("#analysis-tabs").is_visible()
        results_url = page.url

        page.click("#analysis-tabs >> text=交叉分析")
        page.wait_for_load_state("networkidle")
        page.select_option("#cross-by", "category")
        page.click("#analysis-cross button[type=submit]")
        page.wait_for_load_state("networkidle")
        assert page.locator("table.crosstab th[data-key=police]").count() >= 1
        page.screenshot(path=str(ARTIFACTS / "analysis-crosstab-phone.png"), full_page=True)

        page.goto(results_url.split("?")[0] + "?tab=index")
        page.wait_for_load_state("networkidle")
        assert "士气指数" in page.inner_text("#analysis-index")
        page.wait_for_selector(".trend-chart canvas", timeout=10_000)
        assert page.locator(".trend-table tr").count() == 4
        page.screenshot(path=str(ARTIFACTS / "analysis-index-phone.png"), full_page=True)

        page.goto(results_url.split("?")[0] + "?tab=themes")
        page.wait_for_load_state("networkidle")
        assert page.locator("#analysis-themes .theme").count() >= 3
        page.screenshot(path=str(ARTIFACTS / "analysis-themes-phone.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1, "the page must not scroll sideways on a phone"
        watch.assert_clean()
