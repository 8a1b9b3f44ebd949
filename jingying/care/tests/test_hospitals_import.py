"""Partner hospitals from Excel in the export's layout: template, screen (upload → errors or
preview → confirm), API (dry run, 4xx), all or nothing, scope, round trip."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jingying.care import import_hospitals as importer
from jingying.care.models import GreenChannelService, PartnerHospital, PoliceWindow
from jingying.core.models import AuditEntry
from jingying.core.sheets import pending_dir, workbook
from jingying.core.testing import login_client
from jingying.health.tests.factories_checkups import make_world

pytestmark = pytest.mark.django_db
API = "/api/v1/care/hospitals/import"
H, S, W = importer.HOSPITALS, importer.SERVICES, importer.WINDOWS


def _state() -> list[tuple[Any, ...]]:
    """Everything an import could change, to prove a no-op."""
    hospitals = list(PartnerHospital.objects.order_by("pk").values_list())
    services = list(GreenChannelService.objects.order_by("pk").values_list())
    windows = list(PoliceWindow.objects.order_by("pk").values_list())
    return [*hospitals, *services, *windows]


def _upload(data: bytes, name: str = "医院.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _book(main: list[list[Any]], services: list[list[Any]] | None = None,
          windows: list[list[Any]] | None = None) -> bytes:
    sheets: list[tuple[str, Any, Any]] = [(H.title, H.headers, main)]
    if services is not None:
        sheets.append((S.title, S.headers, services))
    if windows is not None:
        sheets.append((W.title, W.headers, windows))
    return workbook(sheets)


def _row(code: str, name: str, **kw: Any) -> list[Any]:
    values = {"unit_name": "", "level": "三级甲等", "address": "", "contact_name": "", "contact_phone": "",
              "contract_start": "", "contract_end": "", "note": "", **kw}
    return [code, values["unit_name"], name, values["level"], values["address"], values["contact_name"],
            values["contact_phone"], values["contract_start"], values["contract_end"], values["note"]]


def test_round_trip_export_then_import_changes_nothing() -> None:
    w = make_world()
    PoliceWindow.objects.create(hospital=w.hospital, location="门诊一楼", hours="8:00-17:00", contact="0471-1")
    before = _state()
    doc = login_client(w.medical)
    exported = doc.get(reverse("care:hospital_export")).content
    assert list(CalamineWorkbook.from_filelike(io.BytesIO(exported)).sheet_names) == [H.title, S.title, W.title]
    body = doc.post(API, {"file": _upload(exported)}).json()
    assert body["ok"] and body["written"] and (body["created"], body["updated"], body["unchanged"]) == (0, 0, 2)
    assert _state() == before
    assert not AuditEntry.objects.filter(action__in=["care.hospital.create", "care.hospital.update",
                                                     "care.hospital_service.create", "care.hospital_service.delete"]).exists()
    assert AuditEntry.objects.filter(action="care.hospital.import").count() == 1
    # A county liaison exports the whole force's directory; the rows outside their county are
    # identical, so they are skipped rather than refused: the round trip still works.
    county = login_client(w.medical_county)
    body = county.post(API, {"file": _upload(county.get(reverse("care:hospital_export")).content)}).json()
    assert body["ok"] and body["skipped"] == 2 and _state() == before


def test_screen_upload_preview_confirm_creates_updates_and_syncs_services() -> None:
    w = make_world()
    doc = login_client(w.medical)
    page = doc.get(reverse("care:hospital_import"))
    assert page.status_code == 200 and "上传并校验" in page.content.decode()
    data = _book(
        [_row("150100", w.hospital.name, level="三级甲等", contact_phone="0471-7654321",
              contract_start="2024-01-01", contract_end="2030-12-31", address=w.hospital.address,
              contact_name=w.hospital.contact_name),
         _row("", "新城区人民医院", unit_name="呼和浩特市公安局新城区分局", level="2a", contract_start="2026.01.01")],
        services=[["150100", w.hospital.name, "优先挂号", "民警凭警官证优先挂号", ""],
                  ["150102", "新城区人民医院", "急诊优先", "", "120"]],
    )
    response = doc.post(reverse("care:hospital_import"), {"file": _upload(data)})
    html = response.content.decode()
    assert response.status_code == 200 and "确认导入" in html and "0471-7654321" in html
    # A new hospital's row in the preview says what it will have, not an empty cell.
    new_row = next(c for c in response.context["report"].preview if c["name"] == "新城区人民医院")
    assert "二级甲等" in new_row["changes"] and "绿色通道服务 1 项" in new_row["changes"]
    assert not PartnerHospital.objects.filter(name="新城区人民医院").exists()  # nothing before the confirm
    sha = response.context["report"].sha256
    # The workbook waits on disk, not in the session row every request loads.
    held = doc.session["care.hospital_import"]
    assert set(held) == {"sha256", "name", "file"} and held["sha256"] == sha
    pending = pending_dir() / f"{held['file']}.xlsx"
    assert pending.read_bytes() == data
    assert doc.post(reverse("care:hospital_import"), {"confirm": "1", "sha256": "x" * 64}).status_code == 400
    response = doc.post(reverse("care:hospital_import"), {"confirm": "1", "sha256": sha})
    assert response.status_code == 302
    w.hospital.refresh_from_db()
    assert w.hospital.contact_phone == "0471-7654321"
    assert sorted(w.hospital.services.values_list("kind", flat=True)) == ["priority"]  # 专家会诊 removed
    new = PartnerHospital.objects.get(name="新城区人民医院")
    assert new.unit == w.tree.county and new.level == "2a" and str(new.contract_start) == "2026-01-01"
    assert list(new.services.values_list("kind", "contact")) == [("emergency", "120")]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"care.hospital.import", "care.hospital.create", "care.hospital.update",
            "care.hospital_service.delete", "care.hospital_service.create"} <= actions
    assert not pending.exists() and "care.hospital_import" not in doc.session
    # The file is used once: confirming again finds nothing waiting.
    assert doc.post(reverse("care:hospital_import"), {"confirm": "1", "sha256": sha}).status_code == 400


def test_one_bad_row_among_many_writes_nothing_and_is_reported_with_sheet_row_column() -> None:
    w = make_world()
    before = _state()
    rows = [_row("150102", f"医院{i}") for i in range(30)]
    rows[17] = _row("150102", "医院17", level="四级")
    rows.append(_row("150102", "医院3"))  # a duplicate of row 5
    rows.append(_row("150102", "医院X", contract_start="2026-05-01", contract_end="2026-01-01"))
    rows.append(_row("150102", "医院Y", contract_start="2026-13-01"))
    data = _book(rows, services=[["150102", "不存在的医院", "优先挂号", "", ""], ["150102", "医院1", "洗车", "", ""]])
    doc = login_client(w.medical)
    response = doc.post(reverse("care:hospital_import"), {"file": _upload(data)})
    assert response.status_code == 400
    errors = {(e.sheet, e.row, e.column): e.message for e in response.context["report"].errors}
    assert "无法识别“四级”" in errors[(H.title, 19, "医院等级")]
    assert "与第 5 行重复" in errors[(H.title, 32, "医院名称")]
    assert "协议截止日期不能早于开始日期" in errors[(H.title, 33, "协议截止日期")]
    assert (H.title, 34, "协议开始日期") in errors
    assert "不在“协作医院”工作表中" in errors[(S.title, 2, "医院名称")]
    assert "无法识别“洗车”" in errors[(S.title, 3, "服务类别")]
    assert "未导入任何数据" in response.content.decode()
    api = doc.post(API, {"file": _upload(data)})
    assert api.status_code == 422 and not api.json()["written"]
    assert {"sheet": H.title, "row": 19, "column": "医院等级"} in [
        {k: e[k] for k in ("sheet", "row", "column")} for e in api.json()["errors"]]
    dry = doc.post(API, {"file": _upload(data), "dry_run": "true"})
    assert dry.status_code == 200 and dry.json()["ok"] is False and len(dry.json()["errors"]) == 6
    assert _state() == before
    assert not AuditEntry.objects.filter(action__startswith="care.hospital").exists()


def test_out_of_scope_unit_is_an_error() -> None:
    w = make_world()
    before = _state()
    county = login_client(w.medical_county)
    data = _book([_row("150202", "东河区医院"),  # another county
                  _row("150200", "包头市中心医院", contact_phone="110")])  # exists there, changed
    body = county.post(API, {"file": _upload(data), "dry_run": "1"}).json()
    messages = {e["row"]: e["message"] for e in body["errors"]}
    assert "不在您的管理范围内" in messages[2] and "不在您的管理范围内" in messages[3]
    assert county.post(API, {"file": _upload(data)}).status_code == 422
    assert _state() == before
    # Inside the county the same liaison may create.
    body = county.post(API, {"file": _upload(_book([_row("150102", "新城区医院")]))}).json()
    assert body["written"] and body["created"] == 1


@pytest.mark.parametrize(("name", "data", "message"), [
    ("医院.txt", b"not a workbook", "只接受 .xlsx"),
    ("医院.xlsx", b"", "文件是空的"),
    ("医院.xlsx", b"%PDF-1.4 renamed", "不是有效的 Excel"),
    ("医院.xlsx", workbook([("协作医院", ["名称", "地址"], [["甲", "乙"]])]), "缺少列"),
    ("医院.xlsx", workbook([("协作医院", H.headers, [])]), "没有数据行"),
])
def test_a_bad_file_is_a_400_with_a_message_and_writes_nothing(name: str, data: bytes, message: str) -> None:
    w = make_world()
    before = _state()
    doc = login_client(w.medical)
    response = doc.post(API, {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 400 and message in str(response.json()["errors"]["file"])
    screen = doc.post(reverse("care:hospital_import"), {"file": SimpleUploadedFile(name, data)})
    assert screen.status_code == 400
    assert _state() == before


def test_template_has_headers_example_and_notes_and_needs_the_permission() -> None:
    w = make_world()
    response = login_client(w.medical).get(reverse("care:hospital_import_template"))
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == [H.title, S.title, W.title, "说明"]
    rows = book.get_sheet_by_name(H.title).to_python()
    assert rows[0] == H.headers and len(rows) == 2
    # The example row is valid as it stands (its unit exists in the test force).
    report, _planned = importer.validate(actor=w.medical, data=response.content)
    assert report.ok and report.created + report.updated == 1
    officer = login_client(w.officer)
    assert officer.get(reverse("care:hospital_import_template")).status_code == 403
    assert officer.get(reverse("care:hospital_import")).status_code == 403
    assert officer.post(API, {"file": _upload(response.content)}).status_code == 403


def test_validation_costs_the_same_queries_for_10_or_200_rows() -> None:
    """Hospitals, units and the uploader's grants are loaded once, not per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = make_world()
    counts = []
    for n in (1, 10, 200):
        data = _book([_row("150102", f"医院{i}", contact_phone="0471-1") for i in range(n)],
                     services=[["150102", f"医院{i}", "优先挂号", "", ""] for i in range(n)])
        with CaptureQueriesContext(connection) as ctx:
            report, _planned = importer.validate(actor=w.medical, data=data)
        assert report.ok and report.created == n
        counts.append(len(ctx.captured_queries))
    assert counts[1] == counts[2] <= 6, counts  # the first call also loads the uploader's grants
