"""Issue 4 "Done when", in a real browser: an officer answers an anonymous campaign on a
phone-sized screen, cannot answer twice, and the political department sees results only once
5 people have answered.

Builds a 3,000-person demo force with its demo surveys (`jingying demo --no-serve`: the station's
anonymous campaign already has 4 answers waiting),
starts `jingying serve --demo`, and drives Debian's Chromium. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.support import ARTIFACTS, Watch, _login, chromium, running_demo

pytestmark = pytest.mark.browser

CAMPAIGN = "【演示】派出所民警思想动态匿名问卷"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # `jingying demo` also loads the demo surveys (settings.JINGYING_DEMO_LOADERS).
    with running_demo(tmp_path_factory.mktemp("surveys-browser-var"), people=3000) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


def _results_page(page: Any, base: str) -> str:
    page.goto(f"{base}/surveys/campaigns/?q={CAMPAIGN}")
    page.wait_for_load_state("networkidle")
    page.click(f"text={CAMPAIGN}")
    page.wait_for_load_state("networkidle")
    page.click("text=查看结果")
    page.wait_for_load_state("networkidle")
    return str(page.inner_text("body"))


def test_officer_answers_on_a_phone_and_results_appear_at_five(server: str, browser: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    staff = desk.new_page()
    staff_watch = Watch(staff, server)
    _login(staff, server, "region")
    before = _results_page(staff, server)
    assert "暂不显示结果" in before, before[:800]
    results_url = staff.url
    staff.screenshot(path=str(ARTIFACTS / "surveys-results-hidden.png"), full_page=True)

    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                has_touch=True, locale="zh-CN")
    page = phone.new_page()
    watch = Watch(page, server)
    _login(page, server, "officer")
    page.goto(f"{server}/surveys/")
    page.wait_for_load_state("networkidle")
    page.click(f"text={CAMPAIGN}")
    page.wait_for_load_state("networkidle")
    answer_url = page.url
    # The first screen explains the anonymity.
    first_screen = page.locator("#anonymity-notice")
    assert first_screen.is_visible() and first_screen.bounding_box()["y"] < 844
    assert "没有提交时间" in first_screen.inner_text()
    page.screenshot(path=str(ARTIFACTS / "surveys-phone-first-screen.png"))
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the answering form scrolls sideways on a 390 px phone by {overflow}px"

    # Show-if: the follow-up question appears only after "是".
    follow_up = page.locator("#q-sources")
    assert follow_up.is_hidden()
    page.click("#survey-submit")  # nothing answered: Chinese errors from the server
    page.wait_for_load_state("networkidle")
    assert "此题为必答题" in page.inner_text("body")
    page.check("#q-satisfaction input[value='4']")
    page.check("#q-stress input[value='yes']")
    assert follow_up.is_visible()
    page.check("#q-sources input[value='overtime']")
    for row in ("pay", "care", "training", "leadership"):
        page.check(f"input[name='q_aspects__{row}'][value='3']")
    page.check("#q-proud input[value='yes']")
    page.fill("textarea[name='q_suggestion']", "希望合理安排轮休")
    page.screenshot(path=str(ARTIFACTS / "surveys-phone-filled.png"), full_page=True)
    page.click("#survey-submit")
    page.wait_for_load_state("networkidle")
    assert page.locator("#thanks").is_visible(), page.inner_text("body")[:800]
    page.screenshot(path=str(ARTIFACTS / "surveys-phone-thanks.png"))

    # Cannot answer twice: the form is gone, a clear message instead.
    page.goto(answer_url)
    page.wait_for_load_state("networkidle")
    assert "每人只能提交一次" in page.inner_text("#answer-state")
    assert page.locator("#survey-form").count() == 0
    posted = page.evaluate(
        """async (url) => {
            const token = document.cookie.split('; ').find((c) => c.startsWith('csrftoken='));
            const body = new URLSearchParams({csrfmiddlewaretoken: token ? token.split('=')[1] : ''});
            const r = await fetch(url, {method: 'POST', body, credentials: 'same-origin'});
            return r.status;
        }""",
        answer_url,
    )
    assert posted in (403, 409), posted
    mine = page.goto(f"{server}/surveys/")
    assert mine.status == 200
    watch.assert_clean()
    phone.close()

    # Five have answered: the political department now sees the results.
    staff.goto(results_url)
    staff.wait_for_load_state("networkidle")
    after = staff.inner_text("body")
    assert re.search(r"作答人数\s*5", after), after[:1200]
    assert "暂不显示结果" not in after
    staff.screenshot(path=str(ARTIFACTS / "surveys-results-shown.png"), full_page=True)
    staff_watch.assert_clean()
    desk.close()


def test_builder_shows_the_fields_of_the_chosen_type(server: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    watch = Watch(page, server)
    _login(page, server, "region")
    page.goto(f"{server}/surveys/questionnaires/")
    page.click("text=morale-demo")
    page.wait_for_load_state("networkidle")
    page.click("text=新建修订版")
    page.wait_for_load_state("networkidle")
    assert "草稿" in page.inner_text("#version-status")
    page.click("text=添加题目")
    page.wait_for_selector("#question-form")
    assert page.locator('[data-field="options"]').is_visible()
    assert page.locator('[data-field="min_value"]').is_hidden()
    page.select_option("#id_kind", "number")
    assert page.locator('[data-field="options"]').is_hidden()
    assert page.locator('[data-field="min_value"]').is_visible()
    page.fill("#id_text", "每月休息天数")
    page.fill("#id_min_value", "0")
    page.fill("#id_max_value", "31")
    page.click("#question-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "每月休息天数" in page.inner_text("#questions")
    page.screenshot(path=str(ARTIFACTS / "surveys-builder.png"), full_page=True)
    watch.assert_clean()
    context.close()
