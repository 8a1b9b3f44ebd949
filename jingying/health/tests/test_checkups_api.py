"""API of checkups and hospitals: the same scope and audit as the screens, errors as 4xx in
Chinese, query counts pinned for list endpoints."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jingying.care.models import PartnerHospital, Referral
from jingying.care.services.hospitals import referral_create
from jingying.core.models import AuditEntry
from jingying.core.testing import login_client
from jingying.health.models import CheckupPlan, CheckupRecord, FollowUp
from jingying.health.services.checkups import checkup_record_result
from jingying.health.tests.factories_checkups import LAST_YEAR, bulk_people, make_hospital, make_plan, make_world

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _json(client: Any, method: str, url: str, data: dict[str, Any] | None = None) -> Any:
    return getattr(client, method)(API + url, data=json.dumps(data or {}), content_type="application/json")


def test_checkup_api_end_to_end() -> None:
    w = make_world()
    plan = make_plan(w.tree.county, w.hospital)
    make_plan(w.tree.other_county)
    record = plan.records.get(person=w.person)
    doc = login_client(w.medical_county)
    assert doc.get(f"{API}/health/checkups/plans").json()["count"] == 1
    assert doc.get(f"{API}/health/checkups/plans/{plan.pk}").json()["due"] == 1
    response = _json(doc, "post", f"/health/checkups/records/{record.pk}/result",
                     {"done_on": f"{LAST_YEAR}-05-01", "conclusion": "血糖高", "findings": ["DM", "XX"]})
    assert response.status_code == 422 and "无法识别的异常项" in response.content.decode()
    response = _json(doc, "post", f"/health/checkups/records/{record.pk}/result",
                     {"done_on": f"{LAST_YEAR}-05-01", "conclusion": "血糖高", "findings": ["DM"]})
    assert response.status_code == 200, response.content
    assert response.json()["findings"][0]["name"] == "糖尿病"
    listed = doc.get(f"{API}/health/checkups/records?status=done").json()
    assert listed["count"] == 1
    before = AuditEntry.objects.filter(action="health.read").count()
    assert doc.get(f"{API}/health/checkups/records/{record.pk}").status_code == 200
    assert AuditEntry.objects.filter(action="health.read").count() == before + 1
    followup = FollowUp.objects.get()
    assert doc.get(f"{API}/health/checkups/followups").json()["count"] == 1
    assert _json(doc, "patch", f"/health/checkups/followups/{followup.pk}", {"status": "closed"}).status_code == 422
    assert _json(doc, "patch", f"/health/checkups/followups/{followup.pk}",
                 {"status": "open", "note": "已提醒"}).json()["note"] == "已提醒"
    assert _json(doc, "post", f"/health/checkups/followups/{followup.pk}/refer", {"hospital_id": 10**9}
                 ).status_code == 422
    response = _json(doc, "post", f"/health/checkups/followups/{followup.pk}/refer",
                     {"hospital_id": w.hospital.pk, "service_id": w.hospital.services.first().pk})
    assert response.json()["status"] == "referred"
    stats = doc.get(f"{API}/health/checkups/stats?year={LAST_YEAR}").json()
    assert stats["exact"] is True and stats["total"]["due"] == 1
    leader = login_client(w.leader)
    hidden = leader.get(f"{API}/health/checkups/stats?year={LAST_YEAR}").json()
    assert hidden["total"]["due"] is None  # 1 person < k
    assert leader.get(f"{API}/health/checkups/stats?year={LAST_YEAR}&unit={w.tree.other_county.pk}").status_code == 404
    assert leader.get(f"{API}/health/checkups/stats?year={LAST_YEAR}&unit={w.tree.station.pk}").status_code == 200
    assert leader.get(f"{API}/health/checkups/records").status_code == 403
    me = login_client(w.officer).get(f"{API}/health/checkups/me").json()
    assert me["checkups"][0]["findings"][0]["code"] == "DM"
    assert me["referrals"][0]["hospital_name"] == w.hospital.name
    assert len(me["followups"]) == 1


def test_hospital_and_referral_api() -> None:
    w = make_world()
    officer = login_client(w.officer)
    assert officer.get(f"{API}/care/hospitals?current=true").json()["count"] == 2
    detail = officer.get(f"{API}/care/hospitals/{w.hospital.pk}").json()
    assert {s["kind"] for s in detail["services"]} == {"priority", "consult"}
    assert officer.get(f"{API}/care/hospitals/referrals").status_code == 403
    doc = login_client(w.medical_county)
    bad = _json(doc, "post", "/care/hospitals/referrals", {"person_id": w.person_out.pk, "hospital_id": w.hospital.pk,
                                                           "reason": "x"})
    assert bad.status_code == 422 and "找不到该人员" in bad.content.decode()
    assert _json(doc, "post", "/care/hospitals/referrals", {"person_id": w.person.pk, "hospital_id": 10**9,
                                                            "reason": "x"}).status_code == 422
    assert _json(doc, "post", "/care/hospitals/referrals", {"person_id": w.person.pk, "hospital_id": w.hospital.pk,
                                                            "service_id": 10**9, "reason": "x"}).status_code == 422
    created = _json(doc, "post", "/care/hospitals/referrals", {"person_id": w.person.pk, "hospital_id": w.hospital.pk,
                                                               "reason": "胸闷"})
    assert created.status_code == 201, created.content
    rid = created.json()["id"]
    assert doc.get(f"{API}/care/hospitals/referrals/{rid}").json()["reason"] == "胸闷"
    assert _json(doc, "patch", f"/care/hospitals/referrals/{rid}", {"status": "closed"}).status_code == 422
    assert _json(doc, "patch", f"/care/hospitals/referrals/{rid}", {"status": "seen"}).json()["status"] == "seen"
    out = referral_create(actor=w.medical, person=w.person_out, hospital=w.hospital, reason="x")
    assert doc.get(f"{API}/care/hospitals/referrals/{out.pk}").status_code == 404
    assert doc.get(f"{API}/care/hospitals/referrals?status=seen").json()["count"] == 1


def _counts(client: Any, url: str, grow: Any) -> list[int]:
    counts = []
    for n in (10, 100):
        grow(n)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"limit": 200})
        assert response.status_code == 200
        assert response.json()["count"] >= n
        counts.append(len(ctx.captured_queries))
    return counts


def test_list_endpoints_have_pinned_query_counts() -> None:
    w = make_world()
    plan = make_plan(w.tree.county, w.hospital)
    doc = login_client(w.medical)
    doc.get(f"{API}/care/hospitals")  # warm the session

    def grow(n: int) -> None:
        have = CheckupRecord.objects.count()
        people = bulk_people(w.tree.station, n - have + 1, start=10_000 + have)
        for p in people:
            record = CheckupRecord.objects.create(plan=plan, person=p)
            checkup_record_result(actor=w.medical, record=record, done_on=plan.start_date, conclusion="x",
                                  findings=["HTN"])
            Referral.objects.create(person=p, hospital=w.hospital, reason="x", referred_on=plan.start_date)
        for i in range(CheckupPlan.objects.count(), n + 1):
            CheckupPlan.objects.create(unit=w.tree.station, year=1900 + i, start_date=plan.start_date,
                                       end_date=plan.end_date)
        for _i in range(PartnerHospital.objects.count(), n + 1):
            make_hospital(w.tree.county, "医院")

    # Session, user, grants (3) + the page and its count; records also prefetch their findings.
    pinned = {"/health/checkups/records": 8, "/health/checkups/followups": 7, "/care/hospitals/referrals": 7,
              "/health/checkups/plans": 7, "/care/hospitals": 7}
    got = {}
    for url in pinned:
        counts = _counts(doc, API + url, grow)
        assert counts[0] == counts[1], (url, counts)
        got[url] = counts[0]
    assert got == pinned


def test_plan_counts_below_k_are_hidden_from_staff_without_the_health_domain() -> None:
    w = make_world()
    plan = make_plan(w.tree.county)  # one person: below k
    political = login_client(w.political)
    assert political.get(f"{API}/health/checkups/plans").json()["items"][0]["due"] is None
    assert political.get(f"{API}/health/checkups/plans/{plan.pk}").json()["done"] is None
    assert "人数过少" in political.get("/health/checkups/").content.decode()
    assert login_client(w.medical).get(f"{API}/health/checkups/plans/{plan.pk}").json()["due"] == 1
