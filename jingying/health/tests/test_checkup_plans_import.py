"""Checkup plans (and who is included) from Excel in the plans export's layout: template,
screen (upload → errors or preview → confirm), API (dry run, 4xx), all or nothing, scope,
round trip."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jingying.core.models import AuditEntry
from jingying.core.sheets import workbook
from jingying.core.testing import login_client
from jingying.health import import_plans as importer
from jingying.health.models import CheckupPlan, CheckupRecord, CheckupStatus
from jingying.health.tests.factories_checkups import LAST_YEAR, make_plan, make_world
from jingying.org.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/health/checkups/plans/import"
P, L = importer.PLANS, importer.PEOPLE
WRITES = ["health.checkup_plan.create", "health.checkup_plan.update", "health.checkup_plan.people"]


def _state() -> list[tuple[Any, ...]]:
    plans = list(CheckupPlan.objects.order_by("pk").values_list())
    records = list(CheckupRecord.objects.order_by("pk").values_list("pk", "plan_id", "person_id", "status"))
    return [*plans, *records]


def _upload(data: bytes, name: str = "体检计划.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def _book(plans: list[list[Any]], people: list[list[Any]] | None = None) -> bytes:
    sheets: list[tuple[str, Any, Any]] = [(P.title, P.headers, plans)]
    if people is not None:
        sheets.append((L.title, L.headers, people))
    return workbook(sheets)


def _plan_row(year: int, code: str, hospital: str = "", start: str = "", end: str = "", note: str = "",
              hospital_unit: str = "") -> list[Any]:
    return [year, code, "", hospital, hospital_unit, start or f"{year}-04-01", end or f"{year}-10-31", note]


def test_round_trip_export_then_import_changes_nothing() -> None:
    w = make_world()
    make_plan(w.tree.county, w.hospital)
    make_plan(w.tree.other_county)
    PersonFactory(unit=w.tree.station, name="王五")  # joined after the plan: not on its list
    before, audits = _state(), AuditEntry.objects.count()
    doc = login_client(w.medical)
    exported = doc.get(reverse("health:checkup_plans_export")).content
    book = CalamineWorkbook.from_filelike(io.BytesIO(exported))
    assert list(book.sheet_names) == [P.title, L.title]
    assert len(book.get_sheet_by_name(L.title).to_python()) == 3  # header + one person per plan
    body = doc.post(API, {"file": _upload(exported)}).json()
    assert body["ok"] and body["written"] and (body["created"], body["updated"], body["unchanged"]) == (0, 0, 2)
    assert _state() == before
    new_actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)[audits:])
    assert new_actions == ["health.checkup_plans.export", "health.checkup_plan.import"]
    # The region's export uploaded by a county liaison: the other county's plan is unchanged,
    # so it is skipped rather than refused.
    body = login_client(w.medical_county).post(API, {"file": _upload(exported)}).json()
    assert body["ok"] and body["skipped"] == 1 and body["unchanged"] == 1 and _state() == before


def test_screen_creates_and_updates_plans_and_sets_who_is_included() -> None:
    w = make_world()
    plan = make_plan(w.tree.county, w.hospital)
    newcomer = PersonFactory(unit=w.tree.station, name="王五")
    leaver = PersonFactory(unit=w.tree.station, name="赵六")
    from jingying.core.scoping import SYSTEM
    from jingying.health.services.checkups import checkup_plan_sync

    checkup_plan_sync(actor=SYSTEM, plan=plan)
    CheckupRecord.objects.filter(plan=plan, person=newcomer).delete()
    other = PersonFactory(unit=w.tree.other_station, name="钱七")
    data = _book(
        [_plan_row(LAST_YEAR, "150102", "内蒙古医科大学附属医院", end=f"{LAST_YEAR}-11-30", note="分批体检"),
         _plan_row(LAST_YEAR, "150202", "包头市中心医院", hospital_unit="150200")],
        [[LAST_YEAR, "150102", w.person.id_number, "张三", w.person.police_number, ""],
         [LAST_YEAR, "150102", newcomer.id_number, "", "", ""],
         [LAST_YEAR, "150202", other.id_number, "钱七", "", ""]],
    )
    doc = login_client(w.medical)
    response = doc.post(reverse("health:checkup_plan_import"), {"file": _upload(data)})
    html = response.content.decode()
    assert response.status_code == 200 and "确认导入" in html and "名单新增 1 人" in html and "名单移出 1 人" in html
    assert CheckupPlan.objects.count() == 1  # nothing before the confirm
    response = doc.post(reverse("health:checkup_plan_import"),
                        {"confirm": "1", "sha256": response.context["report"].sha256})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.end_date == dt.date(LAST_YEAR, 11, 30) and plan.note == "分批体检"
    assert set(plan.records.values_list("person__name", flat=True)) == {"张三", "王五"}
    new = CheckupPlan.objects.get(unit=w.tree.other_county, year=LAST_YEAR)
    assert new.hospital == w.hospital_out
    assert list(new.records.values_list("person_id", "status")) == [(other.pk, CheckupStatus.DUE)]
    assert not CheckupRecord.objects.filter(person=leaver).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert set(WRITES) | {"health.checkup_plan.import"} <= actions


def test_one_bad_row_among_many_writes_nothing_and_is_reported_with_sheet_row_column() -> None:
    w = make_world()
    plan = make_plan(w.tree.county, w.hospital)
    done = plan.records.get(person=w.person)
    done.status = CheckupStatus.DONE
    done.save()
    before, audits = _state(), AuditEntry.objects.count()
    rows = [_plan_row(LAST_YEAR - i, "150102") for i in range(1, 12)]
    rows[6] = _plan_row(LAST_YEAR - 7, "150102", start=f"{LAST_YEAR - 7}-05-01", end=f"{LAST_YEAR - 7}-03-01")
    rows.append(_plan_row(LAST_YEAR - 3, "150102"))  # the same unit and year as row 4
    rows.append(_plan_row(LAST_YEAR, "150102", hospital="不存在的医院"))
    rows.append(_plan_row(LAST_YEAR, "150101"))  # no such unit
    rows.append(_plan_row(LAST_YEAR - 20, "150202"))  # a plan whose list empties the county's done record: fine
    bad_checksum = w.person.id_number[:-1] + ("0" if w.person.id_number[-1] != "0" else "1")
    people = [
        [LAST_YEAR - 1, "150102", w.person_out.id_number, "", "", ""],  # another county's officer
        [LAST_YEAR - 1, "150102", bad_checksum, "", "", ""],
        [LAST_YEAR - 1, "150102", w.person.id_number, "李逵", "", ""],
    ]
    data = _book(rows, people)
    doc = login_client(w.medical)
    response = doc.post(reverse("health:checkup_plan_import"), {"file": _upload(data)})
    assert response.status_code == 400 and "未导入任何数据" in response.content.decode()
    errors = {(e.sheet, e.row, e.column): e.message for e in response.context["report"].errors}
    assert "截止日期不能早于开始日期" in errors[(P.title, 8, "截止日期")]
    assert "与第 4 行重复" in errors[(P.title, 13, "单位代码")]
    assert "找不到协作医院" in errors[(P.title, 14, "体检医院")]
    assert (P.title, 15, "单位代码") in errors
    assert "不属于计划单位" in errors[(L.title, 2, "身份证号")]
    assert (L.title, 3, "身份证号") in errors
    assert "姓名与系统中" in errors[(L.title, 4, "姓名")]
    api = doc.post(API, {"file": _upload(data)})
    assert api.status_code == 422 and not api.json()["written"]
    dry = doc.post(API, {"file": _upload(data), "dry_run": "true"})
    assert dry.status_code == 200 and dry.json()["ok"] is False
    assert {"sheet": P.title, "row": 8, "column": "截止日期"} in [
        {k: e[k] for k in ("sheet", "row", "column")} for e in dry.json()["errors"]]
    # Emptying the list of a plan where someone was examined is refused too.
    other = PersonFactory(unit=w.tree.station)
    body = doc.post(API, {"file": _upload(_book([_plan_row(LAST_YEAR, "150102", "内蒙古医科大学附属医院")],
                                                [[LAST_YEAR, "150102", other.id_number, "", "", ""]]))}).json()
    assert not body["written"] and "不能移出名单" in body["errors"][0]["message"]
    assert _state() == before and AuditEntry.objects.count() == audits


def test_out_of_scope_unit_is_an_error() -> None:
    w = make_world()
    make_plan(w.tree.other_county)
    before = _state()
    county = login_client(w.medical_county)
    data = _book([_plan_row(LAST_YEAR + 1, "150202"),  # a new plan for another county
                  _plan_row(LAST_YEAR, "150202", note="改")])  # that county's plan, changed
    body = county.post(API, {"file": _upload(data), "dry_run": "1"}).json()
    messages = {e["row"]: e["message"] for e in body["errors"]}
    assert "不在您的管理范围内" in messages[2] and "不在您的管理范围内" in messages[3]
    assert county.post(API, {"file": _upload(data)}).status_code == 422
    assert _state() == before
    body = county.post(API, {"file": _upload(_book([_plan_row(LAST_YEAR, "150102")]))}).json()
    assert body["written"] and body["created"] == 1
    assert CheckupPlan.objects.get(unit=w.tree.county).records.count() == 1  # everyone active: 张三


@pytest.mark.parametrize(("name", "data", "message"), [
    ("计划.csv", b"a,b", "只接受 .xlsx"),
    ("计划.xlsx", b"", "文件是空的"),
    ("计划.xlsx", b"PK\x03\x04 but not a zip", "无法读取"),
    ("计划.xlsx", workbook([("体检计划", ["年度", "单位"], [[2026, "x"]])]), "缺少列"),
])
def test_a_bad_file_is_a_400_with_a_message_and_writes_nothing(name: str, data: bytes, message: str) -> None:
    w = make_world()
    before = _state()
    doc = login_client(w.medical)
    response = doc.post(API, {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 400 and message in str(response.json()["errors"]["file"])
    assert doc.post(reverse("health:checkup_plan_import"), {"file": SimpleUploadedFile(name, data)}).status_code == 400
    assert _state() == before


def test_template_and_permissions() -> None:
    w = make_world()
    response = login_client(w.medical).get(reverse("health:checkup_plan_import_template"))
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert list(book.sheet_names) == [P.title, L.title, "说明"]
    assert book.get_sheet_by_name(P.title).to_python()[0] == P.headers
    report, _planned = importer.validate(actor=w.medical, data=response.content)
    assert report.ok and report.created == 1  # the example row is valid in the test force
    political = login_client(w.political)  # sees plans, may not change or export them
    assert political.get(reverse("health:checkup_plan_import_template")).status_code == 403
    assert political.get(reverse("health:checkup_plan_import")).status_code == 403
    assert political.get(reverse("health:checkup_plans_export")).status_code == 403
    assert political.post(API, {"file": _upload(response.content)}).status_code == 403


def test_list_validation_costs_the_same_queries_for_10_or_300_people() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jingying.health.tests.factories_checkups import bulk_people

    w = make_world()
    people = bulk_people(w.tree.station, 300, start=10)
    counts = []
    for n in (1, 10, 300):
        data = _book([_plan_row(LAST_YEAR, "150102")],
                     [[LAST_YEAR, "150102", p.id_number, p.name, "", ""] for p in people[:n]])
        with CaptureQueriesContext(connection) as ctx:
            report, _planned = importer.validate(actor=w.medical, data=data)
        assert report.ok and report.created == 1
        counts.append(len(ctx.captured_queries))
    assert counts[1] == counts[2], counts  # the first call also loads the uploader's grants
