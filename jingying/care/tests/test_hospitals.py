"""Police-hospital cooperation: services, the directory, referrals (health domain), views, exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from jingying.care.models import PartnerHospital, Referral
from jingying.care.selectors import hospitals as selectors
from jingying.care.services import hospitals as services
from jingying.core.models import AuditEntry
from jingying.core.testing import DetailViewTests, ListViewTests, Scope, login_client
from jingying.health.tests.factories_checkups import make_hospital, make_world
from jingying.org.tests.factories import PersonFactory, make_user

pytestmark = pytest.mark.django_db


def test_hospital_crud_is_audited_and_scoped() -> None:
    w = make_world()
    h = services.hospital_create(actor=w.medical_county, unit=w.tree.county, name="新城区医院", level="2a")
    assert AuditEntry.objects.filter(action="care.hospital.create", object_id=str(h.pk)).exists()
    services.hospital_update(actor=w.medical_county, hospital=h, contact_phone="123")
    assert AuditEntry.objects.filter(action="care.hospital.update").exists()
    with pytest.raises(PermissionDenied):
        services.hospital_create(actor=w.medical_county, unit=w.tree.other_county, name="x")
    with pytest.raises(ValidationError) as exc:
        services.hospital_update(actor=w.medical_county, hospital=h, contract_start=dt.date(2026, 1, 1),
                                 contract_end=dt.date(2025, 1, 1))
    assert "协议截止日期不能早于开始日期" in str(exc.value)
    s = services.hospital_service_add(actor=w.medical_county, hospital=h, kind="priority", description="优先挂号")
    win = services.police_window_add(actor=w.medical_county, hospital=h, location="门诊一楼", hours="8:00-17:00")
    services.hospital_service_remove(actor=w.medical_county, service=s)
    services.police_window_remove(actor=w.medical_county, window=win)
    services.hospital_delete(actor=w.medical_county, hospital=h)
    assert not PartnerHospital.objects.filter(pk=h.pk).exists()


def test_hospital_with_referrals_cannot_be_deleted() -> None:
    w = make_world()
    services.referral_create(actor=w.medical, person=w.person, hospital=w.hospital, reason="胸闷")
    with pytest.raises(ValidationError):
        services.hospital_delete(actor=w.medical, hospital=w.hospital)


def test_directory_is_visible_to_every_officer_but_not_to_the_administrators() -> None:
    w = make_world()
    names = {h.name for h in selectors.hospital_list(actor=w.officer)}
    assert names == {"内蒙古医科大学附属医院", "包头市中心医院"}  # the whole force's channels
    assert selectors.hospital_get(actor=w.officer, pk=w.hospital_out.pk).services.count() == 2
    sysadmin = make_user("sa", role="sysadmin", unit=w.tree.region)
    with pytest.raises(PermissionDenied):
        selectors.hospital_list(actor=sysadmin)
    with pytest.raises(Http404):
        selectors.hospital_get(actor=w.officer, pk=10**9)
    assert selectors.hospital_list(actor=w.officer, filters={"q": "包头", "level": "3a", "current": "1"}).count() == 1


def test_referral_needs_the_health_domain_and_reads_are_audited() -> None:
    w = make_world()
    political = w.political
    with pytest.raises(PermissionDenied):
        services.referral_create(actor=political, person=w.person, hospital=w.hospital, reason="x")
    service = w.hospital.services.first()
    r = services.referral_create(actor=w.medical, person=w.person, hospital=w.hospital, service=service, reason="胸闷")
    assert r.status == "referred" and r.referred_on == dt.date.today()
    assert list(selectors.referral_list(actor=political)) == []
    assert list(selectors.referral_list(actor=w.medical_county)) == [r]
    before = AuditEntry.objects.filter(action="health.read").count()
    selectors.referral_read(actor=w.medical, pk=r.pk)
    assert AuditEntry.objects.filter(action="health.read", person_id=w.person.pk).count() == before + 1
    with pytest.raises(ValidationError):
        services.referral_create(actor=w.medical, person=w.person, hospital=w.hospital_out, service=service, reason="x")
    expired = make_hospital(w.tree.city, "过期医院")
    expired.contract_end = dt.date(2020, 1, 1)
    expired.contract_start = dt.date(2019, 1, 1)
    expired.save()
    with pytest.raises(ValidationError):
        services.referral_create(actor=w.medical, person=w.person, hospital=expired, reason="x")


def test_referral_moves_forward_only_and_closes_with_an_outcome() -> None:
    w = make_world()
    r = services.referral_create(actor=w.medical, person=w.person, hospital=w.hospital, reason="胸闷")
    services.referral_update(actor=w.medical, referral=r, status="seen")
    assert r.seen_on == dt.date.today()
    with pytest.raises(ValidationError):
        services.referral_update(actor=w.medical, referral=r, status="closed")  # no outcome yet
    services.referral_update(actor=w.medical, referral=r, status="closed", outcome="冠脉 CTA 未见异常")
    with pytest.raises(ValidationError):
        services.referral_update(actor=w.medical, referral=r, status="referred")
    r2 = services.referral_create(actor=w.medical, person=w.person, hospital=w.hospital, reason="x",
                                  referred_on=dt.date(2025, 5, 1))
    with pytest.raises(ValidationError):
        services.referral_update(actor=w.medical, referral=r2, status="seen", seen_on=dt.date(2025, 4, 1))


# --- views ----------------------------------------------------------------------------------


def test_hospital_screens() -> None:
    w = make_world()
    officer = login_client(w.officer)
    body = officer.get(reverse("care:hospital_list")).content.decode()
    assert "包头市中心医院" in body and "添加医院" not in body
    detail = officer.get(reverse("care:hospital_detail", args=[w.hospital.pk])).content.decode()
    assert "优先挂号" in detail and "编辑" not in detail
    assert officer.get(reverse("care:hospital_export"))["Content-Type"].startswith("application/vnd.openxml")
    doc = login_client(w.medical_county)
    assert doc.get(reverse("care:hospital_create")).status_code == 200
    response = doc.post(reverse("care:hospital_create"), {"unit": w.tree.county.pk, "name": "新医院", "level": "3a"})
    assert response.status_code == 302
    h = PartnerHospital.objects.get(name="新医院")
    assert doc.post(reverse("care:hospital_create"), {"unit": w.tree.other_county.pk, "name": "越权",
                                                      "level": "3a"}).status_code == 400
    assert doc.post(reverse("care:hospital_edit", args=[h.pk]), {"unit": w.tree.county.pk, "name": "新医院2",
                                                                 "level": "3a"}).status_code == 302
    assert doc.post(reverse("care:hospital_edit", args=[h.pk]), {"unit": w.tree.county.pk, "name": ""}).status_code == 400
    doc.post(reverse("care:hospital_service_add", args=[h.pk]), {"kind": "consult", "description": "专家"})
    doc.post(reverse("care:hospital_service_add", args=[h.pk]), {"kind": ""})
    doc.post(reverse("care:police_window_add", args=[h.pk]), {"location": "一楼"})
    doc.post(reverse("care:police_window_add", args=[h.pk]), {"location": ""})
    assert h.services.count() == 1 and h.windows.count() == 1
    doc.post(reverse("care:hospital_service_delete", args=[h.services.get().pk]))
    doc.post(reverse("care:police_window_delete", args=[h.windows.get().pk]))
    assert doc.get(reverse("care:hospital_edit", args=[w.hospital_out.pk])).status_code == 404
    assert doc.get(reverse("care:hospital_delete", args=[h.pk])).status_code == 200
    assert doc.post(reverse("care:hospital_delete", args=[h.pk])).status_code == 302
    services.referral_create(actor=w.medical, person=w.person, hospital=w.hospital, reason="x")
    assert login_client(w.medical).post(reverse("care:hospital_delete", args=[w.hospital.pk])).status_code == 400


def test_referral_screens() -> None:
    w = make_world()
    doc = login_client(w.medical_county)
    assert doc.get(reverse("care:referral_create") + f"?person={w.person.pk}").status_code == 200
    data = {"person": w.person.police_number, "hospital": w.hospital.pk, "reason": "胸闷", "referred_on": "2026-01-05"}
    response = doc.post(reverse("care:referral_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    r = Referral.objects.get()
    assert doc.post(reverse("care:referral_create"), {**data, "person": w.person_out.police_number}).status_code == 400
    assert doc.post(reverse("care:referral_create"), {**data, "service": w.hospital_out.services.first().pk}
                    ).status_code == 400
    page = doc.get(reverse("care:referral_detail", args=[r.pk]))
    assert "胸闷" in page.content.decode()
    assert doc.post(reverse("care:referral_detail", args=[r.pk]), {"status": "closed"}).status_code == 400
    assert doc.post(reverse("care:referral_detail", args=[r.pk]), {"status": "seen", "seen_on": "2026-01-06"}
                    ).status_code == 302
    export = doc.get(reverse("care:referral_export") + "?status=seen&hospital=x")
    assert export.status_code == 200
    assert AuditEntry.objects.filter(action="care.referral.export").exists()
    assert doc.get(reverse("care:referral_list") + "?q=张&status=seen&source=manual&hospital=1").status_code == 200


class TestReferralViews(ListViewTests, DetailViewTests):
    model = Referral
    list_url = "care:referral_list"
    detail_url = "care:referral_detail"
    list_queries = 6

    def build(self) -> Scope:
        w = make_world()
        inside = services.referral_create(actor=w.medical, person=w.person, hospital=w.hospital, reason="甲")
        outside = services.referral_create(actor=w.medical, person=w.person_out, hospital=w.hospital, reason="乙")
        self.w = w
        return Scope(inside=inside, outside=outside, user=w.medical_county, nobody=w.leader)

    def label(self, obj: Any) -> str:
        return obj.person.name

    def make_rows(self, scope: Scope, n: int) -> None:
        for _i in range(n):
            person = PersonFactory(unit=self.w.tree.station)
            Referral.objects.create(person=person, hospital=self.w.hospital, reason="r", referred_on=dt.date.today())

    def visible_rows(self, scope: Scope) -> int:
        return selectors.referral_list(actor=scope.user).count()

    def rows_on_page(self, response: Any) -> int:
        return response.content.decode().count('class="js-row"')
