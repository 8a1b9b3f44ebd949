"""Issue 6 "Done when", in a real browser: the demo officer completes a psychological screening
on a phone with a positive safety item and sees the crisis resources at once; the demo counsellor
(second factor by TOTP) receives the alert, acknowledges it, records the contact and closes it;
the officer's station leader sees neither the score nor the name — on the pages or the API.

`jingying demo` loads this year's open screening of the whole force (PHQ-9 + GAD-7) through
settings.JINGYING_DEMO_LOADERS; the `officer` login has not taken it yet.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import ARTIFACTS, Watch, _login, chromium, running_demo

pytestmark = pytest.mark.browser

PHQ9 = [1, 2, 1, 1, 0, 1, 1, 0, 2]  # total 9 — low, but item 9 = 2: the safety item is positive
GAD7 = [1, 0, 1, 0, 0, 1, 0]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN"}
DESK = {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path_factory.mktemp("health-crisis-browser-var")
    with running_demo(data_dir, people=3000) as base:
        yield base, data_dir


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


def _officer_name(data_dir: Path) -> str:
    with sqlite3.connect(data_dir / "jingying.sqlite3") as db:
        row = db.execute("SELECT p.name FROM accounts_user u JOIN org_person p ON p.id = u.person_id "
                         "WHERE u.username = 'officer'").fetchone()
    return str(row[0])


def _answer(page: Any, answers: list[int]) -> None:
    for n, value in enumerate(answers, start=1):
        page.check(f"#q-i{n} input[value='{value}']")
    page.click("#screening-submit")
    page.wait_for_load_state("networkidle")


def _login_with_totp(page: Any, base: str, username: str) -> None:
    import pyotp

    from jingying.core.serve import DEMO_PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/totp/" in page.url, page.inner_text("body")[:500]
    secret = page.inner_text("code.user-select-all").strip()  # first sign-in: enrol with the shown key
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login" not in page.url, page.inner_text("body")[:500]


def test_screening_crisis_alert_and_what_the_leader_sees(demo: tuple[str, Path], browser: Any) -> None:
    base, data_dir = demo
    ARTIFACTS.mkdir(exist_ok=True)
    name = _officer_name(data_dir)

    # 1. The officer, on a phone: consent, two instruments, crisis resources.
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    watch = Watch(page, base)
    _login(page, base, "officer")
    page.goto(f"{base}/health/screening/")
    page.wait_for_load_state("networkidle")
    page.click("#me-screening .screening-start")
    page.wait_for_load_state("networkidle")
    assert "/consent/" in page.url
    assert "只有本单位指定的心理咨询师" in page.inner_text("#consent-text")
    page.screenshot(path=str(ARTIFACTS / "health-crisis-consent.png"), full_page=True)
    page.click("#consent-submit")  # not ticked: refused with a plain message
    page.wait_for_load_state("networkidle")
    assert "请勾选" in page.inner_text("body")
    page.check("#consent-agree")
    page.click("#consent-submit")
    page.wait_for_load_state("networkidle")
    assert "/answer/" in page.url, page.inner_text("body")[:800]
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the screening form scrolls sideways on a 390 px phone by {overflow}px"
    _answer(page, PHQ9)
    assert "/answer/" in page.url and "2/2" in page.inner_text("body"), page.inner_text("body")[:800]
    _answer(page, GAD7)
    assert "/done/" in page.url, page.inner_text("body")[:800]
    resources = page.locator("#crisis-resources")
    assert resources.is_visible() and resources.bounding_box()["y"] < 844  # on the first screen
    text = resources.inner_text()
    assert "12356" in text and "110" in text and "120" in text and "我们很关心您" in text
    assert page.locator("#my-guidance").is_visible()
    page.screenshot(path=str(ARTIFACTS / "health-crisis-officer-resources.png"))
    watch.assert_clean()
    phone.close()

    # 2. The counsellor: the alert is waiting; acknowledge, record the contact, close.
    desk = browser.new_context(**DESK)
    staff = desk.new_page()
    staff_watch = Watch(staff, base)
    _login_with_totp(staff, base, "counsellor")
    staff.goto(f"{base}/notifications/")
    staff.wait_for_load_state("networkidle")
    inbox = staff.inner_text("body")
    assert "心理危机预警" in inbox, inbox[:1000]
    staff.goto(f"{base}/health/alerts/")
    staff.wait_for_load_state("networkidle")
    staff.locator("#alert-rows tr", has_text=name).first.locator("a").first.click()
    staff.wait_for_load_state("networkidle")
    detail = staff.inner_text("body")
    assert name in detail and "安全题阳性" in detail and "危急" in detail, detail[:1000]
    assert "待确认" in staff.inner_text("#alert-status")
    staff.click("#alert-ack")
    staff.wait_for_load_state("networkidle")
    assert "已确认" in staff.inner_text("#alert-status")
    staff.select_option("#id_method", "phone")
    staff.fill("#id_note", "已电话联系本人，约定明天面谈")
    staff.click("#contact-submit")
    staff.wait_for_load_state("networkidle")
    assert "已联系" in staff.inner_text("#alert-status")
    assert "电话" in staff.inner_text("#alert-contact")
    staff.select_option("#id_outcome", "counselling")
    staff.click("#close-submit")
    staff.wait_for_load_state("networkidle")
    assert "已结案" in staff.inner_text("#alert-status")
    staff.screenshot(path=str(ARTIFACTS / "health-crisis-counsellor-closed.png"), full_page=True)
    staff_watch.assert_clean()
    desk.close()

    # 3. The station leader: counts only — no name, no score, no alert — on pages and the API.
    lead_ctx = browser.new_context(**DESK)
    lead = lead_ctx.new_page()
    _login(lead, base, "station")
    lead.goto(f"{base}/health/screening/rounds/")
    lead.wait_for_load_state("networkidle")
    lead.click("text=年度全警心理健康筛查 >> nth=0")
    lead.wait_for_load_state("networkidle")
    shown = lead.inner_text("body")
    assert name not in shown and "PHQ-9 总分" not in shown
    lead.screenshot(path=str(ARTIFACTS / "health-crisis-leader-round.png"), full_page=True)
    for url in ("/health/alerts/", "/health/screening/results/", "/health/sessions/"):
        assert lead.goto(f"{base}{url}").status == 403, url
    notes = lead.goto(f"{base}/notifications/")
    assert notes.status == 200 and "心理危机" not in lead.inner_text("body")
    for url in ("/api/v1/health/psych/results", "/api/v1/health/psych/alerts"):
        assert lead.request.get(f"{base}{url}").status == 403, url
    rounds = lead.request.get(f"{base}/api/v1/health/psych/rounds").json()
    assert rounds["count"] >= 1
    for item in rounds["items"]:
        stats = lead.request.get(f"{base}/api/v1/health/psych/rounds/{item['id']}/stats")
        assert stats.status in (200, 404)
        body = stats.text()
        assert name not in body and "PHQ" not in body
    lead_ctx.close()
