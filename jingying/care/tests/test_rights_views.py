"""Rights-protection screens: the generic suites plus the workflow, evidence and the officer's view."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingying.accounts.roles import Role
from jingying.care.models.rights import RightsCase, RightsEvidence
from jingying.care.tests.factories_support import make_case, today
from jingying.care.tests.support_suites import SupportViewTests, tree_scope
from jingying.core.testing import (
    Scope,
    login_client,
)
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class TestRightsViews(SupportViewTests):
    model = RightsCase
    urls = "care:rights_"
    # session, user, login security, grants, COUNT, the page, its officers (one prefetch).
    list_queries = 7

    def build(self) -> Scope:
        return tree_scope(lambda unit, place: make_case(unit, place=place),
                          inside=("station", "海东路口"), outside=("other_station", "西脑包"))

    def label(self, obj: Any) -> str:
        return obj.place

    def make_row(self, scope: Scope, i: int) -> None:
        make_case(scope.extra["tree"].county, place=f"地点{i}")

    def create_target(self, scope: Scope, *, inside: bool) -> tuple[str, dict[str, Any]]:
        tree = scope.extra["tree"]
        person = PersonFactory(unit=tree.station if inside else tree.other_station)
        unit = tree.county if inside else tree.other_county
        return reverse(self.create_url), {"unit": unit.pk, "officers": person.police_number, "incident_kind": "threat",
                                          "incident_date": today().isoformat(), "place": "新建地点",
                                          "description": "电话威胁"}

    def edit_data(self, scope: Scope, obj: Any) -> dict[str, Any]:
        officer = obj.victims.first().person
        return {"unit": obj.unit_id, "officers": officer.police_number, "incident_kind": obj.incident_kind,
                "incident_date": obj.incident_date.isoformat(), "place": "改过的地点", "description": obj.description}

    def was_edited(self, obj: Any) -> bool:
        return RightsCase.objects.get(pk=obj.pk).place == "改过的地点"


def test_officer_sees_own_case_answers_offer_and_cannot_manage():
    tree = Tree()
    me = PersonFactory(unit=tree.station)
    officer = make_user("of", role=Role.OFFICER, unit=tree.station, person=me)
    mine = make_case(tree.station, [me], place="我的案件")
    other = make_case(tree.station, place="别人的案件")
    client = login_client(officer)
    body = client.get(reverse("care:rights_list")).content.decode()
    assert "我的案件" in body and "别人的案件" not in body
    assert client.get(reverse("care:rights_detail", args=[other.pk])).status_code == 404
    page = client.get(reverse("care:rights_detail", args=[mine.pk])).content.decode()
    assert "接受心理支持" in page and "上传证据" not in page
    victim = mine.victims.get()
    response = client.post(reverse("care:rights_offer_answer", args=[victim.pk]), {"answer": "accepted"})
    assert response.status_code == 302
    victim.refresh_from_db()
    assert victim.offer_answer == "accepted"
    other_victim = other.victims.get()
    assert client.post(reverse("care:rights_offer_answer", args=[other_victim.pk]), {"answer": "accepted"}).status_code == 404
    assert client.post(reverse("care:rights_advance", args=[mine.pk]), {"status": "closed"}).status_code == 404
    assert client.get(reverse("care:rights_export")).status_code == 403


def test_workflow_actions_and_evidence_through_screens():
    tree = Tree()
    staff = make_user("pd", role=Role.POLITICAL, unit=tree.county)
    case = make_case(tree.station)
    client = login_client(staff)
    detail = reverse("care:rights_detail", args=[case.pk])
    client.post(reverse("care:rights_advance", args=[case.pk]), {"status": "investigating"})
    assert RightsCase.objects.get(pk=case.pk).status == "investigating"
    client.post(reverse("care:rights_advance", args=[case.pk]), {"status": "bogus"})
    client.post(reverse("care:rights_action_add", args=[case.pk]), {"kind": "clarification", "date": today().isoformat(),
                                                                    "handled_by": "宣传科", "result": "发布澄清通报"})
    client.post(reverse("care:rights_action_add", args=[case.pk]), {"kind": "legal_aid"})
    client.post(reverse("care:rights_action_add", args=[case.pk]),
                {"kind": "legal_aid", "date": (case.incident_date - dt.timedelta(days=9)).isoformat(), "handled_by": "x"})
    case.refresh_from_db()
    assert case.status == "actions" and case.actions.count() == 1
    response = client.post(reverse("care:rights_evidence_add", args=[case.pk]),
                           {"file": SimpleUploadedFile("照片.png", PNG), "description": "现场"})
    assert response.status_code == 302
    client.post(reverse("care:rights_evidence_add", args=[case.pk]), {"file": SimpleUploadedFile("a.png", b"MZ")})
    client.post(reverse("care:rights_evidence_add", args=[case.pk]), {})
    evidence = RightsEvidence.objects.get()
    download = client.get(reverse("care:rights_evidence_download", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert "照片.png" in client.get(detail).content.decode()
    outsider = login_client(make_user("pd2", role=Role.POLITICAL, unit=tree.other_county))
    assert outsider.get(reverse("care:rights_evidence_download", args=[evidence.pk])).status_code == 404
    client.post(reverse("care:rights_evidence_delete", args=[evidence.pk]))
    assert not RightsEvidence.objects.exists()
    client.post(reverse("care:rights_action_delete", args=[case.actions.get().pk]))
    client.post(reverse("care:rights_advance", args=[case.pk]), {"status": "closed", "outcome": "嫌疑人被刑事拘留"})
    assert RightsCase.objects.get(pk=case.pk).status == "closed"
    export = client.get(reverse("care:rights_export"), {"status": "closed"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(reverse("care:rights_list"), {"status": "closed"}, HTTP_HX_REQUEST="true").status_code == 200


def test_evidence_download_on_screen_is_audited_like_the_api():
    from jingying.care.services import rights as services
    from jingying.core.models import AuditEntry
    from jingying.core.scoping import SYSTEM

    tree = Tree()
    case = make_case(tree.station)
    evidence = services.rights_evidence_add(actor=SYSTEM, case=case, upload=SimpleUploadedFile("a.png", PNG))
    client = login_client(make_user("pd", role=Role.POLITICAL, unit=tree.county))
    assert client.get(reverse("care:rights_evidence_download", args=[evidence.pk])).status_code == 200
    entry = AuditEntry.objects.get(action="care.rights.evidence_download")
    assert entry.actor_name == "pd" and entry.after["evidence"] == evidence.pk and entry.after["sha256"] == evidence.sha256
