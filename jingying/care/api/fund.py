"""JSON API of the relief fund: the same selectors and services as the screens, the `fund`
domain required throughout; opening one entry or grant is audited. Money is a decimal string
with two places ("1000.00")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jingying.care.selectors import fund as selectors
from jingying.care.services import fund as services
from jingying.core.scoping import require_perm, restrict
from jingying.org.models import Person
from jingying.org.schemas import ErrorOut

router = Router(tags=["care: fund"])
D = "fund"
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MAX_LIMIT = 200


class Paging(Schema):
    limit: int = Field(50, ge=1, description=f"每页条数，最多 {MAX_LIMIT}")
    offset: int = Field(0, ge=0, le=10**9)


def _page(qs: QuerySet[Any], paging: Paging) -> tuple[list[Any], int]:
    limit = min(paging.limit, MAX_LIMIT)
    return list(qs[paging.offset: paging.offset + limit]), qs.count()


class FundOut(Schema):
    id: int
    name: str
    unit: str
    balance: Decimal
    entries: int


class FundPage(Schema):
    items: list[FundOut]
    count: int


class EntryOut(Schema):
    id: int
    seq: int
    kind: str
    amount: Decimal
    balance_after: Decimal
    booked_on: dt.date
    occurred_on: dt.date
    donor: str
    note: str
    grant_id: int | None
    reverses_id: int | None

    @staticmethod
    def of(e: Any) -> EntryOut:
        return EntryOut(id=e.pk, seq=e.seq, kind=e.kind, amount=e.amount, balance_after=e.balance_after,
                        booked_on=e.booked_on, occurred_on=e.occurred_on, donor=e.donor, note=e.note,
                        grant_id=e.grant_id, reverses_id=e.reverses_id)


class EntryPage(Schema):
    items: list[EntryOut]
    count: int


class GrantOut(Schema):
    id: int
    fund_id: int
    person_id: int
    person_name: str
    dependent_id: int | None
    reason: str
    details: str
    amount: Decimal
    status: str
    requested_at: dt.datetime
    rejection_reason: str

    @staticmethod
    def of(g: Any) -> GrantOut:
        return GrantOut(id=g.pk, fund_id=g.fund_id, person_id=g.person_id, person_name=g.person.name,
                        dependent_id=g.dependent_id, reason=g.reason, details=g.details, amount=g.amount,
                        status=g.status, requested_at=g.requested_at, rejection_reason=g.rejection_reason)


class GrantPage(Schema):
    items: list[GrantOut]
    count: int


class DonationIn(Schema):
    donor: str = Field(..., max_length=100)
    occurred_on: dt.date
    amount: Decimal = Field(..., description="金额（元），两位小数")
    note: str = Field("", max_length=300)


class GrantIn(Schema):
    fund_id: int = Field(..., ge=1, le=2**63 - 1)
    person_id: int = Field(..., ge=1, le=2**63 - 1)
    dependent_id: int | None = Field(None, ge=1, le=2**63 - 1)
    reason: str
    amount: Decimal
    details: str = ""


class ReasonIn(Schema):
    reason: str = Field(..., max_length=300)


class GrantFilters(Schema):
    status: str | None = None
    q: str | None = None


def _fund_out(f: Any) -> FundOut:
    return FundOut(id=f.pk, name=f.name, unit=f.unit.name, balance=f.balance, entries=f.last_seq)


@router.get("/funds", response={200: FundPage, **ERRORS}, summary="抚恤基金列表")
def fund_funds(request: HttpRequest, paging: Query[Paging]) -> FundPage:
    require_perm(request.user, "care.view_fund", domain=D)
    rows, count = _page(selectors.fund_list(actor=request.user), paging)
    return FundPage(items=[_fund_out(f) for f in rows], count=count)


@router.get("/funds/{int:fund_id}/entries", response={200: EntryPage, **ERRORS}, summary="基金流水")
def fund_entries(request: HttpRequest, fund_id: int, paging: Query[Paging], year: int | None = None,
                 kind: str = "") -> EntryPage:
    fund = selectors.access_fund(request.user, fund_id)
    rows, count = _page(selectors.entry_list(actor=request.user, fund=fund, year=year, kind=kind), paging)
    return EntryPage(items=[EntryOut.of(e) for e in rows], count=count)


@router.post("/funds/{int:fund_id}/donations", response={201: EntryOut, **ERRORS}, summary="登记捐赠")
def fund_donate(request: HttpRequest, fund_id: int, payload: DonationIn) -> Status[EntryOut]:
    require_perm(request.user, "care.add_donation", domain=D)
    fund = selectors.access_fund(request.user, fund_id, perm="care.add_donation")
    entry = services.donation_record(actor=request.user, fund=fund, **payload.dict())
    return Status(201, EntryOut.of(entry))


@router.get("/entries/{int:entry_id}", response={200: EntryOut, **ERRORS}, summary="一笔流水（记录查阅）")
def fund_entry_detail(request: HttpRequest, entry_id: int) -> EntryOut:
    return EntryOut.of(selectors.access_entry(request.user, entry_id, reason="api"))


@router.post("/entries/{int:entry_id}/reverse", response={201: EntryOut, **ERRORS}, summary="冲正")
def fund_entry_reverse(request: HttpRequest, entry_id: int, payload: ReasonIn) -> Status[EntryOut]:
    require_perm(request.user, "care.reverse_entry", domain=D)
    entry = selectors.access_entry(request.user, entry_id, perm="care.reverse_entry", reason="reverse")
    return Status(201, EntryOut.of(services.entry_reverse(actor=request.user, entry=entry, reason=payload.reason)))


@router.get("/grants", response={200: GrantPage, **ERRORS}, summary="抚恤申请列表")
def fund_grants(request: HttpRequest, filters: Query[GrantFilters], paging: Query[Paging]) -> GrantPage:
    require_perm(request.user, "care.view_fund", domain=D)
    qs = selectors.grant_list(actor=request.user, status=filters.status or "", q=filters.q or "")
    rows, count = _page(qs, paging)
    return GrantPage(items=[GrantOut.of(g) for g in rows], count=count)


@router.get("/grants/{int:grant_id}", response={200: GrantOut, **ERRORS}, summary="抚恤申请（记录查阅）")
def fund_grant_detail(request: HttpRequest, grant_id: int) -> GrantOut:
    return GrantOut.of(selectors.access_grant(request.user, grant_id, reason="api"))


@router.post("/grants", response={201: GrantOut, **ERRORS}, summary="提出抚恤申请")
def fund_grant_request(request: HttpRequest, payload: GrantIn) -> Status[GrantOut]:
    actor = request.user
    require_perm(actor, "care.request_grant", domain=D)
    fund = selectors.fund_list(actor=actor).filter(pk=payload.fund_id).first()
    person = restrict(Person.objects.select_related("unit"), actor, "care.request_grant", domain=D).filter(
        pk=payload.person_id).first()
    errors = {}
    if fund is None:
        errors["fund_id"] = [_("找不到该基金")]
    if person is None:
        errors["person_id"] = [_("找不到该人员（或不在您的管辖范围内）")]
    if errors:
        raise ValidationError(errors)
    assert fund is not None
    assert person is not None
    dependent = person.dependents.filter(pk=payload.dependent_id).first() if payload.dependent_id else None
    if payload.dependent_id and dependent is None:
        raise ValidationError({"dependent_id": [_("领取家属必须是该民警的家属")]})
    grant = services.grant_request(actor=actor, fund=fund, person=person, dependent=dependent, reason=payload.reason,
                                   amount=payload.amount, details=payload.details)
    return Status(201, GrantOut.of(grant))


def _act(request: HttpRequest, grant_id: int, perm: str) -> Any:
    require_perm(request.user, perm, domain=D)
    return selectors.access_grant(request.user, grant_id, perm=perm, reason=perm)


@router.post("/grants/{int:grant_id}/approve", response={200: GrantOut, **ERRORS}, summary="审批（初审/复审）")
def fund_grant_approve(request: HttpRequest, grant_id: int) -> GrantOut:
    grant = _act(request, grant_id, "care.approve_grant")
    return GrantOut.of(services.grant_approve(actor=request.user, grant=grant))


@router.post("/grants/{int:grant_id}/reject", response={200: GrantOut, **ERRORS}, summary="驳回")
def fund_grant_reject(request: HttpRequest, grant_id: int, payload: ReasonIn) -> GrantOut:
    grant = _act(request, grant_id, "care.approve_grant")
    return GrantOut.of(services.grant_reject(actor=request.user, grant=grant, reason=payload.reason))


@router.post("/grants/{int:grant_id}/pay", response={201: EntryOut, **ERRORS}, summary="拨付（写入基金流水）")
def fund_grant_pay(request: HttpRequest, grant_id: int) -> Status[EntryOut]:
    grant = _act(request, grant_id, "care.pay_grant")
    return Status(201, EntryOut.of(services.grant_pay(actor=request.user, grant=grant)))
