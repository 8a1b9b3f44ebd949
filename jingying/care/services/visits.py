"""Every write to field visits, care visits and yearly visit plans (style rule 2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingying.care.choices import CONCERN_OPEN, CareApproval, CareReason, ConcernCategory
from jingying.care.models import CareVisit, CareVisitPlan, CareVisitTarget, Concern, FieldVisit
from jingying.core import audit
from jingying.core.notifications import notify, users_covering
from jingying.core.scoping import require, subtree_q
from jingying.org.choices import SERVING_STATUSES, PersonStatus
from jingying.org.models import Dependent, Person, Unit

FIELD_VISIT_FIELDS = ["unit_id", "visit_date", "topic", "visitors_text", "met_text", "findings"]
CARE_VISIT_FIELDS = ["person_id", "dependent_id", "visit_date", "reason", "visitors", "money", "goods",
                     "help_given", "note", "approval", "approved_by_id", "approval_note"]

# --- field visits --------------------------------------------------------------------------


def _people_ids(people: Iterable[Person]) -> list[int]:
    return [p.pk for p in people]


@transaction.atomic
def field_visit_create(*, actor: Any, unit: Unit, visit_date: dt.date, topic: str, findings: str = "",
                       visitors: Iterable[Person] = (), visitors_text: str = "",
                       met_people: Iterable[Person] = (), met_text: str = "") -> FieldVisit:
    require(actor, "care.manage_fieldvisit", unit.path)
    visit = FieldVisit(unit=unit, visit_date=visit_date, topic=topic.strip(), findings=findings.strip(),
                       visitors_text=visitors_text.strip(), met_text=met_text.strip(),
                       created_by=actor if getattr(actor, "pk", None) else None)
    visit.full_clean()
    _not_future(visit.visit_date)
    visit.save()
    visit.visitors.set(_people_ids(visitors))
    visit.met_people.set(_people_ids(met_people))
    audit.record(actor=actor, action="care.fieldvisit.create", obj=visit,
                 after={**audit.snapshot(visit, FIELD_VISIT_FIELDS),
                        "visitors": _people_ids(visit.visitors.all()), "met_people": _people_ids(visit.met_people.all())})
    return visit


def _not_future(day: dt.date, field: str = "visit_date") -> None:
    if day > timezone.localdate():
        raise ValidationError({field: [_("日期不能晚于今天")]})


@transaction.atomic
def field_visit_update(*, actor: Any, visit: FieldVisit, visitors: Iterable[Person] | None = None,
                       met_people: Iterable[Person] | None = None, **changes: Any) -> FieldVisit:
    require(actor, "care.manage_fieldvisit", visit.unit.path)
    unknown = set(changes) - {"unit", "visit_date", "topic", "findings", "visitors_text", "met_text"}
    if unknown:
        raise ValueError(f"field_visit_update: unknown fields {sorted(unknown)}")
    if "unit" in changes:
        require(actor, "care.manage_fieldvisit", changes["unit"].path)
    before = audit.snapshot(visit, FIELD_VISIT_FIELDS)
    for key, value in changes.items():
        setattr(visit, key, value.strip() if isinstance(value, str) else value)
    visit.full_clean()
    _not_future(visit.visit_date)
    visit.save()
    if visitors is not None:
        visit.visitors.set(_people_ids(visitors))
    if met_people is not None:
        visit.met_people.set(_people_ids(met_people))
    audit.record(actor=actor, action="care.fieldvisit.update", obj=visit, before=before,
                 after=audit.snapshot(visit, FIELD_VISIT_FIELDS))
    return visit


@transaction.atomic
def field_visit_delete(*, actor: Any, visit: FieldVisit) -> None:
    require(actor, "care.manage_fieldvisit", visit.unit.path)
    before = audit.snapshot(visit, FIELD_VISIT_FIELDS)
    audit.record(actor=actor, action="care.fieldvisit.delete", obj=visit, before=before)
    visit.delete()  # linked concerns stay; their link is cleared


# --- care visits ---------------------------------------------------------------------------


def _check_money(money: Any) -> Decimal:
    if isinstance(money, float):
        raise TypeError("money must be a Decimal, not a float")
    try:
        value = Decimal(str(money if money not in (None, "") else "0"))
    except Exception:
        raise ValidationError({"money": [_("请输入金额，例如 500.00")]}) from None
    if not value.is_finite() or value < 0:
        raise ValidationError({"money": [_("金额不能为负数")]})
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError({"money": [_("金额最多保留两位小数")]})
    return value.quantize(Decimal("0.01"))


def _check_dependent(person: Person, dependent: Dependent | None) -> None:
    if dependent is not None and dependent.person_id != person.pk:
        raise ValidationError({"dependent": [_("该家属不属于慰问对象")]})


def _ask_approval(visit: CareVisit) -> None:
    approvers = [u for u in users_covering("care.approve_carevisit", visit.person.unit.path)
                 if u.pk != visit.requested_by_id][:5]
    if approvers:
        notify(users=approvers, kind="care.carevisit_approval",
               title=_("慰问金待审批：%(person)s %(money)s 元") % {"person": visit.person.name, "money": visit.money},
               url=reverse("care:care_visit_detail", args=[visit.pk]))


@transaction.atomic
def care_visit_create(*, actor: Any, person: Person, visit_date: dt.date, reason: str, visitors: str,
                      money: Decimal | str | int = Decimal("0.00"), goods: str = "", help_given: str = "",
                      note: str = "", dependent: Dependent | None = None) -> CareVisit:
    require(actor, "care.manage_carevisit", person.unit.path)
    amount = _check_money(money)
    _check_dependent(person, dependent)
    visit = CareVisit(person=person, dependent=dependent, visit_date=visit_date, reason=reason,
                      visitors=visitors.strip(), money=amount, goods=goods.strip(), help_given=help_given.strip(),
                      note=note.strip(), requested_by=actor if getattr(actor, "pk", None) else None,
                      approval=CareApproval.PENDING if amount > 0 else CareApproval.NOT_REQUIRED)
    visit.full_clean()
    _not_future(visit.visit_date)
    visit.save()
    audit.record(actor=actor, action="care.carevisit.create", obj=visit, person_id=person.pk,
                 after=audit.snapshot(visit, CARE_VISIT_FIELDS))
    if visit.approval == CareApproval.PENDING:
        _ask_approval(visit)
    return visit


@transaction.atomic
def care_visit_update(*, actor: Any, visit: CareVisit, **changes: Any) -> CareVisit:
    """Edit a visit; a changed amount of money goes back for approval."""
    require(actor, "care.manage_carevisit", visit.person.unit.path)
    allowed = {"dependent", "visit_date", "reason", "visitors", "money", "goods", "help_given", "note"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"care_visit_update: unknown fields {sorted(unknown)}")
    before = audit.snapshot(visit, CARE_VISIT_FIELDS)
    if "money" in changes:
        changes["money"] = _check_money(changes["money"])
    if "dependent" in changes:
        _check_dependent(visit.person, changes["dependent"])
    money_changed = "money" in changes and changes["money"] != visit.money
    for key, value in changes.items():
        setattr(visit, key, value.strip() if isinstance(value, str) else value)
    if money_changed:
        visit.approval = CareApproval.PENDING if visit.money > 0 else CareApproval.NOT_REQUIRED
        visit.approved_by, visit.approved_at, visit.approval_note = None, None, ""
        visit.requested_by = actor if getattr(actor, "pk", None) else None
    visit.full_clean()
    _not_future(visit.visit_date)
    visit.save()
    audit.record(actor=actor, action="care.carevisit.update", obj=visit, person_id=visit.person_id,
                 before=before, after=audit.snapshot(visit, CARE_VISIT_FIELDS))
    if money_changed and visit.approval == CareApproval.PENDING:
        _ask_approval(visit)
    return visit


@transaction.atomic
def care_visit_delete(*, actor: Any, visit: CareVisit) -> None:
    require(actor, "care.manage_carevisit", visit.person.unit.path)
    if visit.approval == CareApproval.APPROVED:
        raise ValidationError(_("慰问金已批准发放，不能删除"))
    audit.record(actor=actor, action="care.carevisit.delete", obj=visit, person_id=visit.person_id,
                 before=audit.snapshot(visit, CARE_VISIT_FIELDS))
    visit.delete()


@transaction.atomic
def care_visit_decide(*, actor: Any, visit: CareVisit, approve: bool, note: str = "") -> CareVisit:
    """Approve or refuse the money of a visit. The caller passes the row locked (access for_write);
    the person who recorded it cannot approve it."""
    require(actor, "care.approve_carevisit", visit.person.unit.path)
    if visit.approval != CareApproval.PENDING:
        raise ValidationError(_("该慰问不在待审批状态"))
    if visit.requested_by_id is not None and visit.requested_by_id == getattr(actor, "pk", None):
        raise ValidationError(_("不能审批自己登记的慰问金，请由另一位有权限的同志审批"))
    if not approve and not note.strip():
        raise ValidationError({"approval_note": [_("不批准时请说明理由")]})
    before = audit.snapshot(visit, CARE_VISIT_FIELDS)
    visit.approval = CareApproval.APPROVED if approve else CareApproval.REJECTED
    visit.approved_by = actor if getattr(actor, "pk", None) else None
    visit.approved_at = timezone.now()
    visit.approval_note = note.strip()[:300]
    visit.save(update_fields=["approval", "approved_by", "approved_at", "approval_note"])
    audit.record(actor=actor, action="care.carevisit." + ("approve" if approve else "reject"), obj=visit,
                 person_id=visit.person_id, before=before, after=audit.snapshot(visit, CARE_VISIT_FIELDS))
    return visit


def care_visit_approve(*, actor: Any, visit: CareVisit, note: str = "") -> CareVisit:
    return care_visit_decide(actor=actor, visit=visit, approve=True, note=note)


def care_visit_reject(*, actor: Any, visit: CareVisit, note: str) -> CareVisit:
    return care_visit_decide(actor=actor, visit=visit, approve=False, note=note)


# --- yearly plans --------------------------------------------------------------------------

# Criteria a plan can be generated from, each a query over data the force already keeps.
PLAN_CRITERIA: dict[str, Any] = {
    "illness": gettext_lazy("长期患病或因公负伤"),
    "bereaved": gettext_lazy("亲属亡故或牺牲、病故民警家属"),
    "hardship": gettext_lazy("生活困难"),
}


def criteria_label(key: str) -> str:
    return str(PLAN_CRITERIA[key])


@transaction.atomic
def care_plan_create(*, actor: Any, unit: Unit, year: int, note: str = "") -> CareVisitPlan:
    require(actor, "care.manage_carevisit", unit.path)
    if CareVisitPlan.objects.filter(unit=unit, year=year).exists():
        raise ValidationError({"year": [_("%(unit)s %(year)s 年度的计划已存在") % {"unit": unit.name, "year": year}]})
    plan = CareVisitPlan(unit=unit, year=year, note=note.strip())
    plan.full_clean()
    plan.save()
    audit.record(actor=actor, action="care.carevisitplan.create", obj=plan, after={"unit_id": unit.pk, "year": year})
    return plan


@transaction.atomic
def care_plan_delete(*, actor: Any, plan: CareVisitPlan) -> None:
    require(actor, "care.manage_carevisit", plan.unit.path)
    audit.record(actor=actor, action="care.carevisitplan.delete", obj=plan,
                 before={"unit_id": plan.unit_id, "year": plan.year, "targets": plan.targets.count()})
    plan.delete()


@transaction.atomic
def care_plan_add(*, actor: Any, plan: CareVisitPlan, person: Person, reason: str = "") -> CareVisitTarget:
    require(actor, "care.manage_carevisit", plan.unit.path)
    if not person.unit.path.startswith(plan.unit.path):
        raise ValidationError({"person": [_("%(name)s 不在本单位") % {"name": person.name}]})
    if plan.targets.filter(person=person).exists():
        raise ValidationError({"person": [_("%(name)s 已在计划中") % {"name": person.name}]})
    target = CareVisitTarget.objects.create(plan=plan, person=person, reason=reason.strip()[:100])
    audit.record(actor=actor, action="care.carevisitplan.add", obj=plan, person_id=person.pk,
                 after={"person_id": person.pk, "reason": target.reason})
    return target


@transaction.atomic
def care_plan_remove(*, actor: Any, target: CareVisitTarget) -> None:
    require(actor, "care.manage_carevisit", target.plan.unit.path)
    audit.record(actor=actor, action="care.carevisitplan.remove", obj=target.plan, person_id=target.person_id,
                 before={"person_id": target.person_id, "reason": target.reason})
    target.delete()


def _criteria_people(unit: Unit, year: int, key: str) -> dict[int, str]:
    """Person id → reason for one criterion, over the unit's subtree."""
    since = dt.date(year - 1, 1, 1)
    in_unit = subtree_q("person__unit__path", unit.path)
    label = criteria_label(key)
    ids: set[int] = set()
    if key == "illness":
        ids |= set(CareVisit.objects.filter(in_unit, reason__in=[CareReason.ILLNESS, CareReason.INJURY],
                                            visit_date__gte=since).values_list("person_id", flat=True))
        ids |= set(Concern.objects.filter(in_unit, category=ConcernCategory.HEALTH, status__in=CONCERN_OPEN)
                   .values_list("person_id", flat=True))
    elif key == "bereaved":
        ids |= set(CareVisit.objects.filter(in_unit, reason=CareReason.BEREAVEMENT, visit_date__gte=since)
                   .values_list("person_id", flat=True))
        ids |= set(Person.objects.filter(subtree_q("unit__path", unit.path),
                                         status__in=[PersonStatus.FALLEN, PersonStatus.DECEASED])
                   .values_list("id", flat=True))
    elif key == "hardship":
        ids |= set(Dependent.objects.filter(in_unit, hardship=True).values_list("person_id", flat=True))
        ids |= set(CareVisit.objects.filter(in_unit, reason=CareReason.HARDSHIP, visit_date__gte=since)
                   .values_list("person_id", flat=True))
        ids |= set(Concern.objects.filter(in_unit, category=ConcernCategory.FINANCES, status__in=CONCERN_OPEN)
                   .values_list("person_id", flat=True))
    else:
        raise ValidationError({"criteria": [_("未知的条件")]})
    return dict.fromkeys(ids, label)


@transaction.atomic
def care_plan_generate(*, actor: Any, plan: CareVisitPlan, criteria: Iterable[str]) -> int:
    """Add everyone in the plan's unit who meets any of the criteria; returns how many were added."""
    require(actor, "care.manage_carevisit", plan.unit.path)
    found: dict[int, str] = {}
    for key in criteria:
        if key not in PLAN_CRITERIA:
            raise ValidationError({"criteria": [_("未知的条件")]})
        for pk, label in _criteria_people(plan.unit, plan.year, key).items():
            found.setdefault(pk, label)
    # Serving people, and the families of fallen/deceased officers (they are visited too).
    eligible = set(Person.objects.filter(pk__in=found).filter(
        Q(status__in=SERVING_STATUSES) | Q(status__in=[PersonStatus.FALLEN, PersonStatus.DECEASED]))
        .values_list("id", flat=True))
    existing = set(plan.targets.values_list("person_id", flat=True))
    rows = [CareVisitTarget(plan=plan, person_id=pk, reason=found[pk]) for pk in sorted(eligible - existing)]
    CareVisitTarget.objects.bulk_create(rows)
    audit.record(actor=actor, action="care.carevisitplan.generate", obj=plan,
                 after={"criteria": sorted(criteria), "added": len(rows)})
    return len(rows)
