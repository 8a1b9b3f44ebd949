"""JSON API of screening, crisis alerts and counselling (mounted at /api/v1/health/psych).

- GET  /rounds                       screening rounds the caller may follow ({items, count})
- GET  /rounds/{id}                  one round (with `started`: someone consented or answered)
- PATCH /rounds/{id}                 change it; once started only title, description, closes_at (422)
- DELETE /rounds/{id}                204; 409 once anyone consented or answered
- GET  /rounds/{id}/stats            participation and tier counts, k-suppressed (?unit=)
- GET  /results                      person-level results (counsellors, psych domain; audited per row)
- GET  /alerts                       crisis alerts (counsellors, psych domain)
- GET  /alerts/{id}                  one alert (audited)
- POST /alerts/{id}/acknowledge      acknowledge it
- GET  /me                           the caller's own rounds, tiers and bookings
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jingying.core import audit
from jingying.core.scoping import covers, require_perm
from jingying.health.models import CrisisAlert, ScreeningResult
from jingying.health.selectors import psych as selectors
from jingying.health.services import crisis, screening
from jingying.org.models import Unit
from jingying.org.schemas import ErrorOut

router = Router(tags=["health-psych"])
DOMAIN = "psych"
MAX_LIMIT = 200
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class Paging(Schema):
    limit: int = Field(50, ge=1)
    offset: int = Field(0, ge=0)


def _page(qs: Any, paging: Paging) -> tuple[list[Any], int]:
    limit = min(paging.limit, MAX_LIMIT)
    return list(qs[paging.offset:paging.offset + limit]), qs.count()


class RoundOut(Schema):
    id: int
    title: str
    unit: int
    unit_name: str
    year: int
    instruments: list[str]
    opens_at: dt.datetime
    closes_at: dt.datetime


class RoundDetailOut(RoundOut):
    description: str
    started: bool


class RoundIn(Schema):
    """Fields to change; what is left out stays as it is."""

    title: str | None = Field(None, max_length=200)
    description: str | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    unit: int | None = Field(None, description="范围单位 id（有人同意或作答后不能改）")
    instruments: list[str] | None = Field(None, description="量表代码，如 PHQ-9（有人同意或作答后不能改）")
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None


class RoundPage(Schema):
    items: list[RoundOut]
    count: int


class StatRowOut(Schema):
    unit: int | None
    unit_name: str
    shown: bool
    invited: int | None
    answered: int | None
    tiers: dict[str, int | None]


class StatsOut(Schema):
    k: int
    unit: StatRowOut
    children: list[StatRowOut]


class ResultOut(Schema):
    id: int
    round: int
    person: int
    person_name: str
    unit_name: str
    tier: str
    safety: bool
    reasons: list[str]
    scores: dict[str, Any]


class ResultPage(Schema):
    items: list[ResultOut]
    count: int


class AlertOut(Schema):
    id: int
    person: int
    person_name: str
    unit_name: str
    reason: str
    priority: str
    status: str
    created_at: dt.datetime
    ack_due_at: dt.datetime
    acknowledged_at: dt.datetime | None
    contact_at: dt.datetime | None
    outcome: str

    @classmethod
    def of(cls, a: CrisisAlert) -> AlertOut:
        return cls(id=a.pk, person=a.person_id, person_name=a.person.name, unit_name=a.person.unit.name,
                   reason=a.reason, priority=a.priority, status=a.status, created_at=a.created_at,
                   ack_due_at=a.ack_due_at, acknowledged_at=a.acknowledged_at, contact_at=a.contact_at,
                   outcome=a.outcome)


class AlertPage(Schema):
    items: list[AlertOut]
    count: int


class MyRoundOut(Schema):
    round: int
    title: str
    consented: bool
    answered: int
    total: int
    tier: str | None


class MySessionOut(Schema):
    id: int
    starts_at: dt.datetime
    counsellor: str
    mode: str
    status: str


class MeOut(Schema):
    rounds: list[MyRoundOut]
    sessions: list[MySessionOut]


@router.get("/rounds", response={200: RoundPage, **ERRORS}, summary="心理筛查轮次")
def psych_round_list(request: HttpRequest, paging: Query[Paging]) -> RoundPage:
    require_perm(request.user, "health.view_round")
    rows, count = _page(selectors.round_list(actor=request.user), paging)
    return RoundPage(items=[RoundOut(id=r.pk, title=r.title, unit=r.unit_id, unit_name=r.unit.name, year=r.year,
                                     instruments=list(r.instruments), opens_at=r.opens_at, closes_at=r.closes_at)
                            for r in rows], count=count)


def _detail(r: Any) -> RoundDetailOut:
    return RoundDetailOut(id=r.pk, title=r.title, unit=r.unit_id, unit_name=r.unit.name, year=r.year,
                          instruments=list(r.instruments), opens_at=r.opens_at, closes_at=r.closes_at,
                          description=r.description, started=screening.round_started(r))


def _managed_round(request: HttpRequest, round_id: int) -> Any:
    require_perm(request.user, "health.manage_round")
    found = selectors.access_round(request.user, round_id)
    if not covers(request.user, "health.manage_round", found.unit.path):
        raise Http404
    return found


@router.get("/rounds/{int:round_id}", response={200: RoundDetailOut, **ERRORS}, summary="心理筛查详情")
def psych_round_detail(request: HttpRequest, round_id: int) -> RoundDetailOut:
    require_perm(request.user, "health.view_round")
    return _detail(selectors.access_round(request.user, round_id))


@router.patch("/rounds/{int:round_id}", response={200: RoundDetailOut, **ERRORS}, summary="修改心理筛查")
def psych_round_update(request: HttpRequest, round_id: int, payload: RoundIn) -> RoundDetailOut:
    found = _managed_round(request, round_id)
    changes = payload.dict(exclude_unset=True)
    if "unit" in changes:
        unit = Unit.objects.filter(pk=changes["unit"] or 0).first()
        if unit is None:
            raise ValidationError({"unit": [_("没有这个单位")]})
        changes["unit"] = unit
    updated = screening.round_update(actor=request.user, screening=found, **changes)
    return _detail(updated)


@router.delete("/rounds/{int:round_id}", response={204: None, **ERRORS}, summary="删除心理筛查（无人同意或作答时）")
def psych_round_delete(request: HttpRequest, round_id: int) -> Status[None]:
    found = _managed_round(request, round_id)
    try:
        screening.round_delete(actor=request.user, screening=found)
    except ValidationError as exc:
        return Status(409, {"detail": " ".join(exc.messages)})  # type: ignore[arg-type]
    return Status(204, None)


def _row(unit: Any, label: str, shown: bool, invited: int, answered: int, tiers: dict[str, int | None]) -> StatRowOut:
    return StatRowOut(unit=getattr(unit, "pk", None), unit_name=label, shown=shown,
                      invited=invited if shown else None, answered=answered if shown else None,
                      tiers={str(k): v for k, v in tiers.items()})


@router.get("/rounds/{int:round_id}/stats", response={200: StatsOut, **ERRORS}, summary="参与与分级人数（k 匿名）")
def psych_round_stats(request: HttpRequest, round_id: int, unit: int | None = None) -> StatsOut:
    require_perm(request.user, "health.view_psych_stats")
    screening = selectors.access_round(request.user, round_id)
    target = selectors.stats_start(request.user, screening) if unit is None else Unit.objects.filter(pk=unit).first()
    if target is None:
        raise Http404
    stats = selectors.round_stats(actor=request.user, screening=screening, unit=target)
    return StatsOut(k=stats.k, unit=_row(stats.unit, stats.unit.name, stats.shown, stats.invited, stats.answered,
                                         stats.tiers),
                    children=[_row(r.unit, r.label if r.unit is None else r.unit.name, r.shown, r.invited, r.answered,
                                   r.tiers) for r in stats.rows])


@router.get("/results", response={200: ResultPage, **ERRORS}, summary="个人筛查结果（心理咨询师）")
def psych_result_list(request: HttpRequest, paging: Query[Paging], tier: str = "") -> ResultPage:
    require_perm(request.user, "health.view_screening", domain=DOMAIN)
    rows, count = _page(selectors.result_list(actor=request.user, tier=tier), paging)
    items = []
    for r in rows:
        audit.record_read(actor=request.user, obj=r, person_id=r.person_id, domain=DOMAIN)
        items.append(_result(r))
    return ResultPage(items=items, count=count)


def _result(r: ScreeningResult) -> ResultOut:
    return ResultOut(id=r.pk, round=r.round_id, person=r.person_id, person_name=r.person.name, unit_name=r.unit.name,
                     tier=r.tier, safety=r.safety, reasons=list(r.reasons), scores=dict(r.scores))


@router.get("/alerts", response={200: AlertPage, **ERRORS}, summary="危机预警")
def psych_alert_list(request: HttpRequest, paging: Query[Paging], status: str = "active") -> AlertPage:
    require_perm(request.user, "health.view_alert", domain=DOMAIN)
    rows, count = _page(selectors.alert_list(actor=request.user, status=status), paging)
    return AlertPage(items=[AlertOut.of(a) for a in rows], count=count)


@router.get("/alerts/{int:alert_id}", response={200: AlertOut, **ERRORS}, summary="一条危机预警")
def psych_alert_detail(request: HttpRequest, alert_id: int) -> AlertOut:
    alert = selectors.access_alert(request.user, alert_id)
    audit.record_read(actor=request.user, obj=alert, person_id=alert.person_id, domain=DOMAIN)
    return AlertOut.of(alert)


@router.post("/alerts/{int:alert_id}/acknowledge", response={200: AlertOut, **ERRORS}, summary="确认预警")
def psych_alert_acknowledge(request: HttpRequest, alert_id: int) -> AlertOut:
    alert = selectors.access_alert(request.user, alert_id)
    return AlertOut.of(crisis.alert_acknowledge(actor=request.user, alert=alert))


@router.get("/me", response={200: MeOut, **ERRORS}, summary="我的心理筛查与咨询预约")
def psych_me(request: HttpRequest) -> MeOut:
    require_perm(request.user, "health.take_screening")
    rounds = [MyRoundOut(round=m.round.pk, title=m.round.title, consented=m.consented, answered=m.answered,
                         total=m.total, tier=m.result.tier if m.result and m.done else None)
              for m in selectors.my_rounds(actor=request.user)]
    sessions = [MySessionOut(id=s.pk, starts_at=s.starts_at, counsellor=s.counsellor.name, mode=s.mode, status=s.status)
                for s in selectors.my_sessions(actor=request.user)[:50]]
    return MeOut(rounds=rounds, sessions=sessions)
