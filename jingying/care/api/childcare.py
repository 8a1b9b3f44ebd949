"""JSON API for childcare: programmes, enrolment (own children), cancellation, attendance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status

from jingying.care.api.support_common import ERRORS, Paging, check_filters, filters_of, page, unit_ref
from jingying.care.models.childcare import ChildcareEnrolment, ChildcareProgramme
from jingying.care.selectors import childcare as selectors
from jingying.care.services import childcare as services
from jingying.core.scoping import require_perm
from jingying.org.models import Person

router = Router(tags=["care: childcare"])


class ProgrammeOut(Schema):
    id: int
    name: str
    unit: str
    centre: str
    period: str
    start: dt.date
    end: dt.date
    capacity: int
    min_age: int
    max_age: int
    open: bool
    contact: str
    enrolled: int
    waiting: int

    @staticmethod
    def of(p: ChildcareProgramme) -> ProgrammeOut:
        return ProgrammeOut(id=p.pk, name=p.name, unit=p.unit.name, centre=p.centre, period=p.period, start=p.start,
                            end=p.end, capacity=p.capacity, min_age=p.min_age, max_age=p.max_age, open=p.open,
                            contact=p.contact, enrolled=getattr(p, "enrolled_count", 0),
                            waiting=getattr(p, "waiting_count", 0))


class EnrolmentOut(Schema):
    id: int
    programme_id: int
    child_id: int
    child: str
    parent: str
    status: str
    requested_at: dt.datetime
    waiting_position: int | None = None

    @staticmethod
    def of(e: ChildcareEnrolment) -> EnrolmentOut:
        return EnrolmentOut(id=e.pk, programme_id=e.programme_id, child_id=e.child_id, child=e.child.name,
                            parent=e.person.name, status=e.status, requested_at=e.requested_at,
                            waiting_position=selectors.waiting_position(e))


class ProgrammeDetailOut(ProgrammeOut):
    enrolments: list[EnrolmentOut]


class ProgrammePage(Schema):
    items: list[ProgrammeOut]
    count: int


class ProgrammeFilters(Schema):
    unit: str | None = None
    year: int | None = None
    q: str | None = None


class ProgrammeIn(Schema):
    name: str
    unit: str
    centre: str
    period: str
    start: dt.date
    end: dt.date
    capacity: int
    min_age: int
    max_age: int
    open: bool = True
    contact: str = ""
    notes: str = ""


class ProgrammePatch(Schema):
    name: str | None = None
    centre: str | None = None
    period: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    capacity: int | None = None
    min_age: int | None = None
    max_age: int | None = None
    open: bool | None = None
    contact: str | None = None
    notes: str | None = None


class EnrolIn(Schema):
    child: int
    notes: str = ""


class AttendanceIn(Schema):
    day: dt.date
    present: list[int]


class AttendanceOut(Schema):
    marked: int


class MineOut(Schema):
    programmes: list[ProgrammeOut]
    enrolments: list[EnrolmentOut]


def _detail(actor: Any, pk: int) -> ProgrammeDetailOut:
    programme = selectors.access_childcare_programme(actor, pk)
    return ProgrammeDetailOut(**ProgrammeOut.of(programme).dict(),
                              enrolments=[EnrolmentOut.of(e) for e in selectors.programme_enrolments(programme)])


@router.get("/programmes", response={200: ProgrammePage, **ERRORS}, summary="托管项目列表")
def childcare_programme_list(request: HttpRequest, filters: Query[ProgrammeFilters],
                             paging: Query[Paging]) -> ProgrammePage:
    require_perm(request.user, "care.view_childcare")
    qs, filterset = selectors.childcare_programme_list(actor=request.user, filters=filters_of(filters))
    check_filters(filterset)
    rows, count = page(qs, paging)
    return ProgrammePage(items=[ProgrammeOut.of(p) for p in rows], count=count)


@router.get("/programmes/{int:programme_id}", response={200: ProgrammeDetailOut, **ERRORS}, summary="托管项目详情")
def childcare_programme_detail(request: HttpRequest, programme_id: int) -> ProgrammeDetailOut:
    return _detail(request.user, programme_id)


@router.post("/programmes", response={201: ProgrammeDetailOut, **ERRORS}, summary="新建托管项目")
def childcare_programme_create(request: HttpRequest, payload: ProgrammeIn) -> Status[ProgrammeDetailOut]:
    actor = request.user
    require_perm(actor, "care.add_childcare")
    data = payload.dict()
    unit = unit_ref(actor, data.pop("unit"), "care.add_childcare")
    programme = services.childcare_programme_create(actor=actor, unit=unit, **data)
    return Status(201, _detail(actor, programme.pk))


@router.patch("/programmes/{int:programme_id}", response={200: ProgrammeDetailOut, **ERRORS}, summary="修改托管项目")
def childcare_programme_update(request: HttpRequest, programme_id: int, payload: ProgrammePatch) -> ProgrammeDetailOut:
    actor = request.user
    selectors.access_childcare_programme(actor, programme_id)
    programme = selectors.access_childcare_programme(actor, programme_id, perm="care.change_childcare")
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    services.childcare_programme_update(actor=actor, programme=programme, **changes)
    return _detail(actor, programme_id)


def _me(request: HttpRequest) -> Person:
    person_id = getattr(request.user, "person_id", None)
    person = Person.objects.select_related("unit").filter(pk=person_id).first() if person_id else None
    if person is None:
        raise Http404
    return person


@router.get("/mine", response={200: MineOut, **ERRORS}, summary="我的子女托管（可报名项目与我的报名）")
def childcare_mine(request: HttpRequest) -> MineOut:
    require_perm(request.user, "care.enrol_childcare")
    person = _me(request)
    return MineOut(programmes=[ProgrammeOut.of(p) for p in selectors.programmes_open_to(person)],
                   enrolments=[EnrolmentOut.of(e) for e in selectors.my_enrolments(person)])


@router.post("/programmes/{int:programme_id}/enrol", response={201: EnrolmentOut, **ERRORS},
             summary="为自己的子女报名（满员进入候补）")
def childcare_enrol(request: HttpRequest, programme_id: int, payload: EnrolIn) -> Status[EnrolmentOut]:
    require_perm(request.user, "care.enrol_childcare")
    person = _me(request)
    try:
        programme = selectors.programmes_open_to(person).get(pk=programme_id)
    except ChildcareProgramme.DoesNotExist:
        raise Http404 from None
    child = next((c for c in selectors.my_children(person) if c.pk == payload.child), None)
    if child is None:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError({"child": [_("只能为自己的子女报名")]})
    enrolment = services.childcare_enrol(actor=request.user, programme=programme, child=child, notes=payload.notes)
    return Status(201, EnrolmentOut.of(enrolment))


@router.post("/enrolments/{int:enrolment_id}/cancel", response={200: list[EnrolmentOut], **ERRORS},
             summary="取消报名（空出的名额按先后递补），返回被递补的报名")
def childcare_cancel(request: HttpRequest, enrolment_id: int) -> list[EnrolmentOut]:
    enrolment = selectors.access_enrolment(request.user, enrolment_id)
    return [EnrolmentOut.of(e) for e in services.childcare_cancel(actor=request.user, enrolment=enrolment)]


@router.post("/programmes/{int:programme_id}/attendance", response={200: AttendanceOut, **ERRORS},
             summary="登记某天出勤（未列出的已录取儿童记为缺勤）")
def childcare_attendance(request: HttpRequest, programme_id: int, payload: AttendanceIn) -> AttendanceOut:
    programme = selectors.access_childcare_programme(request.user, programme_id, perm="care.mark_childcare")
    return AttendanceOut(marked=services.childcare_attendance_mark(actor=request.user, programme=programme,
                                                                   day=payload.day, present_ids=set(payload.present)))
