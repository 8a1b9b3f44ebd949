"""JSON API for the analysis of results (issue 4 point 6), on the surveys router; every figure
k-suppressed as on the results page, scoped the same way (404 outside the caller's units).

- GET /surveys/campaigns/{id}/crosstab?question=CODE&by=category|age|level:N&unit=
- GET /surveys/campaigns/{id}/indices?unit=
- GET /surveys/campaigns/{id}/indices/{code}/trend?unit=
- GET /surveys/campaigns/{id}/themes?question=CODE&unit=
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema

from jingying.org import selectors as org_selectors
from jingying.surveys import analysis, selectors
from jingying.surveys.api import ERRORS, router
from jingying.surveys.models import Campaign


def _target(request: HttpRequest, campaign_id: int, unit: int | None) -> tuple[Campaign, Any]:
    actor = request.user
    campaign = selectors.access_campaign(actor, campaign_id, perm="surveys.view_results")
    if unit is not None:
        target = org_selectors.access_unit(actor, unit)
    else:
        tops = selectors.results_units(actor=actor, campaign=campaign)
        if not tops:
            raise Http404
        target = tops[0]
    return campaign, analysis.check_unit(actor, campaign, target)


class CellOut(Schema):
    count: int
    percent: int


class ColumnOut(Schema):
    key: str
    label: str
    shown: bool
    respondents: int | None
    # {row code ("" outside a matrix): {option value: {count, percent}}}; empty when suppressed
    cells: dict[str, dict[str, CellOut]]


class CrossTabOut(Schema):
    campaign: int
    unit: int
    question: str
    by: str
    k: int
    shown: bool
    respondents: int | None
    options: list[dict[str, str]]
    rows: list[dict[str, str]]
    total: ColumnOut | None
    columns: list[ColumnOut]


def _column(c: analysis.Column, tab: analysis.CrossTab) -> ColumnOut:
    cells: dict[str, dict[str, CellOut]] = {}
    for row, _label in tab.rows:
        for value, _olabel in tab.options:
            cell = c.cell(row, value)
            if cell is not None:
                cells.setdefault(row, {})[value] = CellOut(count=cell[0], percent=cell[1])
    return ColumnOut(key=c.key, label=c.label, shown=c.shown, respondents=c.respondents, cells=cells)


@router.get("/campaigns/{int:campaign_id}/crosstab", response={200: CrossTabOut, **ERRORS},
            summary="交叉分析（每组至少 k 人）")
def campaign_crosstab(request: HttpRequest, campaign_id: int, question: str, by: str = "category",
                      unit: int | None = None) -> CrossTabOut:
    campaign, target = _target(request, campaign_id, unit)
    q = analysis.campaign_question(campaign, question)
    tab = analysis.crosstab(actor=request.user, campaign=campaign, question=q, dimension=by, unit=target)
    return CrossTabOut(campaign=campaign.pk, unit=target.pk, question=q.code, by=by, k=tab.k, shown=tab.shown,
                       respondents=tab.respondents,
                       options=[{"value": v, "label": label} for v, label in tab.options],
                       rows=[{"code": code, "label": label} for code, label in tab.rows],
                       total=_column(tab.total, tab) if tab.total else None,
                       columns=[_column(c, tab) for c in tab.columns])


class IndexCellOut(Schema):
    unit: int | None
    unit_name: str
    shown: bool
    respondents: int | None
    value: float | None


class IndexOut(Schema):
    code: str
    name: str
    items: str
    shown: bool
    respondents: int | None
    value: float | None
    children: list[IndexCellOut]


class IndicesOut(Schema):
    campaign: int
    unit: int
    k: int
    indices: list[IndexOut]


def _f(value: Any) -> float | None:
    return float(value) if value is not None else None


@router.get("/campaigns/{int:campaign_id}/indices", response={200: IndicesOut, **ERRORS}, summary="指数（按单位）")
def campaign_indices(request: HttpRequest, campaign_id: int, unit: int | None = None) -> IndicesOut:
    campaign, target = _target(request, campaign_id, unit)
    out = []
    for r in analysis.campaign_indices(actor=request.user, campaign=campaign, unit=target):
        children = [IndexCellOut(unit=c.unit.pk if c.unit else None, unit_name=c.unit.name if c.unit else _("本级"),
                                 shown=c.shown, respondents=c.respondents, value=_f(c.value)) for c in r.children]
        out.append(IndexOut(code=r.code, name=r.name, items=r.items, shown=r.shown, respondents=r.respondents,
                            value=_f(r.value), children=children))
    return IndicesOut(campaign=campaign.pk, unit=target.pk, k=campaign.k_threshold, indices=out)


class TrendPointOut(Schema):
    campaign: int
    title: str
    opens_at: str
    shown: bool
    respondents: int | None
    value: float | None


class TrendOut(Schema):
    code: str
    name: str
    unit: int
    points: list[TrendPointOut]


@router.get("/campaigns/{int:campaign_id}/indices/{code}/trend", response={200: TrendOut, **ERRORS},
            summary="指数历次趋势（同一问卷）")
def campaign_index_trend(request: HttpRequest, campaign_id: int, code: str, unit: int | None = None) -> TrendOut:
    campaign, target = _target(request, campaign_id, unit)
    name, points = analysis.index_trend(actor=request.user, campaign=campaign, code=code, unit=target)
    return TrendOut(code=code, name=name, unit=target.pk, points=[
        TrendPointOut(campaign=p.campaign.pk, title=p.campaign.title, opens_at=p.campaign.opens_at.isoformat(),
                      shown=p.shown, respondents=p.respondents, value=_f(p.value)) for p in points])


class ThemeOut(Schema):
    label: str
    words: list[str]
    count: int
    examples: list[str]


class ThemesOut(Schema):
    campaign: int
    unit: int
    question: str
    k: int
    shown: bool
    respondents: int | None
    themes: list[ThemeOut]
    other: int | None


@router.get("/campaigns/{int:campaign_id}/themes", response={200: ThemesOut, **ERRORS}, summary="文字回答主题")
def campaign_themes(request: HttpRequest, campaign_id: int, question: str, unit: int | None = None) -> ThemesOut:
    campaign, target = _target(request, campaign_id, unit)
    q = analysis.campaign_question(campaign, question)
    r = analysis.campaign_themes(actor=request.user, campaign=campaign, question=q, unit=target)
    return ThemesOut(campaign=campaign.pk, unit=target.pk, question=q.code, k=campaign.k_threshold, shown=r.shown,
                     respondents=r.respondents, other=r.other,
                     themes=[ThemeOut(label=t.label, words=t.words, count=t.count, examples=t.examples)
                             for t in r.themes])
