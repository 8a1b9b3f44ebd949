from typing import Any

import pytest

from jingying.accounts.roles import Role
from jingying.care.models.rights import RightsEvidence
from jingying.care.tests.api_support import Api, list_queries
from jingying.care.tests.factories_support import make_case, today
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


def test_rights_api_flow_scope_and_queries():
    tree = Tree()
    staff = make_user("pd", role=Role.POLITICAL, unit=tree.county)
    api = Api(staff)
    officer_person = PersonFactory(unit=tree.station)
    response = api.post("/rights/cases", {"unit": tree.county.code, "officers": [officer_person.police_number],
                                          "incident_kind": "defamation", "incident_date": today().isoformat(),
                                          "place": "网络平台", "description": "短视频恶意剪辑"})
    assert response.status_code == 201, response.content
    body = response.json()
    case_id = body["id"]
    assert body["officers"][0]["offer_at"] and body["officers"][0]["offer_answer"] == "pending"
    bad = api.post("/rights/cases", {"unit": tree.other_county.code, "officers": ["000000"], "incident_kind": "threat",
                                     "incident_date": today().isoformat(), "place": "x", "description": "x"})
    assert bad.status_code == 422 and "unit" in bad.json()["errors"]
    assert api.patch(f"/rights/cases/{case_id}", {"place": "某短视频平台"}).json()["place"] == "某短视频平台"
    r = api.post(f"/rights/cases/{case_id}/actions", {"kind": "clarification", "date": today().isoformat(),
                                                      "handled_by": "宣传科", "result": "发布澄清声明"})
    assert r.status_code == 201 and r.json()["status"] == "actions" and len(r.json()["actions"]) == 1
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = api.client.post(f"/api/v1/care/rights/cases/{case_id}/evidence",
                             {"file": SimpleUploadedFile("截图.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20), "description": "截图"})
    assert upload.status_code == 201, upload.content
    assert upload.json()["content_type"] == "image/png"
    bad = api.client.post(f"/api/v1/care/rights/cases/{case_id}/evidence", {"file": SimpleUploadedFile("a.pdf", b"nope")})
    assert bad.status_code == 422 and "file" in bad.json()["errors"]
    assert len(api.get(f"/rights/cases/{case_id}").json()["evidence"]) == 1
    assert api.post(f"/rights/cases/{case_id}/advance", {"status": "closed"}).status_code == 422
    assert api.post(f"/rights/cases/{case_id}/advance", {"status": "closed", "outcome": "平台删除视频并道歉"}).json()["status"] == "closed"
    victim_id = body["officers"][0]["id"]
    officer = Api(make_user("of", role=Role.OFFICER, unit=tree.station, person=officer_person))
    assert officer.post(f"/rights/officers/{victim_id}/answer", {"answer": "declined"}).json()["offer_answer"] == "declined"
    assert officer.get("/rights/cases").json()["count"] == 1
    assert officer.patch(f"/rights/cases/{case_id}", {"place": "x"}).status_code == 403
    out = make_case(tree.other_station)
    assert api.get(f"/rights/cases/{out.pk}").status_code == 404
    assert api.get("/rights/cases", status="bogus").status_code == 422
    assert api.get("/rights/cases", status="closed").json()["count"] == 1
    n = list_queries(api, "/rights/cases", lambda k: [make_case(tree.station) for _ in range(k)])
    # session, user, login security, grants, API auth, COUNT, the page, its officers (one prefetch)
    assert n == 8


PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 20


def _upload(api: Api, case_id: int, name: str, content: bytes, description: str = "") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return api.client.post(f"/api/v1/care/rights/cases/{case_id}/evidence",
                           {"file": SimpleUploadedFile(name, content), "description": description})


def test_rights_evidence_api_list_upload_download_delete_in_scope():
    from jingying.core.models import AuditEntry

    tree = Tree()
    staff = Api(make_user("pd", role=Role.POLITICAL, unit=tree.county))
    me = PersonFactory(unit=tree.station)
    case = make_case(tree.station, [me])
    first = _upload(staff, case.pk, "截图.png", PNG, "现场截图")
    assert first.status_code == 201, first.content
    second = _upload(staff, case.pk, "说明.txt", "当事人陈述".encode())
    assert second.status_code == 201 and second.json()["content_type"] == "text/plain"
    listing = staff.get(f"/rights/cases/{case.pk}/evidence")
    assert listing.status_code == 200
    rows = listing.json()
    assert [r["file_name"] for r in rows] == ["截图.png", "说明.txt"]
    assert rows[0]["description"] == "现场截图" and rows[0]["uploaded_by"] == "pd" and rows[0]["size"] == len(PNG)
    # Download: the bytes under the original name, and one audit entry per download.
    evidence_id = first.json()["id"]
    before = AuditEntry.objects.filter(action="care.rights.evidence_download").count()
    download = staff.get(f"/rights/evidence/{evidence_id}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    assert download["Content-Type"] == "image/png" and "attachment" in download["Content-Disposition"]
    entry = AuditEntry.objects.filter(action="care.rights.evidence_download").latest("seq")
    assert AuditEntry.objects.filter(action="care.rights.evidence_download").count() == before + 1
    assert entry.actor_name == "pd" and entry.object_id == str(case.pk) and entry.after["evidence"] == evidence_id
    # The officer the case is about may list and fetch it, not delete it.
    officer = Api(make_user("of", role=Role.OFFICER, unit=tree.station, person=me))
    assert len(officer.get(f"/rights/cases/{case.pk}/evidence").json()) == 2
    assert officer.get(f"/rights/evidence/{evidence_id}").status_code == 200
    assert officer.client.delete(f"/api/v1/care/rights/evidence/{evidence_id}").status_code == 403
    # Delete: gone from the list, from storage, audited; a second delete is a 404.
    gone = staff.client.delete(f"/api/v1/care/rights/evidence/{evidence_id}")
    assert gone.status_code == 204
    assert not RightsEvidence.objects.filter(pk=evidence_id).exists()
    assert AuditEntry.objects.filter(action="care.rights.evidence_delete", object_id=str(case.pk)).exists()
    assert [r["file_name"] for r in staff.get(f"/rights/cases/{case.pk}/evidence").json()] == ["说明.txt"]
    assert staff.client.delete(f"/api/v1/care/rights/evidence/{evidence_id}").status_code == 404
    assert staff.get(f"/rights/evidence/{evidence_id}").status_code == 404


def test_rights_evidence_api_refuses_out_of_scope():
    from jingying.core.models import AuditEntry

    tree = Tree()
    case = make_case(tree.station)
    staff = Api(make_user("pd", role=Role.POLITICAL, unit=tree.county))
    evidence_id = _upload(staff, case.pk, "a.png", PNG).json()["id"]
    # Political staff of another county: the case and its evidence do not exist for them.
    outsider = Api(make_user("pd2", role=Role.POLITICAL, unit=tree.other_county))
    before = AuditEntry.objects.count()
    assert outsider.get(f"/rights/cases/{case.pk}/evidence").status_code == 404
    assert outsider.get(f"/rights/evidence/{evidence_id}").status_code == 404
    assert outsider.client.delete(f"/api/v1/care/rights/evidence/{evidence_id}").status_code == 404
    assert _upload(outsider, case.pk, "b.png", PNG).status_code == 404
    assert AuditEntry.objects.count() == before, "a refused call leaves no trace of a read or a write"
    assert RightsEvidence.objects.filter(case=case).count() == 1
    # Signed in without any grant: refused; not signed in: 401.
    nobody = Api(make_user("nobody"))
    assert nobody.get(f"/rights/cases/{case.pk}/evidence").status_code in (403, 404)
    assert nobody.get(f"/rights/evidence/{evidence_id}").status_code in (403, 404)
    from django.test import Client

    assert Client().get(f"/api/v1/care/rights/evidence/{evidence_id}").status_code == 401


def test_rights_evidence_api_bad_uploads_are_4xx_with_message_and_write_nothing():
    from jingying.care.services.support_common import EVIDENCE_MAX_BYTES

    tree = Tree()
    case = make_case(tree.station)
    staff = Api(make_user("pd", role=Role.POLITICAL, unit=tree.county))
    too_big = _upload(staff, case.pk, "大.png", PNG + b"0" * (EVIDENCE_MAX_BYTES + 1 - len(PNG)))
    assert too_big.status_code == 422
    assert "不能超过 20 MB" in too_big.json()["errors"]["file"][0]
    exe = _upload(staff, case.pk, "tool.exe", b"MZ" + b"0" * 30)
    assert exe.status_code == 422 and "不支持的文件类型" in exe.json()["errors"]["file"][0]
    disguised = _upload(staff, case.pk, "photo.jpg", b"MZ" + b"0" * 30)
    assert disguised.status_code == 422 and "与扩展名 .jpg 不符" in disguised.json()["errors"]["file"][0]
    empty = _upload(staff, case.pk, "empty.png", b"")
    assert empty.status_code in (400, 422) and empty.json()["errors"]["file"]
    missing = staff.client.post(f"/api/v1/care/rights/cases/{case.pk}/evidence", {"description": "没有文件"})
    assert missing.status_code == 422 and "请选择要上传的文件" in missing.json()["errors"]["file"][0]
    assert not RightsEvidence.objects.filter(case=case).exists()
    assert staff.get(f"/rights/cases/{case.pk}/evidence").json() == []
    # A closed case keeps its evidence: no upload, no delete.
    kept = _upload(staff, case.pk, "a.png", PNG).json()["id"]
    staff.post(f"/rights/cases/{case.pk}/advance", {"status": "closed", "outcome": "已处理"})
    late = _upload(staff, case.pk, "b.png", PNG)
    assert late.status_code == 422 and "已结案" in late.json()["detail"] + str(late.json()["errors"])
    refused = staff.client.delete(f"/api/v1/care/rights/evidence/{kept}")
    assert refused.status_code == 422 and RightsEvidence.objects.filter(pk=kept).exists()
