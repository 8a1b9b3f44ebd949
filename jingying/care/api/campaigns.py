"""JSON API for care campaigns: list, detail with coverage, create, update, checklist and reach."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from jingying.care.api.support_common import ERRORS, Paging, check_filters, filters_of, page, unit_ref
from jingying.care.models.campaigns import CareCampaign
from jingying.care.selectors import campaigns as selectors
from jingying.care.services import campaigns as services
from jingying.care.services.support_common import IdRow
from jingying.core.scoping import require_perm
from jingying.org.idnumber import normalise

router = Router(tags=["care: campaigns"])


class CampaignOut(Schema):
    id: int
    name: str
    unit: str
    unit_code: str
    start: dt.date
    end: dt.date
    measures: list[str]
    category: str
    notes: str

    @staticmethod
    def of(c: CareCampaign) -> CampaignOut:
        return CampaignOut(id=c.pk, name=c.name, unit=c.unit.name, unit_code=c.unit.code, start=c.start, end=c.end,
                           measures=list(c.measures), category=c.category, notes=c.notes)


class ChecklistOut(Schema):
    id: int
    measure: str
    done: bool
    done_on: dt.date | None
    note: str


class CoverageOut(Schema):
    unit: str
    unit_code: str
    people: int
    reached: dict[str, int]
    checklist: list[ChecklistOut]


class CampaignDetailOut(CampaignOut):
    coverage: list[CoverageOut]
    total_people: int
    total_reached: dict[str, int]


class CampaignPage(Schema):
    items: list[CampaignOut]
    count: int


class CampaignFilters(Schema):
    unit: str | None = None
    year: int | None = None
    q: str | None = None


class CampaignIn(Schema):
    name: str
    unit: str
    start: dt.date
    end: dt.date
    units: list[str]
    measures: list[str] | None = None
    category: str = ""
    notes: str = ""


class CampaignPatch(Schema):
    name: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    units: list[str] | None = None
    measures: list[str] | None = None
    category: str | None = None
    notes: str | None = None


class ChecklistIn(Schema):
    done: bool
    done_on: dt.date | None = None
    note: str = ""


class ReachIn(Schema):
    measure: str
    unit: str | None = None
    id_numbers: list[str] | None = None
    day: dt.date | None = None


class ReachOut(Schema):
    added: int


def _detail(actor: Any, pk: int) -> CampaignDetailOut:
    campaign = selectors.access_care_campaign(actor, pk)
    units = selectors.campaign_units(actor, campaign)
    rows, total = selectors.campaign_coverage(campaign, units)
    checklist = selectors.campaign_checklist(units)
    coverage = [CoverageOut(unit=r.unit.name, unit_code=r.unit.code, people=r.people, reached=r.reached,
                            checklist=[ChecklistOut(id=i.pk, measure=i.measure, done=i.done, done_on=i.done_on, note=i.note)
                                       for i in checklist[cu.pk].values()])
                for r, cu in zip(rows, units, strict=True)]
    return CampaignDetailOut(**CampaignOut.of(campaign).dict(), coverage=coverage, total_people=total.people,
                             total_reached=total.reached)


@router.get("", response={200: CampaignPage, **ERRORS}, summary="从优待警活动列表")
def care_campaign_list(request: HttpRequest, filters: Query[CampaignFilters], paging: Query[Paging]) -> CampaignPage:
    require_perm(request.user, "care.view_carecampaign")
    qs, filterset = selectors.care_campaign_list(actor=request.user, filters=filters_of(filters))
    check_filters(filterset)
    rows, count = page(qs, paging)
    return CampaignPage(items=[CampaignOut.of(c) for c in rows], count=count)


@router.get("/{int:campaign_id}", response={200: CampaignDetailOut, **ERRORS}, summary="活动详情与覆盖情况")
def care_campaign_detail(request: HttpRequest, campaign_id: int) -> CampaignDetailOut:
    return _detail(request.user, campaign_id)


@router.post("", response={201: CampaignDetailOut, **ERRORS}, summary="新建活动")
def care_campaign_create(request: HttpRequest, payload: CampaignIn) -> Status[CampaignDetailOut]:
    actor = request.user
    require_perm(actor, "care.add_carecampaign")
    data = payload.dict()
    data["unit"] = unit_ref(actor, data["unit"], "care.add_carecampaign")
    data["units"] = [unit_ref(actor, u, "care.add_carecampaign", field="units") for u in data["units"]]
    campaign = services.care_campaign_create(actor=actor, **data)
    return Status(201, _detail(actor, campaign.pk))


@router.patch("/{int:campaign_id}", response={200: CampaignDetailOut, **ERRORS}, summary="修改活动")
def care_campaign_update(request: HttpRequest, campaign_id: int, payload: CampaignPatch) -> CampaignDetailOut:
    actor = request.user
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if "units" in changes:
        changes["units"] = [unit_ref(actor, u, "care.change_carecampaign", field="units") for u in changes["units"]]
    selectors.access_care_campaign(actor, campaign_id)
    with transaction.atomic():
        campaign = selectors.access_care_campaign(actor, campaign_id, perm="care.change_carecampaign", for_write=True)
        services.care_campaign_update(actor=actor, campaign=campaign, **changes)
    return _detail(actor, campaign_id)


@router.post("/checklist/{int:item_id}", response={200: ChecklistOut, **ERRORS}, summary="填报措施落实情况")
def care_campaign_checklist(request: HttpRequest, item_id: int, payload: ChecklistIn) -> ChecklistOut:
    item = selectors.access_checklist_item(request.user, item_id, perm="care.mark_carecampaign")
    item = services.campaign_checklist_mark(actor=request.user, item=item, **payload.dict())
    return ChecklistOut(id=item.pk, measure=item.measure, done=item.done, done_on=item.done_on, note=item.note)


@router.post("/{int:campaign_id}/reach", response={200: ReachOut, **ERRORS}, summary="登记措施覆盖人员（按单位或身份证号，全部成功或全部不登记）")
def care_campaign_reach(request: HttpRequest, campaign_id: int, payload: ReachIn) -> ReachOut:
    actor = request.user
    campaign = selectors.access_care_campaign(actor, campaign_id, perm="care.mark_carecampaign")
    if payload.unit:
        unit = unit_ref(actor, payload.unit, "care.mark_carecampaign")
        return ReachOut(added=services.campaign_reach_unit(actor=actor, campaign=campaign, measure=payload.measure,
                                                           unit=unit, day=payload.day))
    rows = [IdRow(i, normalise(v)) for i, v in enumerate(payload.id_numbers or [], start=1)]
    return ReachOut(added=services.campaign_reach_ids(actor=actor, campaign=campaign, measure=payload.measure,
                                                      rows=rows, day=payload.day))
