"""JSON API of the six guarantees scorecard."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from jingying.care.api.fund import ERRORS
from jingying.care.selectors import scorecard as selectors
from jingying.care.services import scorecard as services
from jingying.core.scoping import access, grant_roots, require_perm
from jingying.org.models import Unit

router = Router(tags=["care: scorecard"])


class CellOut(Schema):
    guarantee: str
    value: Decimal | None
    source: str
    note: str
    detail: str


class RowOut(Schema):
    unit_id: int
    unit: str
    headcount: int
    overall: Decimal | None
    cells: list[CellOut]


class ScorecardOut(Schema):
    year: int
    rows: list[RowOut]


class EntryIn(Schema):
    unit_id: int = Field(..., ge=1, le=2**63 - 1)
    year: int = Field(..., ge=2000, le=2100)
    guarantee: str
    score: Decimal
    note: str = Field(..., max_length=300)


class EntryOut(Schema):
    id: int
    unit_id: int
    year: int
    guarantee: str
    score: Decimal
    note: str


@router.get("", response={200: ScorecardOut, **ERRORS}, summary="六个保障评分（单位及直属下级）")
def scorecard_get(request: HttpRequest, unit: int | None = None, year: int | None = None) -> ScorecardOut:
    actor = request.user
    require_perm(actor, "care.view_scorecard")
    if unit is not None:
        root = access(Unit.objects.all(), actor, "care.view_scorecard", unit)
    else:
        root = Unit.objects.get(path=sorted(g.unit_path for g in grant_roots(actor, "care.view_scorecard"))[0])
    year = year or timezone.localdate().year
    rows = selectors.scorecard(actor=actor, root=root, year=year)
    return ScorecardOut(year=year, rows=[
        RowOut(unit_id=r.unit.pk, unit=r.unit.name, headcount=r.headcount, overall=r.overall,
               cells=[CellOut(guarantee=c.guarantee, value=c.value, source=c.source, note=c.note, detail=c.detail)
                      for c in r.cells]) for r in rows])


@router.post("/entries", response={200: EntryOut, **ERRORS}, summary="录入评分")
def scorecard_entry_put(request: HttpRequest, payload: EntryIn) -> EntryOut:
    require_perm(request.user, "care.manage_scorecard")
    unit = access(Unit.objects.all(), request.user, "care.manage_scorecard", payload.unit_id)
    e = services.scorecard_enter(actor=request.user, unit=unit, year=payload.year, guarantee=payload.guarantee,
                                 score=payload.score, note=payload.note)
    return EntryOut(id=e.pk, unit_id=e.unit_id, year=e.year, guarantee=e.guarantee, score=e.score, note=e.note)
