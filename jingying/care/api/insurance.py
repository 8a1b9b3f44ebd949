"""JSON API for accident insurance: policies, insuring people, claims and their steps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jingying.care.api.support_common import ERRORS, Paging, check_filters, filters_of, page, unit_ref
from jingying.care.models.insurance import InsuranceClaim, InsurancePolicy
from jingying.care.selectors import insurance as selectors
from jingying.care.services import insurance as services
from jingying.care.services.support_common import IdRow, people_by_refs
from jingying.core.scoping import require_perm
from jingying.org.idnumber import normalise

router = Router(tags=["care: insurance"])


class PolicyOut(Schema):
    id: int
    unit: str
    insurer: str
    policy_number: str
    name: str
    start: dt.date
    end: dt.date
    cover_per_person: Decimal
    insured: int

    @staticmethod
    def of(p: InsurancePolicy) -> PolicyOut:
        count = getattr(p, "insured_count", None)
        return PolicyOut(id=p.pk, unit=p.unit.name, insurer=p.insurer, policy_number=p.policy_number, name=p.name,
                         start=p.start, end=p.end, cover_per_person=p.cover_per_person,
                         insured=count if count is not None else p.insured.count())


class PolicyPage(Schema):
    items: list[PolicyOut]
    count: int


class PolicyFilters(Schema):
    unit: str | None = None
    year: int | None = None
    q: str | None = None


class PolicyIn(Schema):
    unit: str
    insurer: str
    policy_number: str
    name: str = "团体意外伤害保险"
    start: dt.date
    end: dt.date
    cover_per_person: Decimal = Field(..., max_digits=12, decimal_places=2)
    notes: str = ""


class PolicyPatch(Schema):
    insurer: str | None = None
    policy_number: str | None = None
    name: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    cover_per_person: Decimal | None = Field(None, max_digits=12, decimal_places=2)
    notes: str | None = None


class InsureIn(Schema):
    unit: str | None = None
    category: str = ""
    id_numbers: list[str] | None = None


class InsureOut(Schema):
    added: int


class ClaimOut(Schema):
    id: int
    policy_id: int
    policy_number: str
    person_id: int
    person: str
    incident: str
    incident_date: dt.date
    amount_claimed: Decimal
    amount_paid: Decimal | None
    status: str
    reject_reason: str
    submitted_on: dt.date
    decided_on: dt.date | None

    @staticmethod
    def of(c: InsuranceClaim) -> ClaimOut:
        return ClaimOut(id=c.pk, policy_id=c.policy_id, policy_number=c.policy.policy_number, person_id=c.person_id,
                        person=c.person.name, incident=c.incident, incident_date=c.incident_date,
                        amount_claimed=c.amount_claimed, amount_paid=c.amount_paid, status=c.status,
                        reject_reason=c.reject_reason, submitted_on=c.submitted_on, decided_on=c.decided_on)


class ClaimPage(Schema):
    items: list[ClaimOut]
    count: int


class ClaimFilters(Schema):
    unit: str | None = None
    status: str | None = None
    policy: int | None = None
    year: int | None = None
    q: str | None = None


class ClaimIn(Schema):
    policy: int
    person: str = Field(..., description="警号或身份证号")
    incident: str
    incident_date: dt.date
    amount_claimed: Decimal = Field(..., max_digits=12, decimal_places=2)
    submitted_on: dt.date | None = None


class ClaimPatch(Schema):
    incident: str | None = None
    incident_date: dt.date | None = None
    amount_claimed: Decimal | None = Field(None, max_digits=12, decimal_places=2)
    submitted_on: dt.date | None = None


class DecideIn(Schema):
    paid: bool
    amount_paid: Decimal | None = Field(None, max_digits=12, decimal_places=2)
    reason: str = ""
    decided_on: dt.date | None = None


@router.get("/policies", response={200: PolicyPage, **ERRORS}, summary="保单列表")
def insurance_policy_list(request: HttpRequest, filters: Query[PolicyFilters], paging: Query[Paging]) -> PolicyPage:
    require_perm(request.user, "care.view_insurance")
    qs, filterset = selectors.insurance_policy_list(actor=request.user, filters=filters_of(filters))
    check_filters(filterset)
    rows, count = page(qs, paging)
    return PolicyPage(items=[PolicyOut.of(p) for p in rows], count=count)


@router.get("/policies/{int:policy_id}", response={200: PolicyOut, **ERRORS}, summary="保单详情")
def insurance_policy_detail(request: HttpRequest, policy_id: int) -> PolicyOut:
    return PolicyOut.of(selectors.access_insurance_policy(request.user, policy_id))


@router.post("/policies", response={201: PolicyOut, **ERRORS}, summary="登记保单")
def insurance_policy_create(request: HttpRequest, payload: PolicyIn) -> Status[PolicyOut]:
    actor = request.user
    require_perm(actor, "care.add_insurance")
    data = payload.dict()
    unit = unit_ref(actor, data.pop("unit"), "care.add_insurance")
    return Status(201, PolicyOut.of(services.insurance_policy_create(actor=actor, unit=unit, **data)))


def _policy_for_write(actor: Any, pk: int) -> InsurancePolicy:
    selectors.access_insurance_policy(actor, pk)
    try:
        return selectors.access_insurance_policy(actor, pk, perm="care.change_insurance")
    except Http404:
        raise PermissionDenied from None


@router.patch("/policies/{int:policy_id}", response={200: PolicyOut, **ERRORS}, summary="修改保单")
def insurance_policy_update(request: HttpRequest, policy_id: int, payload: PolicyPatch) -> PolicyOut:
    actor = request.user
    policy = _policy_for_write(actor, policy_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return PolicyOut.of(services.insurance_policy_update(actor=actor, policy=policy, **changes))


@router.post("/policies/{int:policy_id}/insure", response={200: InsureOut, **ERRORS},
             summary="添加被保险人（按单位或身份证号，全部成功或全部不添加）")
def insurance_policy_insure(request: HttpRequest, policy_id: int, payload: InsureIn) -> InsureOut:
    actor = request.user
    policy = _policy_for_write(actor, policy_id)
    if payload.unit:
        unit = unit_ref(actor, payload.unit, "care.change_insurance")
        return InsureOut(added=services.insurance_insure_unit(actor=actor, policy=policy, unit=unit,
                                                              category=payload.category))
    rows = [IdRow(i, normalise(v)) for i, v in enumerate(payload.id_numbers or [], start=1)]
    return InsureOut(added=services.insurance_insure_ids(actor=actor, policy=policy, rows=rows))


@router.get("/claims", response={200: ClaimPage, **ERRORS}, summary="理赔列表（民警本人只见自己的）")
def insurance_claim_list(request: HttpRequest, filters: Query[ClaimFilters], paging: Query[Paging]) -> ClaimPage:
    require_perm(request.user, "care.view_insurance")
    qs, filterset = selectors.insurance_claim_list(actor=request.user, filters=filters_of(filters))
    check_filters(filterset)
    rows, count = page(qs, paging)
    return ClaimPage(items=[ClaimOut.of(c) for c in rows], count=count)


@router.get("/claims/{int:claim_id}", response={200: ClaimOut, **ERRORS}, summary="理赔详情")
def insurance_claim_detail(request: HttpRequest, claim_id: int) -> ClaimOut:
    return ClaimOut.of(selectors.access_insurance_claim(request.user, claim_id))


@router.post("/claims", response={201: ClaimOut, **ERRORS}, summary="登记理赔")
def insurance_claim_create(request: HttpRequest, payload: ClaimIn) -> Status[ClaimOut]:
    actor = request.user
    require_perm(actor, "care.change_insurance")
    data = payload.dict()
    policy = selectors.policies_for_claims(actor).filter(pk=data.pop("policy")).first()
    if policy is None:
        raise ValidationError({"policy": [_("找不到该保单（或不在您的管理范围内）")]})
    person = people_by_refs(actor, [data.pop("person")], field="person")[0]
    return Status(201, ClaimOut.of(services.insurance_claim_create(actor=actor, policy=policy, person=person, **data)))


def _claim_for_write(actor: Any, pk: int) -> InsuranceClaim:
    selectors.access_insurance_claim(actor, pk)
    try:
        return selectors.access_insurance_claim(actor, pk, perm="care.change_insurance", for_write=True)
    except Http404:
        raise PermissionDenied from None


@router.patch("/claims/{int:claim_id}", response={200: ClaimOut, **ERRORS}, summary="修改理赔")
def insurance_claim_update(request: HttpRequest, claim_id: int, payload: ClaimPatch) -> ClaimOut:
    actor = request.user
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    with transaction.atomic():
        claim = _claim_for_write(actor, claim_id)
        return ClaimOut.of(services.insurance_claim_update(actor=actor, claim=claim, **changes))


@router.post("/claims/{int:claim_id}/review", response={200: ClaimOut, **ERRORS}, summary="转入审核")
def insurance_claim_review(request: HttpRequest, claim_id: int) -> ClaimOut:
    actor = request.user
    with transaction.atomic():
        claim = _claim_for_write(actor, claim_id)
        return ClaimOut.of(services.insurance_claim_review(actor=actor, claim=claim))


@router.post("/claims/{int:claim_id}/decide", response={200: ClaimOut, **ERRORS}, summary="结案：赔付或拒赔")
def insurance_claim_decide(request: HttpRequest, claim_id: int, payload: DecideIn) -> ClaimOut:
    actor = request.user
    with transaction.atomic():
        claim = _claim_for_write(actor, claim_id)
        return ClaimOut.of(services.insurance_claim_decide(actor=actor, claim=claim, **payload.dict()))
