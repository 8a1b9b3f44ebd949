"""API of police-hospital cooperation: the hospital directory and referrals (health domain).

Same selectors and services as the screens: the directory answers every holder of
care.view_hospital; referrals are scoped and need a grant naming "health" (outside: 404), and
opening one is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from jingying.care.import_hospitals import import_spec
from jingying.care.models import GreenChannelService, PartnerHospital, Referral
from jingying.care.selectors import hospitals as selectors
from jingying.care.services import hospitals as services
from jingying.core.scoping import require_perm, restrict
from jingying.core.views_sheets import IMPORT_RESPONSES, api_import
from jingying.org.models import Person
from jingying.org.schemas import ErrorOut

router = Router(tags=["care"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MAX_LIMIT = 200


class Paging(Schema):
    limit: int = Field(50, ge=1, description=f"每页条数，最多 {MAX_LIMIT}")
    offset: int = Field(0, ge=0, le=10**9)


class ServiceOut(Schema):
    id: int
    kind: str
    kind_label: str
    description: str
    contact: str


class WindowOut(Schema):
    id: int
    location: str
    hours: str
    contact: str


class HospitalOut(Schema):
    id: int
    name: str
    level: str
    level_label: str
    unit_id: int
    unit_name: str
    address: str
    contact_name: str
    contact_phone: str
    contract_start: dt.date | None
    contract_end: dt.date | None
    services: list[ServiceOut] | None = None
    windows: list[WindowOut] | None = None

    @staticmethod
    def build(h: PartnerHospital, *, full: bool = False) -> HospitalOut:
        out = HospitalOut(id=h.pk, name=h.name, level=h.level, level_label=h.get_level_display(), unit_id=h.unit_id,
                          unit_name=h.unit.name, address=h.address, contact_name=h.contact_name,
                          contact_phone=h.contact_phone, contract_start=h.contract_start, contract_end=h.contract_end)
        if full:
            out.services = [ServiceOut(id=s.pk, kind=s.kind, kind_label=s.get_kind_display(), description=s.description,
                                       contact=s.contact) for s in h.services.all()]
            out.windows = [WindowOut(id=w.pk, location=w.location, hours=w.hours, contact=w.contact)
                           for w in h.windows.all()]
        return out


class HospitalPage(Schema):
    items: list[HospitalOut]
    count: int


class ReferralOut(Schema):
    id: int
    person_id: int
    person_name: str
    unit_name: str
    hospital_id: int
    hospital_name: str
    service_id: int | None
    reason: str
    source: str
    source_ref: str
    referred_on: dt.date
    status: str
    status_label: str
    seen_on: dt.date | None
    outcome: str

    @staticmethod
    def build(r: Referral) -> ReferralOut:
        return ReferralOut(id=r.pk, person_id=r.person_id, person_name=r.person.name, unit_name=r.person.unit.name,
                           hospital_id=r.hospital_id, hospital_name=r.hospital.name, service_id=r.service_id,
                           reason=r.reason, source=r.source, source_ref=r.source_ref, referred_on=r.referred_on,
                           status=r.status, status_label=r.get_status_display(), seen_on=r.seen_on, outcome=r.outcome)


class ReferralPage(Schema):
    items: list[ReferralOut]
    count: int


class ReferralIn(Schema):
    person_id: int = Field(..., ge=1, le=2**63 - 1)
    hospital_id: int = Field(..., ge=1, le=2**63 - 1)
    service_id: int | None = Field(None, ge=1, le=2**63 - 1)
    reason: str = Field(..., min_length=1, max_length=2000)
    referred_on: dt.date | None = None


class ReferralPatch(Schema):
    status: str
    seen_on: dt.date | None = None
    outcome: str = ""


class HospitalFilters(Schema):
    q: str | None = None
    level: str | None = None
    current: bool = False


class ReferralFilters(Schema):
    status: str | None = None
    source: str | None = None
    hospital: int | None = Field(None, ge=1, le=2**63 - 1)
    q: str | None = None


def _page(qs: Any, paging: Paging) -> tuple[list[Any], int]:
    limit = min(paging.limit, MAX_LIMIT)
    return list(qs[paging.offset: paging.offset + limit]), qs.count()


@router.get("", response={200: HospitalPage, **ERRORS}, summary="协作医院列表")
def hospital_list(request: HttpRequest, filters: Query[HospitalFilters], paging: Query[Paging]) -> HospitalPage:
    data = {k: v for k, v in filters.dict().items() if v}
    rows, count = _page(selectors.hospital_list(actor=request.user, filters=data), paging)
    return HospitalPage(items=[HospitalOut.build(h) for h in rows], count=count)


@router.post("/import", response={**ERRORS, **IMPORT_RESPONSES}, summary="导入协作医院（与导出格式相同；dry_run 只校验）")
def hospital_import(request: HttpRequest, file: UploadedFile | None = File(None),  # noqa: B008 - ninja parameters
                    dry_run: bool = Form(False)) -> Status[Any]:
    """multipart/form-data: `file` (.xlsx in the export's layout) and `dry_run`. 400: the file
    cannot be used (not .xlsx, empty, wrong sheets or headers); 422: rows have errors (nothing
    written); 200: written, or with `dry_run` the check's result (errors listed, nothing written)."""
    require_perm(request.user, "care.manage_hospital")
    status, body = api_import(request, import_spec(), file, dry_run=dry_run)
    return Status(status, body)


@router.get("/{int:hospital_id}", response={200: HospitalOut, **ERRORS}, summary="协作医院详情（含绿色通道服务和窗口）")
def hospital_detail(request: HttpRequest, hospital_id: int) -> HospitalOut:
    return HospitalOut.build(selectors.hospital_get(actor=request.user, pk=hospital_id), full=True)


@router.get("/referrals", response={200: ReferralPage, **ERRORS}, summary="就医转介列表（健康数据域）")
def referral_list(request: HttpRequest, filters: Query[ReferralFilters], paging: Query[Paging]) -> ReferralPage:
    require_perm(request.user, "care.view_referral", domain="health")
    data = {k: v for k, v in filters.dict().items() if v}
    rows, count = _page(selectors.referral_list(actor=request.user, filters=data), paging)
    return ReferralPage(items=[ReferralOut.build(r) for r in rows], count=count)


@router.get("/referrals/{int:referral_id}", response={200: ReferralOut, **ERRORS}, summary="就医转介详情")
def referral_detail(request: HttpRequest, referral_id: int) -> ReferralOut:
    return ReferralOut.build(selectors.referral_read(actor=request.user, pk=referral_id))


@router.post("/referrals", response={201: ReferralOut, **ERRORS}, summary="新建转介")
def referral_create(request: HttpRequest, payload: ReferralIn) -> Status[ReferralOut]:
    actor = request.user
    require_perm(actor, "care.manage_referral", domain="health")
    person = restrict(Person.objects.select_related("unit"), actor, "care.manage_referral", domain="health").filter(
        pk=payload.person_id).first()
    if person is None:
        raise ValidationError({"person_id": [_("在您负责的范围内找不到该人员")]})
    hospital = PartnerHospital.objects.filter(pk=payload.hospital_id).first()
    if hospital is None:
        raise ValidationError({"hospital_id": [_("找不到该医院")]})
    service = None
    if payload.service_id is not None:
        service = GreenChannelService.objects.filter(pk=payload.service_id).first()
        if service is None:
            raise ValidationError({"service_id": [_("找不到该服务")]})
    referral = services.referral_create(actor=actor, person=person, hospital=hospital, service=service,
                                        reason=payload.reason, referred_on=payload.referred_on)
    return Status(201, ReferralOut.build(referral))


@router.patch("/referrals/{int:referral_id}", response={200: ReferralOut, **ERRORS}, summary="更新转介进展")
def referral_update(request: HttpRequest, referral_id: int, payload: ReferralPatch) -> ReferralOut:
    from django.db import transaction

    actor = request.user
    with transaction.atomic():
        referral = selectors.access_referral(actor, referral_id, for_write=True, perm="care.manage_referral")
        services.referral_update(actor=actor, referral=referral, status=payload.status, seen_on=payload.seen_on,
                                 outcome=payload.outcome)
    return ReferralOut.build(referral)
