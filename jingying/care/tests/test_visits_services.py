"""Field visits, care visits (money and its two-person approval) and yearly plans."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jingying.accounts.roles import Role
from jingying.care.models import CareVisit, CareVisitTarget, FieldVisit
from jingying.care.selectors import visits as sel
from jingying.care.services import visits as svc
from jingying.care.tests.factories_cases import make_care_visit, make_concern, make_plan
from jingying.core.models import AuditEntry, Notification
from jingying.org.tests.factories import DependentFactory, PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 1)


@pytest.fixture
def w() -> dict[str, Any]:
    t = Tree()
    return {"t": t, "person": PersonFactory(unit=t.station, name="刘警官"),
            "leader": make_user("station", role=Role.LEADER, unit=t.station),
            "pd": make_user("pd", role=Role.POLITICAL, unit=t.city),
            "pd2": make_user("pd2", role=Role.POLITICAL, unit=t.county),
            "other": make_user("other", role=Role.POLITICAL, unit=t.other_city)}


def test_field_visit_create_update_delete(w: dict[str, Any]) -> None:
    t, person = w["t"], w["person"]
    v = svc.field_visit_create(actor=w["pd"], unit=t.station, visit_date=DAY, topic=" 所队调研 ", visitors=[person],
                               met_people=[person], met_text="辅警代表", findings="警力不足")
    assert v.topic == "所队调研" and list(v.visitors.all()) == [person]
    concern = make_concern(person, field_visit=v)
    svc.field_visit_update(actor=w["pd"], visit=v, topic="所队调研（二）", visitors=[], unit=t.county)
    v.refresh_from_db()
    assert v.topic == "所队调研（二）" and v.unit == t.county and not v.visitors.exists()
    with pytest.raises(ValidationError):
        svc.field_visit_update(actor=w["pd"], visit=v, visit_date=timezone.localdate() + dt.timedelta(days=2))
    with pytest.raises(ValueError, match="unknown"):
        svc.field_visit_update(actor=w["pd"], visit=v, created_by=None)
    with pytest.raises(PermissionDenied):
        svc.field_visit_create(actor=w["other"], unit=t.station, visit_date=DAY, topic="x")
    with pytest.raises(PermissionDenied):
        svc.field_visit_delete(actor=w["other"], visit=v)
    svc.field_visit_delete(actor=w["pd"], visit=v)
    assert not FieldVisit.objects.exists()
    concern.refresh_from_db()
    assert concern.field_visit is None
    assert AuditEntry.objects.filter(action__startswith="care.fieldvisit").count() == 3


def test_care_visit_without_money_needs_no_approval(w: dict[str, Any]) -> None:
    v = svc.care_visit_create(actor=w["leader"], person=w["person"], visit_date=DAY, reason="festival",
                              visitors="所长", goods="米、面、油")
    assert v.approval == "not_required" and v.money == Decimal("0.00")


def test_money_needs_a_second_person_to_approve(w: dict[str, Any]) -> None:
    v = svc.care_visit_create(actor=w["pd"], person=w["person"], visit_date=DAY, reason="illness", visitors="主任",
                              money="800.5")
    assert v.approval == "pending" and v.money == Decimal("800.50")
    # The other approver in scope is told; the requester is not.
    assert Notification.objects.filter(user=w["pd2"], kind="care.carevisit_approval").exists()
    assert not Notification.objects.filter(user=w["pd"], kind="care.carevisit_approval").exists()
    with pytest.raises(ValidationError, match="不能审批自己"):
        svc.care_visit_approve(actor=w["pd"], visit=v)
    with pytest.raises(PermissionDenied):
        svc.care_visit_approve(actor=w["leader"], visit=v)  # leaders record, political staff approve
    with pytest.raises(PermissionDenied):
        svc.care_visit_approve(actor=w["other"], visit=v)
    svc.care_visit_approve(actor=w["pd2"], visit=v, note="同意")
    v.refresh_from_db()
    assert v.approval == "approved" and v.approved_by == w["pd2"] and v.approved_at is not None
    with pytest.raises(ValidationError):
        svc.care_visit_reject(actor=w["pd2"], visit=v, note="x")
    with pytest.raises(ValidationError, match="不能删除"):
        svc.care_visit_delete(actor=w["pd"], visit=v)


def test_reject_needs_a_reason_and_changed_money_goes_back(w: dict[str, Any]) -> None:
    v = svc.care_visit_create(actor=w["leader"], person=w["person"], visit_date=DAY, reason="hardship",
                              visitors="所长", money=Decimal("500"))
    with pytest.raises(ValidationError):
        svc.care_visit_reject(actor=w["pd"], visit=v, note=" ")
    svc.care_visit_reject(actor=w["pd"], visit=v, note="已享受其他补助")
    assert v.approval == "rejected"
    svc.care_visit_update(actor=w["leader"], visit=v, money="300.00", note="改为 300 元")
    v.refresh_from_db()
    assert v.approval == "pending" and v.approved_by is None and v.money == Decimal("300.00")
    svc.care_visit_update(actor=w["leader"], visit=v, money="0")
    assert v.approval == "not_required"
    svc.care_visit_update(actor=w["leader"], visit=v, goods="慰问品")  # no money change: no approval change
    assert v.approval == "not_required"
    with pytest.raises(ValueError, match="unknown"):
        svc.care_visit_update(actor=w["leader"], visit=v, approval="approved")
    svc.care_visit_delete(actor=w["leader"], visit=v)
    assert not CareVisit.objects.exists()


@pytest.mark.parametrize("money", ["-1", "abc", "1.234", "NaN"])
def test_bad_money_is_refused_in_chinese(w: dict[str, Any], money: str) -> None:
    with pytest.raises(ValidationError) as exc:
        svc.care_visit_create(actor=w["leader"], person=w["person"], visit_date=DAY, reason="illness",
                              visitors="所长", money=money)
    assert "money" in exc.value.message_dict


def test_float_money_is_a_programming_error(w: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        svc.care_visit_create(actor=w["leader"], person=w["person"], visit_date=DAY, reason="illness",
                              visitors="所长", money=1.5)


def test_dependent_must_belong_to_the_person(w: dict[str, Any]) -> None:
    mine = DependentFactory(person=w["person"])
    theirs = DependentFactory(person=PersonFactory(unit=w["t"].station))
    v = svc.care_visit_create(actor=w["leader"], person=w["person"], dependent=mine, visit_date=DAY,
                              reason="bereavement", visitors="所长")
    assert v.dependent == mine
    with pytest.raises(ValidationError):
        svc.care_visit_update(actor=w["leader"], visit=v, dependent=theirs)


def test_plans_generate_add_remove_and_not_visited(w: dict[str, Any]) -> None:
    t = w["t"]
    year = timezone.localdate().year
    ill, poor, bereaved = (PersonFactory(unit=t.station, name=n) for n in ("病号", "困难户", "丧亲"))
    fallen = PersonFactory(unit=t.station, name="烈士", status="fallen")
    make_care_visit(ill, reason="illness", visit_date=dt.date(year - 1, 5, 1))
    DependentFactory(person=poor, hardship=True)
    make_care_visit(bereaved, reason="bereavement", visit_date=dt.date(year - 1, 8, 1))
    make_concern(poor, category="finances")
    plan = svc.care_plan_create(actor=w["pd"], unit=t.county, year=year)
    with pytest.raises(ValidationError):
        svc.care_plan_create(actor=w["pd"], unit=t.county, year=year)
    added = svc.care_plan_generate(actor=w["pd"], plan=plan, criteria=["illness", "hardship", "bereaved"])
    assert added == 4
    names = set(plan.targets.values_list("person__name", flat=True))
    assert names == {"病号", "困难户", "丧亲", "烈士"}
    assert svc.care_plan_generate(actor=w["pd"], plan=plan, criteria=["illness"]) == 0  # nobody twice
    with pytest.raises(ValidationError):
        svc.care_plan_generate(actor=w["pd"], plan=plan, criteria=["zodiac"])
    extra = PersonFactory(unit=t.station, name="新人")
    svc.care_plan_add(actor=w["pd"], plan=plan, person=extra, reason="新入警")
    with pytest.raises(ValidationError):
        svc.care_plan_add(actor=w["pd"], plan=plan, person=extra)
    with pytest.raises(ValidationError):
        svc.care_plan_add(actor=w["pd"], plan=plan, person=PersonFactory(unit=t.other_station))
    # Visited this year: drops out of "not visited".
    make_care_visit(ill, reason="festival", visit_date=dt.date(year, 1, 20))
    missing = {x.person.name for x in sel.not_visited(actor=w["pd"], unit=t.county, year=year)}
    assert missing == {"困难户", "丧亲", "烈士", "新人"}
    assert not sel.not_visited(actor=w["other"], unit=t.county, year=year).exists()
    svc.care_plan_remove(actor=w["pd"], target=CareVisitTarget.objects.get(person=extra))
    assert plan.targets.count() == 4
    assert {t.person.name: t.visited for t in sel.plan_targets(plan=plan)}["病号"] is True
    svc.care_plan_delete(actor=w["pd"], plan=plan)
    assert not CareVisitTarget.objects.exists()
    assert str(fallen) == "烈士"


def test_plan_selectors_and_profile_panel(w: dict[str, Any]) -> None:
    make_plan(w["t"].station, people=(w["person"],))
    visit = make_care_visit(w["person"], money="100.00")
    assert list(sel.care_plan_list(actor=w["pd"], filters={"year": "2026"}))
    assert not sel.care_plan_list(actor=w["other"]).exists()
    assert sel.person_care_context(actor=w["pd"], person=w["person"])["care_visits"] == [visit]
    assert sel.person_care_context(actor=w["other"], person=w["person"])["care_visits"] == []
    totals = sel.care_visit_totals(sel.care_visit_list(actor=w["pd"], filters={"year": "2026", "reason": "illness",
                                                                             "q": "刘", "person": str(w["person"].pk)}))
    assert totals == {"n": 1, "money": Decimal("100.00")}
    assert not sel.care_visit_list(actor=w["pd"], filters={"person": "x"}).exists()
    assert not sel.care_visit_list(actor=w["pd"], filters={"unit": "nowhere"}).exists()
    assert sel.care_visit_list(actor=w["pd"], filters={"unit": w["t"].station.code, "year": "bad"}).count() == 1
