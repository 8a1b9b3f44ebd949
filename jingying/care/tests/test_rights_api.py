import pytest

from jingying.accounts.roles import Role
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
