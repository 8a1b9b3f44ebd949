"""JSON API of protective equipment (scoped like the screens; an officer sees their own)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jingying.care.api.fund import ERRORS, Paging, _page
from jingying.care.models import EquipmentType
from jingying.care.selectors import equipment as selectors
from jingying.care.services import equipment as services
from jingying.core.scoping import require_perm, restrict
from jingying.org.models import Person

router = Router(tags=["care: equipment"])


class IssueOut(Schema):
    id: int
    person_id: int
    person_name: str
    unit: str
    type: str
    issued_on: dt.date
    expires_on: dt.date
    status: str
    returned_on: dt.date | None
    serial: str
    expired: bool

    @staticmethod
    def of(i: Any, today: dt.date | None = None) -> IssueOut:
        today = today or timezone.localdate()
        return IssueOut(id=i.pk, person_id=i.person_id, person_name=i.person.name, unit=i.person.unit.name,
                        type=i.type.name, issued_on=i.issued_on, expires_on=i.expires_on, status=i.status,
                        returned_on=i.returned_on, serial=i.serial,
                        expired=i.status == "issued" and i.expires_on < today)


class IssuePage(Schema):
    items: list[IssueOut]
    count: int


class IssueFilters(Schema):
    state: str | None = Field(None, description="held / expiring / expired / returned")
    q: str | None = None


class IssueIn(Schema):
    person_id: int = Field(..., ge=1, le=2**63 - 1)
    type: str = Field(..., description="装备类型名称")
    issued_on: dt.date
    serial: str = Field("", max_length=50)
    note: str = Field("", max_length=200)


class ReturnIn(Schema):
    returned_on: dt.date | None = None
    replaced: bool = False


class TypeOut(Schema):
    id: int
    name: str
    service_life_months: int
    required: bool
    active: bool


@router.get("/issues", response={200: IssuePage, **ERRORS}, summary="装备配发列表")
def equipment_issues(request: HttpRequest, filters: Query[IssueFilters], paging: Query[Paging]) -> IssuePage:
    require_perm(request.user, "care.view_equipment")
    qs = selectors.issue_list(actor=request.user, state=filters.state or "", q=filters.q or "")
    rows, count = _page(qs, paging)
    return IssuePage(items=[IssueOut.of(i) for i in rows], count=count)


@router.get("/issues/{int:issue_id}", response={200: IssueOut, **ERRORS}, summary="装备配发详情")
def equipment_issue_detail(request: HttpRequest, issue_id: int) -> IssueOut:
    return IssueOut.of(selectors.access_issue(request.user, issue_id))


@router.post("/issues", response={201: IssueOut, **ERRORS}, summary="登记配发")
def equipment_issue_add(request: HttpRequest, payload: IssueIn) -> Status[IssueOut]:
    require_perm(request.user, "care.manage_equipment")
    person = restrict(Person.objects.select_related("unit"), request.user, "care.manage_equipment").filter(
        pk=payload.person_id).first()
    if person is None:
        raise ValidationError({"person_id": [_("找不到该人员（或不在您的管辖范围内）")]})
    kind = EquipmentType.objects.filter(name=payload.type.strip()).first()
    issue = services.equipment_issue_create(actor=request.user, person=person, kind=kind, issued_on=payload.issued_on,
                                            serial=payload.serial, note=payload.note)
    return Status(201, IssueOut.of(issue))


@router.post("/issues/{int:issue_id}/return", response={200: IssueOut, **ERRORS}, summary="交回或更换")
def equipment_issue_return_api(request: HttpRequest, issue_id: int, payload: ReturnIn) -> IssueOut:
    require_perm(request.user, "care.manage_equipment")
    issue = selectors.access_issue(request.user, issue_id, for_write=True)
    issue = services.equipment_issue_return(actor=request.user, issue=issue, returned_on=payload.returned_on,
                                            replaced=payload.replaced)
    return IssueOut.of(issue)


@router.get("/types", response={200: list[TypeOut], **ERRORS}, summary="装备类型")
def equipment_types_api(request: HttpRequest) -> list[TypeOut]:
    require_perm(request.user, "care.view_equipment")
    return [TypeOut(id=k.pk, name=k.name, service_life_months=k.service_life_months, required=k.required,
                    active=k.active) for k in selectors.equipment_type_list()]
