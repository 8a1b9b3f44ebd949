"""The screens that landed on 2026-11-29, driven as their users drive them in Debian's Chromium:
the survey results export as a background job, the partner-hospital and checkup-plan Excel
imports, an officer's API tokens (also once in English), staff enrolling a child for a parent on
a phone, and editing / deleting a screening round.

One demo force (`jingying demo --no-serve --people 3000`) served by `jingying serve --demo
--no-worker`; the export test starts the task worker itself once the page says it is waiting, so
the "正在生成…" state is really seen. Screenshots go to test-artifacts/new-*.png.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import ARTIFACTS, Watch, _env, _jingying, _login, chromium, running_demo

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESK = {"viewport": {"width": 1366, "height": 900}}
CAMPAIGN = "【演示】2026 年第二季度队伍思想状况摸排"  # 17 answers: shown, and quick to build


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path_factory.mktemp("new-screens-browser-var")
    with running_demo(data_dir, people=3000) as base:
        yield base, data_dir


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as instance:
        yield instance


def _context(browser: Any, size: dict[str, Any], locale: str = "zh-CN") -> Any:
    return browser.new_context(locale=locale, accept_downloads=True, **size)


def _shell(data_dir: Path, code: str) -> str:
    """Arrange or look at the served database the way an administrator's shell would."""
    done = subprocess.run(_jingying("manage", "shell", "-c", code), env=_env(data_dir), cwd=data_dir,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def _shot(page: Any, name: str, *, full: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"new-{name}.png"), full_page=full)


def _fits(page: Any, what: str) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{what} scrolls sideways by {overflow}px"


def _go(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")


def _click(page: Any, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state("networkidle")


def _body(page: Any) -> str:
    return str(page.inner_text("body"))


# --- 1. survey results export as a background job --------------------------------------------


def test_survey_export_waits_then_downloads(demo: tuple[str, Path], browser: Any, tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    base, data_dir = demo
    context = _context(browser, DESK)
    page = context.new_page()
    watch = Watch(page, base)
    _login(page, base, "region")
    _go(page, f"{base}/surveys/campaigns/?q=2026 年第二季度")
    _click(page, f"text={CAMPAIGN}")
    _click(page, "text=查看结果")
    _click(page, "#export-form button")
    busy = page.locator("#export-busy")
    busy.wait_for(timeout=10_000)
    assert "正在生成" in busy.inner_text()
    _shot(page, "survey-export-busy", full=False)

    # No worker runs beside this server: start one, as `jingying serve` would have.
    worker = subprocess.Popen(_jingying("manage", "db_worker"), env=_env(data_dir), cwd=data_dir,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        link = page.locator("#export-download")
        link.wait_for(timeout=30_000)
    finally:
        worker.terminate()
        worker.wait(timeout=15)
    assert "下载 Excel" in link.inner_text()
    assert "文件保留到" in page.inner_text("#export-status")
    _shot(page, "survey-export-ready", full=False)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(str(path))
    book = CalamineWorkbook.from_path(str(path))
    assert {"结果", "参与情况"} <= set(book.sheet_names), book.sheet_names
    rows = book.get_sheet_by_name("结果").to_python()
    assert any(CAMPAIGN in str(cell) for row in rows[:5] for cell in row) or len(rows) > 5, rows[:5]
    # The job's own page (where "可以离开此页，稍后回来下载" leads back to) offers the same file.
    _go(page, base + link.get_attribute("href").removesuffix("download/"))
    assert "稍后回来下载" in _body(page) and page.locator("#export-download").is_visible()
    _fits(page, "the export job page")
    _shot(page, "survey-export-job", full=False)
    watch.assert_clean()
    context.close()


# --- 2. partner hospitals from Excel -------------------------------------------------------------


def _download(page: Any, selector: str, path: Path) -> Path:
    with page.expect_download() as info:
        page.click(selector)
    info.value.save_as(str(path))
    return path


def _sheet_rows(ws: Any, rows: list[list[Any]]) -> None:
    """Replace everything under the header row with `rows`."""
    if ws.max_row > 1:
        ws.delete_rows(2, ws.max_row - 1)
    for row in rows:
        ws.append(row)


def test_hospital_import_shows_errors_then_imports(demo: tuple[str, Path], browser: Any, tmp_path: Path) -> None:
    import openpyxl

    base, _data_dir = demo
    context = _context(browser, DESK)
    page = context.new_page()
    watch = Watch(page, base)
    _login(page, base, "doctor")
    _go(page, f"{base}/care/hospitals/")
    _click(page, ".page-header >> text=导入")
    assert "/care/hospitals/import/" in page.url
    template = _download(page, "text=下载模板", tmp_path / "hospitals-template.xlsx")
    book = openpyxl.load_workbook(template)
    assert book.sheetnames[:3] == ["协作医院", "绿色通道服务", "警医服务窗口"], book.sheetnames
    good = ["150100", "呼和浩特市公安局", "呼和浩特市蒙医中医医院", "三级甲等", "呼和浩特市新城区健康街1号",
            "乌兰医生", "0471-6960000", "2026-01-01", "2028-12-31", ""]
    bad = ["150100", "呼和浩特市公安局", "呼和浩特市第二医院", "四级", "", "", "", "2026-01-01", "2025-12-31", ""]
    _sheet_rows(book["协作医院"], [good, bad])
    _sheet_rows(book["绿色通道服务"], [["150100", good[2], "优先挂号", "民警凭警官证优先挂号", "0471-6960001"]])
    _sheet_rows(book["警医服务窗口"], [["150100", good[2], "门诊楼一层", "8:00-17:30", "0471-6960002"]])
    upload = tmp_path / "协作医院.xlsx"
    book.save(upload)

    page.set_input_files("input[name=file]", str(upload))
    _click(page, "text=上传并校验")
    errors = page.locator(".import-errors")
    assert errors.is_visible(), _body(page)[:1500]
    text = errors.inner_text()
    assert "未导入任何数据" in text
    # Sheet, row (the bad one is the workbook's row 3) and column, in Chinese.
    assert re.search(r"协作医院\s+3\s+医院等级", text), text
    assert page.locator(".import-preview").count() == 0
    _shot(page, "hospital-import-errors")

    _go(page, f"{base}/care/hospitals/?q=呼和浩特市蒙医中医医院")
    assert "呼和浩特市蒙医中医医院" not in page.inner_text("table"), "the good row was written despite the error"

    book["协作医院"]["D3"] = "二级甲等"
    book["协作医院"]["I3"] = "2027-12-31"
    book.save(upload)
    _go(page, f"{base}/care/hospitals/import/")
    page.set_input_files("input[name=file]", str(upload))
    _click(page, "text=上传并校验")
    preview = page.locator(".import-preview")
    assert preview.is_visible(), _body(page)[:1500]
    assert "全部通过校验" in preview.inner_text()
    assert "呼和浩特市第二医院" in preview.inner_text()
    _shot(page, "hospital-import-preview")
    _click(page, "text=确认导入")
    assert page.url.rstrip("/").endswith("/care/hospitals"), page.url
    assert "已导入：新建 2 条" in _body(page)
    listing = page.inner_text("table")
    assert "呼和浩特市蒙医中医医院" in listing and "呼和浩特市第二医院" in listing
    _shot(page, "hospital-import-done")
    watch.assert_clean()
    context.close()


# --- 3. checkup plans from Excel -----------------------------------------------------------------


def test_checkup_plan_import(demo: tuple[str, Path], browser: Any, tmp_path: Path) -> None:
    import openpyxl

    base, _data_dir = demo
    year = dt.date.today().year + 1
    context = _context(browser, DESK)
    page = context.new_page()
    watch = Watch(page, base)
    _login(page, base, "doctor")
    _go(page, f"{base}/health/checkups/")
    _click(page, "text=导入计划")
    template = _download(page, "text=下载模板", tmp_path / "plans-template.xlsx")
    book = openpyxl.load_workbook(template)
    good = [year, "150102", "呼和浩特市公安局新城区分局", "呼和浩特市人民医院", "150100",
            f"{year}-04-01", f"{year}-10-31", "上午空腹"]
    bad = [year, "150103", "", "呼和浩特市人民医院", "", f"{year}-10-31", f"{year}-04-01", ""]
    _sheet_rows(book["体检计划"], [good, bad])
    upload = tmp_path / "体检计划.xlsx"
    book.save(upload)
    page.set_input_files("input[name=file]", str(upload))
    _click(page, "text=上传并校验")
    errors = page.locator(".import-errors")
    assert errors.is_visible(), _body(page)[:1500]
    text = errors.inner_text()
    assert re.search(r"体检计划\s+3\s+\S+", text), text
    _shot(page, "plan-import-errors")

    book["体检计划"]["F3"], book["体检计划"]["G3"] = f"{year}-04-01", f"{year}-10-31"
    book.save(upload)
    _go(page, f"{base}/health/checkups/import/")
    page.set_input_files("input[name=file]", str(upload))
    _click(page, "text=上传并校验")
    assert page.locator(".import-preview").is_visible(), _body(page)[:1500]
    _shot(page, "plan-import-preview")
    _click(page, "text=确认导入")
    assert "已导入：新建 2 条" in _body(page), _body(page)[:1500]
    _go(page, f"{base}/health/checkups/?year={year}")
    listing = page.inner_text("table")
    assert listing.count(str(year)) >= 2 and "新城区分局" in listing, listing
    watch.assert_clean()
    context.close()


# --- 4. API tokens -------------------------------------------------------------------------------


def _api(base: str, secret: str) -> int:
    request = urllib.request.Request(  # noqa: S310 (our own localhost server)
        f"{base}/api/v1/health/checkups/me", headers={"Authorization": f"Bearer {secret}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our own localhost server)
            json.loads(response.read())
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_officer_creates_uses_and_revokes_a_token(demo: tuple[str, Path], browser: Any) -> None:
    base, _data_dir = demo
    context = _context(browser, PHONE)
    page = context.new_page()
    watch = Watch(page, base)
    _login(page, base, "officer")
    _go(page, f"{base}/accounts/tokens/")
    assert "您还没有 API 令牌" in _body(page)
    page.fill("input[name=name]", "体检结果同步脚本")
    page.fill("input[name=days]", "7")
    _click(page, "button:has-text('创建')")
    secret = page.inner_text("[data-testid=token-secret]").strip()
    assert len(secret) > 20 and "只显示这一次" in _body(page)
    _fits(page, "the token page")
    _shot(page, "token-created")
    assert _api(base, secret) == 200

    _go(page, f"{base}/accounts/tokens/")
    assert page.locator("[data-testid=token-secret]").count() == 0, "the secret is shown only once"
    assert secret not in page.content()
    _click(page, "button:has-text('撤销')")
    assert "已撤销，立即失效" in _body(page)
    assert page.locator("text=已撤销").count() >= 1
    _shot(page, "token-revoked")
    assert _api(base, secret) == 401
    watch.assert_clean()
    context.close()


def test_token_page_in_english(demo: tuple[str, Path], browser: Any) -> None:
    base, _data_dir = demo
    context = _context(browser, PHONE)
    page = context.new_page()
    watch = Watch(page, base)
    _login(page, base, "officer")
    _go(page, f"{base}/accounts/tokens/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    _go(page, f"{base}/accounts/tokens/")
    assert page.evaluate("() => document.documentElement.lang").startswith("en")
    page.fill("input[name=name]", "report script")
    page.fill("input[name=days]", "400")
    _click(page, "form button[type=submit].btn-primary")
    content = page.inner_text(".page-wrapper") if page.locator(".page-wrapper").count() else _body(page)
    _shot(page, "token-english")
    _fits(page, "the token page in English")
    # Everything the page itself says is English; Chinese left would be a missing translation.
    for name in page.locator("tbody tr td:first-child").all_inner_texts():  # the user's own data
        content = content.replace(name, "")
    han = sorted(set(re.findall(r"[\u4e00-\u9fff]+", content)))
    assert not han, f"untranslated on the English token page: {han}"
    assert "365" in content  # the limit error, in English
    assert "Bearer )" not in content, "the placeholder after Bearer vanished (read as an HTML tag)"
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    watch.assert_clean()
    context.close()


# --- 5. childcare: staff enrol a child for a parent, on a phone ------------------------------------

FIND_PARENT = """
import datetime as dt
from jingying.care.models.childcare import ChildcareProgramme, ChildcareEnrolment
from jingying.org.models import Dependent
from jingying.org.choices import SERVING_STATUSES
p = ChildcareProgramme.objects.filter(unit__code='150100', open=True).order_by('-start').first()
taken = set(ChildcareEnrolment.objects.filter(programme=p).values_list('child_id', flat=True))
def age(b):
    return p.start.year - b.year - ((p.start.month, p.start.day) < (b.month, b.day))
kids = Dependent.objects.filter(relation='child', birth_date__isnull=False, person__status__in=SERVING_STATUSES,
    person__unit__path__startswith=p.unit.path, person__police_number__gt='').select_related('person').order_by('pk')
c = next(c for c in kids if c.pk not in taken and p.min_age <= age(c.birth_date) <= p.max_age)
print(p.pk, c.person.police_number, c.name, sep='|')
"""


def test_staff_enrol_a_child_for_a_parent_on_a_phone(demo: tuple[str, Path], browser: Any) -> None:
    base, data_dir = demo
    programme, police_number, child = _shell(data_dir, FIND_PARENT).split("|")
    context = _context(browser, PHONE)
    page = context.new_page()
    watch = Watch(page, base)
    _login(page, base, "city")
    _go(page, f"{base}/care/childcare/{programme}/")
    _click(page, "text=为民警报名")
    assert "第一步：查找民警" in _body(page)
    _fits(page, "the enrol-for page")
    # The demo officer has no children: the page says so instead of an empty list.
    page.fill("input[name=officer]", "010029")
    _click(page, "button:has-text('查找')")
    assert "家属信息中没有子女" in _body(page)
    page.fill("input[name=officer]", "NO-SUCH-1")
    _click(page, "button:has-text('查找')")
    assert "NO-SUCH-1" in page.inner_text(".invalid-feedback"), _body(page)[:1500]
    _shot(page, "childcare-enrol-notfound")
    page.fill("input[name=officer]", police_number)
    _click(page, "button:has-text('查找')")
    assert "第二步" in _body(page)
    page.locator("select[name=child], input[name=child]").first.wait_for()
    if page.locator("select[name=child]").count():
        value = page.locator("select[name=child] option", has_text=child).first.get_attribute("value")
        page.select_option("select[name=child]", value=value)
    else:
        page.check(f"label:has-text('{child}') input")
    _fits(page, "the enrol-for page, step two")
    _shot(page, "childcare-enrol-step2")
    button = page.locator("button:has-text('报名')").last
    box = button.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    _click(page, "button:has-text('报名') >> nth=-1")
    assert f"/care/childcare/{programme}/" in page.url, _body(page)[:1500]
    body = _body(page)
    assert child in body and ("已录取" in body or "候补" in body), body[:1500]
    _fits(page, "the programme page")
    cancel = page.locator("tr[data-row]", has_text=child).locator("button:has-text('取消报名')")
    box = cancel.bounding_box()
    assert box and box["x"] + box["width"] <= 390, f"取消报名 is off-screen on a phone: {box}"
    cancel.scroll_into_view_if_needed()
    _shot(page, "childcare-enrol-row", full=False)
    _shot(page, "childcare-enrol-done")
    watch.assert_clean()
    context.close()


# --- 6. screening rounds: edit the closing date; delete refused once someone consented -----------


def test_round_edit_and_delete_refused(demo: tuple[str, Path], browser: Any) -> None:
    base, data_dir = demo
    year = dt.date.today().year
    context = _context(browser, DESK)
    page = context.new_page()
    watch = Watch(page, base)
    _login(page, base, "region")
    _go(page, f"{base}/health/screening/rounds/")
    _click(page, f"text=【演示】{year} 年度全警心理健康筛查")
    detail_url = page.url
    _click(page, ".page-header >> text=修改")
    assert page.locator("#round-locked").is_visible()
    assert page.locator("#id_unit").is_disabled()
    closes = page.input_value("#id_closes_at")
    new_close = (dt.datetime.fromisoformat(closes) + dt.timedelta(days=7)).replace(hour=18, minute=0)
    page.fill("#id_closes_at", new_close.strftime("%Y-%m-%dT%H:%M"))
    _shot(page, "round-edit")
    _click(page, "button:has-text('保存')")
    assert page.url == detail_url, _body(page)[:1500]
    assert "已保存" in _body(page)
    assert f"– {new_close:%Y-%m-%d %H:%M}" in page.inner_text("#round-window"), page.inner_text("#round-window")

    _click(page, ".page-header >> text=删除")
    assert "已有人同意或作答，这次筛查不能删除" in _body(page)
    assert page.locator("form button:has-text('删除')").count() == 0
    assert page.locator("#round-close-now").get_attribute("href").endswith(f"{detail_url.split(base)[1]}edit/")
    _shot(page, "round-delete-refused")

    # A new round: deletable until someone consents, even when the page was opened before.
    _go(page, f"{base}/health/screening/rounds/add/")
    page.fill("#id_title", "浏览器测试筛查")
    page.check("input[name=instruments][value='PHQ-9']")
    opens = dt.datetime.now().replace(second=0, microsecond=0) + dt.timedelta(days=1)
    page.fill("#id_opens_at", opens.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_closes_at", (opens + dt.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"))
    _click(page, "button:has-text('发起')")
    match = re.search(r"/rounds/(\d+)/", page.url)
    assert match, _body(page)[:1500]
    _click(page, ".page-header >> text=删除")
    assert "目前还没有人同意或作答" in _body(page)
    _shell(data_dir, f"""
from jingying.health.models import ScreeningRound, ScreeningConsent
from jingying.accounts.models import User
from django.utils import timezone
r = ScreeningRound.objects.get(pk={match.group(1)})
ScreeningConsent.objects.create(round=r, person=User.objects.get(username='officer').person, text_version=r.consent_version,
                                 consented_at=timezone.now())
print('ok')
""")
    _click(page, "form button:has-text('删除')")
    error = page.locator("#round-delete-error")
    assert error.is_visible(), _body(page)[:1500]
    assert error.inner_text().strip()
    _shot(page, "round-delete-error")
    _go(page, f"{base}/health/screening/rounds/")
    assert "浏览器测试筛查" in _body(page)
    watch.assert_clean()
    context.close()

