"""Childcare screens: the generic suites, the officer's own page, attendance and exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from jingying.accounts.roles import Role
from jingying.care.models.childcare import ChildcareAttendance, ChildcareEnrolment, ChildcareProgramme
from jingying.care.services import childcare as services
from jingying.care.tests.factories_support import make_programme, today
from jingying.care.tests.support_suites import SupportViewTests, tree_scope
from jingying.core.scoping import SYSTEM
from jingying.core.testing import (
    Scope,
    login_client,
)
from jingying.org.tests.factories import DependentFactory, PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


def form_data(unit: Any, name: str = "新项目") -> dict[str, Any]:
    return {"name": name, "unit": unit.pk, "centre": "活动中心", "period": "2026年暑期",
            "start": today().isoformat(), "end": (today() + dt.timedelta(days=30)).isoformat(),
            "capacity": 10, "min_age": 3, "max_age": 12, "open": "on", "contact": "", "notes": ""}


class TestProgrammeViews(SupportViewTests):
    model = ChildcareProgramme
    urls = "care:childcare_"
    # session, user, login security, grants, COUNT, the page (places counted in it).
    list_queries = 6

    def build(self) -> Scope:
        return tree_scope(lambda unit, name: make_programme(unit, name=name),
                          inside=("county", "新城暑期班"), outside=("other_county", "东河暑期班"))

    def make_row(self, scope: Scope, i: int) -> None:
        make_programme(scope.extra["tree"].county, name=f"托管{i}")

    def create_target(self, scope: Scope, *, inside: bool) -> tuple[str, dict[str, Any]]:
        tree = scope.extra["tree"]
        return reverse(self.create_url), form_data(tree.county if inside else tree.other_county)

    def edit_data(self, scope: Scope, obj: Any) -> dict[str, Any]:
        return form_data(obj.unit, name="改名的托管班")

    def was_edited(self, obj: Any) -> bool:
        return ChildcareProgramme.objects.get(pk=obj.pk).name == "改名的托管班"


def _kid(person: Any, name: str, years: int = 8) -> Any:
    return DependentFactory(person=person, name=name, birth_date=today().replace(year=today().year - years, day=1))


def test_officer_enrols_on_own_page_waits_and_is_promoted():
    tree = Tree()
    programme = make_programme(tree.city, capacity=1)
    a, b = PersonFactory(unit=tree.station), PersonFactory(unit=tree.station)
    ua = make_user("a", role=Role.OFFICER, unit=tree.station, person=a)
    ub = make_user("b", role=Role.OFFICER, unit=tree.station, person=b)
    kid_a, kid_b = _kid(a, "小明"), _kid(b, "小红")
    _kid(b, "大哥", years=16)
    ca, cb = login_client(ua), login_client(ub)
    page = cb.get(reverse("care:childcare_mine")).content.decode()
    assert "小红" in page and "大哥" not in page and "暑期托管班" in page
    ca.post(reverse("care:childcare_enrol", args=[programme.pk]), {f"p{programme.pk}-child": kid_a.pk})
    cb.post(reverse("care:childcare_enrol", args=[programme.pk]), {f"p{programme.pk}-child": kid_b.pk})
    assert ChildcareEnrolment.objects.get(child=kid_b).status == "waiting"
    assert "第 1 位" in cb.get(reverse("care:childcare_mine")).content.decode()
    # Someone else's child cannot be enrolled, nor a missing choice.
    cb.post(reverse("care:childcare_enrol", args=[programme.pk]), {f"p{programme.pk}-child": kid_a.pk})
    cb.post(reverse("care:childcare_enrol", args=[programme.pk]), {f"p{programme.pk}-child": kid_b.pk})
    assert ChildcareEnrolment.objects.count() == 2
    mine = ChildcareEnrolment.objects.get(child=kid_a)
    assert cb.post(reverse("care:childcare_cancel", args=[mine.pk])).status_code == 404
    assert ca.post(reverse("care:childcare_cancel", args=[mine.pk])).status_code == 302
    assert ChildcareEnrolment.objects.get(child=kid_b).status == "enrolled"
    ca.post(reverse("care:childcare_cancel", args=[mine.pk]))
    out = make_programme(tree.other_city, name="外地")
    assert ca.post(reverse("care:childcare_enrol", args=[out.pk]), {}).status_code == 404
    # No person linked: a friendly page, no enrolment possible.
    pd = login_client(make_user("pd", role=Role.POLITICAL, unit=tree.city))
    assert "没有关联人员档案" in pd.get(reverse("care:childcare_mine")).content.decode()
    assert pd.post(reverse("care:childcare_enrol", args=[programme.pk]), {}).status_code == 404


def test_staff_attendance_detail_and_exports():
    tree = Tree()
    staff = make_user("pd", role=Role.POLITICAL, unit=tree.city)
    programme = make_programme(tree.city, capacity=5, start=today() - dt.timedelta(days=5))
    kids = [_kid(PersonFactory(unit=tree.station), f"孩子{i}") for i in range(3)]
    enrolments = [services.childcare_enrol(actor=SYSTEM, programme=programme, child=k) for k in kids]
    client = login_client(staff)
    url = reverse("care:childcare_attendance", args=[programme.pk])
    page = client.get(url)
    assert page.content.decode().count("data-row") == 3
    day = (today() - dt.timedelta(days=1)).isoformat()
    response = client.post(url, {"day": day, "present": [enrolments[0].pk, enrolments[1].pk]})
    assert response.status_code == 302
    assert ChildcareAttendance.objects.filter(present=True).count() == 2
    bad = client.post(url, {"day": (today() + dt.timedelta(days=2)).isoformat()})
    assert bad.status_code == 400
    assert client.get(url, {"day": "nonsense"}).status_code == 200
    detail = client.get(reverse("care:childcare_detail", args=[programme.pk])).content.decode()
    assert "孩子0" in detail
    export = client.get(reverse("care:childcare_export", args=[programme.pk]))
    assert export.status_code == 200
    listing = client.get(reverse("care:childcare_list_export"))
    assert listing.status_code == 200
    response = client.post(reverse("care:childcare_cancel", args=[enrolments[2].pk]))
    assert response.status_code == 302 and response["Location"].endswith(f"/childcare/{programme.pk}/")
    leader = login_client(make_user("ld", role=Role.LEADER, unit=tree.city))
    assert leader.get(url).status_code == 404


def _enrol_for(client: Any, programme: Any, officer: Any, child: Any | None = None, **extra: Any) -> Any:
    url = reverse("care:childcare_enrol_for", args=[programme.pk])
    data = {"officer": officer.police_number, **({"child": child.pk} if child else {}), **extra}
    return client.post(url, data)


def test_staff_find_an_officer_then_enrol_their_child():
    tree = Tree()
    programme = make_programme(tree.county, capacity=5)
    staff = login_client(make_user("pd", role=Role.POLITICAL, unit=tree.county))
    parent = PersonFactory(unit=tree.station, name="巴特尔")
    kid = _kid(parent, "小巴特尔")
    _kid(parent, "其其格", years=6)
    url = reverse("care:childcare_enrol_for", args=[programme.pk])
    # The detail page offers the screen to those who run the programme.
    assert url in staff.get(reverse("care:childcare_detail", args=[programme.pk])).content.decode()
    first = staff.get(url)
    assert first.status_code == 200 and "第一步" in first.content.decode() and "第二步" not in first.content.decode()
    found = staff.get(url, {"officer": parent.police_number})
    page = found.content.decode()
    assert found.status_code == 200 and "巴特尔" in page and "小巴特尔（开班时 8 岁）" in page and "其其格" in page
    response = _enrol_for(staff, programme, parent, kid, notes="家长值班")
    assert response.status_code == 302 and response["Location"] == reverse("care:childcare_detail", args=[programme.pk])
    enrolment = ChildcareEnrolment.objects.get(child=kid)
    assert enrolment.status == "enrolled" and enrolment.person == parent and enrolment.notes == "家长值班"
    from jingying.core.models import AuditEntry

    entry = AuditEntry.objects.filter(action="care.childcare.enrol").latest("seq")
    assert entry.actor_name == "pd" and entry.person_id == parent.pk
    # The same child twice: a message on the form, nothing more written.
    again = _enrol_for(staff, programme, parent, kid)
    assert again.status_code == 400 and "已经报名了这个项目" in again.content.decode()
    assert ChildcareEnrolment.objects.filter(child=kid).count() == 1


def test_staff_enrol_refuses_officers_outside_their_units_and_other_children():
    tree = Tree()
    programme = make_programme(tree.county)
    staff = login_client(make_user("pd", role=Role.POLITICAL, unit=tree.county))
    stranger = PersonFactory(unit=tree.other_station)
    their_kid = _kid(stranger, "外地孩子")
    url = reverse("care:childcare_enrol_for", args=[programme.pk])
    lookup = staff.get(url, {"officer": stranger.police_number})
    assert lookup.status_code == 400 and "找不到警号或身份证号" in lookup.content.decode()
    assert "外地孩子" not in lookup.content.decode()
    posted = _enrol_for(staff, programme, stranger, their_kid)
    assert posted.status_code == 400 and not ChildcareEnrolment.objects.exists()
    # A parent in scope cannot be used to enrol somebody else's child.
    parent = PersonFactory(unit=tree.station)
    _kid(parent, "自家孩子")
    smuggled = _enrol_for(staff, programme, parent, their_kid)
    assert smuggled.status_code == 400 and not ChildcareEnrolment.objects.exists()
    # Staff of another county do not see the programme; an officer or a leader may not use the screen.
    other = login_client(make_user("pd2", role=Role.POLITICAL, unit=tree.other_county))
    assert other.get(url).status_code == 404
    assert _enrol_for(other, programme, stranger, their_kid).status_code == 404
    officer = login_client(make_user("of", role=Role.OFFICER, unit=tree.station, person=parent))
    assert officer.get(url).status_code == 404
    assert not ChildcareEnrolment.objects.exists()


def test_staff_enrol_age_outside_the_programme_is_a_form_error():
    tree = Tree()
    programme = make_programme(tree.county, min_age=4, max_age=12)
    staff = login_client(make_user("pd", role=Role.POLITICAL, unit=tree.county))
    parent = PersonFactory(unit=tree.station)
    teen = _kid(parent, "大哥", years=16)
    response = _enrol_for(staff, programme, parent, teen)
    body = response.content.decode()
    assert response.status_code == 400
    assert "大哥 在开班时" in body and "不在 4–12 岁范围内" in body
    assert not ChildcareEnrolment.objects.exists()
    missing = staff.post(reverse("care:childcare_enrol_for", args=[programme.pk]), {"officer": parent.police_number})
    assert missing.status_code == 400 and "这个字段是必填项" in missing.content.decode()


def test_staff_enrol_when_full_goes_to_the_waiting_list():
    tree = Tree()
    programme = make_programme(tree.county, capacity=1)
    staff = login_client(make_user("pd", role=Role.POLITICAL, unit=tree.county))
    first, second = PersonFactory(unit=tree.station), PersonFactory(unit=tree.station)
    kid_a, kid_b = _kid(first, "甲孩"), _kid(second, "乙孩")
    assert _enrol_for(staff, programme, first, kid_a).status_code == 302
    response = _enrol_for(staff, programme, second, kid_b)
    assert response.status_code == 302
    assert ChildcareEnrolment.objects.get(child=kid_b).status == "waiting"
    detail = staff.get(response["Location"]).content.decode()
    assert "名额已满，乙孩 已进入候补名单（第 1 位）" in detail
