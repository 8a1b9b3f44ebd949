"""JSON API for concerns: list (the staff filters), detail with timeline, raise, handling
steps and the officer's rating — the same selectors and services as the screens."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jingying.care.models import Concern
from jingying.care.selectors import concerns as sel
from jingying.care.services import concerns as svc
from jingying.core.scoping import require_perm, restrict
from jingying.org.models import Person, Unit

router = Router(tags=["care"])
MAX_LIMIT = 200


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class EventOut(Schema):
    kind: str
    kind_label: str
    at: dt.datetime
    actor_name: str
    unit_id: int | None
    note: str


class ConcernOut(Schema):
    id: int
    person_id: int
    person_name: str
    unit_id: int
    unit_name: str
    category: str
    category_label: str
    urgency: str
    title: str
    description: str
    source: str
    source_ref: str
    field_visit_id: int | None
    status: str
    status_label: str
    raised_at: dt.datetime
    deadline: dt.date
    overdue: bool
    escalations: int
    outcome: str
    rating: int | None
    rating_comment: str

    @staticmethod
    def of(c: Concern, today: dt.date) -> ConcernOut:
        return ConcernOut(
            id=c.pk, person_id=c.person_id, person_name=c.person.name, unit_id=c.unit_id, unit_name=c.unit.name,
            category=c.category, category_label=c.get_category_display(), urgency=c.urgency, title=c.title,
            description=c.description, source=c.source, source_ref=c.source_ref, field_visit_id=c.field_visit_id,
            status=c.status, status_label=c.get_status_display(), raised_at=c.raised_at, deadline=c.deadline,
            overdue=c.is_open and c.deadline < today, escalations=c.escalations, outcome=c.outcome,
            rating=c.rating, rating_comment=c.rating_comment)


class ConcernDetailOut(ConcernOut):
    events: list[EventOut]


class ConcernPage(Schema):
    items: list[ConcernOut]
    count: int


class ConcernFilters(Schema):
    status: str | None = Field(None, description="状态；open 为全部未办结")
    category: str | None = None
    urgency: str | None = None
    source: str | None = None
    overdue: bool | None = None
    unit: str | None = Field(None, description="单位 id 或代码（含全部下级）")
    q: str | None = Field(None, description="标题、姓名或警号")
    mine: bool | None = Field(None, description="只列出本人的诉求")


class Paging(Schema):
    limit: int = Field(50, ge=1)
    offset: int = Field(0, ge=0, le=10**9)


class ConcernIn(Schema):
    person: str | None = Field(None, description="代为登记时：提出人的警号或身份证号；本人提出时留空")
    category: str
    urgency: str = "normal"
    title: str = Field(..., max_length=100)
    description: str = ""
    source: str | None = None
    source_ref: str = ""
    field_visit: int | None = None


class StepIn(Schema):
    step: Literal["accept", "start", "resolve", "refer", "unsolvable", "reassign"]
    note: str = ""
    unit: str | None = Field(None, description="改派时：单位 id 或代码")


class RateIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=500)


def _detail(concern: Concern) -> ConcernDetailOut:
    base = ConcernOut.of(concern, timezone.localdate()).dict()
    events = [EventOut(kind=e.kind, kind_label=e.get_kind_display(), at=e.at, actor_name=e.actor_name,
                       unit_id=e.unit_id, note=e.note) for e in sel.concern_timeline(concern)]
    return ConcernDetailOut(**base, events=events)


def _unit_ref(actor: Any, ref: str, perm: str) -> Unit:
    ref = ref.strip()
    qs = restrict(Unit.objects.all(), actor, perm)
    unit = (qs.filter(pk=int(ref)).first() if ref.isdigit() and len(ref) < 12 else None) or qs.filter(code=ref).first()
    if unit is None:
        raise ValidationError({"unit": [_("找不到单位“%(ref)s”") % {"ref": ref}]})
    return unit


@router.get("", response={200: ConcernPage, **ERRORS}, summary="诉求列表")
def concern_list(request: HttpRequest, filters: Query[ConcernFilters], paging: Query[Paging]) -> ConcernPage:
    actor: Any = request.user
    require_perm(actor, "care.view_concern")
    data = filters.dict(exclude_none=True)
    if data.pop("mine", False):
        qs = sel.concern_filter(sel.my_concerns(actor=actor).select_related("person__unit"), actor=actor, filters=data)
    else:
        qs = sel.concern_list(actor=actor, filters=data)
    limit = min(paging.limit, MAX_LIMIT)
    today = timezone.localdate()
    items = [ConcernOut.of(c, today) for c in qs[paging.offset: paging.offset + limit]]
    return ConcernPage(items=items, count=qs.count())


@router.get("/{int:concern_id}", response={200: ConcernDetailOut, **ERRORS}, summary="诉求详情和办理进度")
def concern_detail(request: HttpRequest, concern_id: int) -> ConcernDetailOut:
    return _detail(sel.access_concern(request.user, concern_id))


@router.post("", response={201: ConcernDetailOut, **ERRORS}, summary="提出或代为登记诉求")
def concern_create(request: HttpRequest, payload: ConcernIn) -> Status:
    actor: Any = request.user
    require_perm(actor, "care.add_concern")
    if payload.person:
        ref = payload.person.strip()
        people = Person.objects.select_related("unit").filter(unit__in=restrict(Unit.objects.all(), actor,
                                                                                 "care.add_concern"))
        person = people.filter(police_number=ref).first() or people.filter(id_number=ref.upper()).first()
        if person is None:
            raise ValidationError({"person": [_("找不到“%(ref)s”") % {"ref": ref}]})
    elif actor.person_id is not None:
        person = Person.objects.select_related("unit").get(pk=actor.person_id)
    else:
        raise ValidationError({"person": [_("请填写提出人的警号或身份证号")]})
    visit = None
    if payload.field_visit is not None:
        from jingying.care.selectors.visits import access_field_visit

        visit = access_field_visit(actor, payload.field_visit)
    concern = svc.concern_raise(actor=actor, person=person, category=payload.category, urgency=payload.urgency,
                                title=payload.title, description=payload.description, source=payload.source,
                                source_ref=payload.source_ref, field_visit=visit)
    return Status(201, _detail(concern))


@router.post("/{int:concern_id}/transition", response={200: ConcernDetailOut, **ERRORS},
             summary="办理：受理、开始办理、办结、转办、无法解决、改派")
def concern_transition(request: HttpRequest, concern_id: int, payload: StepIn) -> ConcernDetailOut:
    actor: Any = request.user
    with transaction.atomic():
        concern = sel.access_concern(actor, concern_id, for_write=True)
        if payload.step == "reassign":
            if not payload.unit:
                raise ValidationError({"unit": [_("请指定改派单位")]})
            svc.concern_reassign(actor=actor, concern=concern, unit=_unit_ref(actor, payload.unit, "care.handle_concern"),
                                 note=payload.note)
        else:
            svc.concern_step(actor=actor, concern=concern, step=payload.step, note=payload.note)
    return _detail(sel.access_concern(actor, concern_id))


@router.post("/{int:concern_id}/rate", response={200: ConcernDetailOut, **ERRORS}, summary="评价办理结果")
def concern_rate(request: HttpRequest, concern_id: int, payload: RateIn) -> ConcernDetailOut:
    actor: Any = request.user
    with transaction.atomic():
        concern = sel.access_concern(actor, concern_id, perm="care.rate_concern", for_write=True)
        svc.concern_rate(actor=actor, concern=concern, rating=payload.rating, comment=payload.comment)
    return _detail(sel.access_concern(actor, concern_id))
