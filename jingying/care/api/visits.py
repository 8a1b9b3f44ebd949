"""JSON API for field visits and care visits (with the approval of money) and the yearly
"not yet visited" list — the same selectors and services as the screens."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jingying.care.api.concerns import ERRORS, Paging
from jingying.care.models import CareVisit, FieldVisit
from jingying.care.selectors import visits as sel
from jingying.care.services import visits as svc
from jingying.core.scoping import require_perm, restrict
from jingying.org.models import Dependent, Person, Unit

field_visits = Router(tags=["care"])
care_visits = Router(tags=["care"])
MAX_LIMIT = 200


def _unit(actor: Any, ref: str, perm: str) -> Unit:
    ref = str(ref).strip()
    qs = restrict(Unit.objects.all(), actor, perm)
    unit = (qs.filter(pk=int(ref)).first() if ref.isdigit() and len(ref) < 12 else None) or qs.filter(code=ref).first()
    if unit is None:
        raise ValidationError({"unit": [_("找不到单位“%(ref)s”") % {"ref": ref}]})
    return unit


def _people(actor: Any, refs: list[str], perm: str, field: str) -> list[Person]:
    qs = Person.objects.select_related("unit").filter(unit__in=restrict(Unit.objects.all(), actor, perm))
    out, missing = [], []
    for ref in refs:
        person = qs.filter(police_number=ref.strip()).first() or qs.filter(id_number=ref.strip().upper()).first()
        (out.append(person) if person else missing.append(ref))
    if missing:
        raise ValidationError({field: [_("找不到：%(refs)s") % {"refs": "、".join(missing)}]})
    return out


# --- field visits --------------------------------------------------------------------------


class FieldVisitOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    visit_date: dt.date
    topic: str
    visitors: list[str]
    visitors_text: str
    met_people: list[str]
    met_text: str
    findings: str
    concern_ids: list[int]

    @staticmethod
    def of(v: FieldVisit) -> FieldVisitOut:
        return FieldVisitOut(id=v.pk, unit_id=v.unit_id, unit_name=v.unit.name, visit_date=v.visit_date, topic=v.topic,
                             visitors=[p.name for p in v.visitors.all()], visitors_text=v.visitors_text,
                             met_people=[p.name for p in v.met_people.all()], met_text=v.met_text, findings=v.findings,
                             concern_ids=[c.pk for c in v.concerns.all()])


class FieldVisitPage(Schema):
    items: list[FieldVisitOut]
    count: int


class FieldVisitIn(Schema):
    unit: str = Field(..., description="单位 id 或代码")
    visit_date: dt.date
    topic: str = Field(..., max_length=100)
    visitors: list[str] = Field(default_factory=list, description="走访人员的警号或身份证号")
    visitors_text: str = ""
    met_people: list[str] = Field(default_factory=list, description="座谈人员的警号或身份证号")
    met_text: str = ""
    findings: str = ""


class FieldVisitPatch(Schema):
    visit_date: dt.date | None = None
    topic: str | None = None
    visitors_text: str | None = None
    met_text: str | None = None
    findings: str | None = None


class VisitFilters(Schema):
    unit: str | None = None
    year: int | None = None
    q: str | None = None


def _fv_qs(qs: Any) -> Any:
    return qs.prefetch_related("visitors", "met_people", "concerns")


@field_visits.get("", response={200: FieldVisitPage, **ERRORS}, summary="走访调研列表")
def field_visit_list(request: HttpRequest, filters: Query[VisitFilters], paging: Query[Paging]) -> FieldVisitPage:
    require_perm(request.user, "care.view_fieldvisit")
    qs = sel.field_visit_list(actor=request.user, filters=filters.dict(exclude_none=True))
    limit = min(paging.limit, MAX_LIMIT)
    return FieldVisitPage(items=[FieldVisitOut.of(v) for v in _fv_qs(qs[paging.offset: paging.offset + limit])],
                          count=qs.count())


@field_visits.get("/{int:visit_id}", response={200: FieldVisitOut, **ERRORS}, summary="走访调研详情")
def field_visit_detail(request: HttpRequest, visit_id: int) -> FieldVisitOut:
    return FieldVisitOut.of(sel.access_field_visit(request.user, visit_id))


@field_visits.post("", response={201: FieldVisitOut, **ERRORS}, summary="登记走访调研")
def field_visit_create(request: HttpRequest, payload: FieldVisitIn) -> Status:
    actor = request.user
    require_perm(actor, "care.manage_fieldvisit")
    visit = svc.field_visit_create(
        actor=actor, unit=_unit(actor, payload.unit, "care.manage_fieldvisit"), visit_date=payload.visit_date,
        topic=payload.topic, findings=payload.findings, visitors_text=payload.visitors_text, met_text=payload.met_text,
        visitors=_people(actor, payload.visitors, "org.view_person", "visitors"),
        met_people=_people(actor, payload.met_people, "org.view_person", "met_people"))
    return Status(201, FieldVisitOut.of(visit))


@field_visits.patch("/{int:visit_id}", response={200: FieldVisitOut, **ERRORS}, summary="修改走访调研")
def field_visit_update(request: HttpRequest, visit_id: int, payload: FieldVisitPatch) -> FieldVisitOut:
    with transaction.atomic():
        visit = sel.access_field_visit(request.user, visit_id, perm="care.manage_fieldvisit", for_write=True)
        svc.field_visit_update(actor=request.user, visit=visit, **payload.dict(exclude_none=True))
    return FieldVisitOut.of(sel.access_field_visit(request.user, visit_id))


@field_visits.delete("/{int:visit_id}", response={204: None, **ERRORS}, summary="删除走访调研")
def field_visit_delete(request: HttpRequest, visit_id: int) -> Status:
    visit = sel.access_field_visit(request.user, visit_id, perm="care.manage_fieldvisit")
    svc.field_visit_delete(actor=request.user, visit=visit)
    return Status(204, None)


# --- care visits ---------------------------------------------------------------------------


class CareVisitOut(Schema):
    id: int
    person_id: int
    person_name: str
    dependent_id: int | None
    visit_date: dt.date
    reason: str
    reason_label: str
    visitors: str
    money: Decimal
    goods: str
    help_given: str
    note: str
    approval: str
    approval_label: str
    approval_note: str

    @staticmethod
    def of(v: CareVisit) -> CareVisitOut:
        return CareVisitOut(id=v.pk, person_id=v.person_id, person_name=v.person.name, dependent_id=v.dependent_id,
                            visit_date=v.visit_date, reason=v.reason, reason_label=v.get_reason_display(),
                            visitors=v.visitors, money=v.money, goods=v.goods, help_given=v.help_given, note=v.note,
                            approval=v.approval, approval_label=v.get_approval_display(),
                            approval_note=v.approval_note)


class CareVisitPage(Schema):
    items: list[CareVisitOut]
    count: int


class CareVisitIn(Schema):
    person: str = Field(..., description="慰问对象的警号或身份证号")
    dependent: int | None = Field(None, description="家属 id")
    visit_date: dt.date
    reason: str
    visitors: str = Field(..., max_length=200)
    money: Decimal = Field(Decimal("0.00"), description="慰问金，元，两位小数（以字符串传送，如 \"500.00\"）")
    goods: str = ""
    help_given: str = ""
    note: str = ""


class DecisionIn(Schema):
    note: str = ""


class CareFilters(VisitFilters):
    reason: str | None = None
    approval: str | None = None
    person: int | None = None


class NotVisitedOut(Schema):
    person_id: int
    person_name: str
    unit_name: str
    reason: str


class NotVisitedPage(Schema):
    items: list[NotVisitedOut]
    count: int


@care_visits.get("", response={200: CareVisitPage, **ERRORS}, summary="走访慰问列表")
def care_visit_list(request: HttpRequest, filters: Query[CareFilters], paging: Query[Paging]) -> CareVisitPage:
    require_perm(request.user, "care.view_carevisit")
    qs = sel.care_visit_list(actor=request.user, filters=filters.dict(exclude_none=True))
    limit = min(paging.limit, MAX_LIMIT)
    return CareVisitPage(items=[CareVisitOut.of(v) for v in qs[paging.offset: paging.offset + limit]],
                         count=qs.count())


@care_visits.get("/not-visited", response={200: NotVisitedPage, **ERRORS}, summary="本年度计划中未走访慰问的人员")
def care_not_visited(request: HttpRequest, unit: str, paging: Query[Paging], year: int | None = None) -> NotVisitedPage:
    actor = request.user
    require_perm(actor, "care.view_carevisit")
    qs = sel.not_visited(actor=actor, unit=_unit(actor, unit, "care.view_carevisit"),
                         year=year or timezone.localdate().year)
    limit = min(paging.limit, MAX_LIMIT)
    return NotVisitedPage(items=[NotVisitedOut(person_id=t.person_id, person_name=t.person.name,
                                               unit_name=t.person.unit.name, reason=t.reason)
                                 for t in qs[paging.offset: paging.offset + limit]], count=qs.count())


@care_visits.get("/{int:visit_id}", response={200: CareVisitOut, **ERRORS}, summary="走访慰问详情")
def care_visit_detail(request: HttpRequest, visit_id: int) -> CareVisitOut:
    return CareVisitOut.of(sel.access_care_visit(request.user, visit_id))


@care_visits.post("", response={201: CareVisitOut, **ERRORS}, summary="登记走访慰问（有慰问金的需另一人审批）")
def care_visit_create(request: HttpRequest, payload: CareVisitIn) -> Status:
    actor = request.user
    require_perm(actor, "care.manage_carevisit")
    person = _people(actor, [payload.person], "care.manage_carevisit", "person")[0]
    dependent = None
    if payload.dependent is not None:
        dependent = Dependent.objects.filter(pk=payload.dependent, person=person).first()
        if dependent is None:
            raise ValidationError({"dependent": [_("该家属不属于慰问对象")]})
    visit = svc.care_visit_create(actor=actor, person=person, dependent=dependent, visit_date=payload.visit_date,
                                  reason=payload.reason, visitors=payload.visitors, money=payload.money,
                                  goods=payload.goods, help_given=payload.help_given, note=payload.note)
    return Status(201, CareVisitOut.of(visit))


def _decide(request: HttpRequest, visit_id: int, payload: DecisionIn, approve: bool) -> CareVisitOut:
    with transaction.atomic():
        visit = sel.access_care_visit(request.user, visit_id, perm="care.approve_carevisit", for_write=True)
        svc.care_visit_decide(actor=request.user, visit=visit, approve=approve, note=payload.note)
    return CareVisitOut.of(sel.access_care_visit(request.user, visit_id))


@care_visits.post("/{int:visit_id}/approve", response={200: CareVisitOut, **ERRORS}, summary="批准慰问金")
def care_visit_approve(request: HttpRequest, visit_id: int, payload: DecisionIn) -> CareVisitOut:
    return _decide(request, visit_id, payload, True)


@care_visits.post("/{int:visit_id}/reject", response={200: CareVisitOut, **ERRORS}, summary="不批准慰问金")
def care_visit_reject(request: HttpRequest, visit_id: int, payload: DecisionIn) -> CareVisitOut:
    return _decide(request, visit_id, payload, False)
