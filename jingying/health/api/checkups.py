"""API of annual checkups: plans, records with findings (health domain: scoped, reads audited),
follow-ups (with the one-step referral), k-safe statistics, and the officer's own health data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from jingying.care.models import GreenChannelService, PartnerHospital
from jingying.core.scoping import covers, grant_roots, has_perm, require_perm
from jingying.core.views_sheets import IMPORT_RESPONSES, api_import
from jingying.health.checkup_codes import BY_CODE
from jingying.health.import_plans import import_spec
from jingying.health.models import CheckupPlan, CheckupRecord, FollowUp
from jingying.health.selectors import checkups as selectors
from jingying.health.services import checkups as services
from jingying.org.models import Unit
from jingying.org.schemas import ErrorOut

router = Router(tags=["health"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MAX_LIMIT = 200
MAX_ID = 2**63 - 1


class Paging(Schema):
    limit: int = Field(50, ge=1, description=f"每页条数，最多 {MAX_LIMIT}")
    offset: int = Field(0, ge=0, le=10**9)


def _page(qs: Any, paging: Paging) -> tuple[list[Any], int]:
    limit = min(paging.limit, MAX_LIMIT)
    return list(qs[paging.offset: paging.offset + limit]), qs.count()


class PlanOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    year: int
    hospital_id: int | None
    hospital_name: str
    start_date: dt.date
    end_date: dt.date
    due: int | None = Field(description="应检人数；无健康数据域授权且少于 k 人时为 null")
    done: int | None

    @staticmethod
    def build(p: CheckupPlan, *, exact: bool = True) -> PlanOut:
        due, done = getattr(p, "due", 0), getattr(p, "done", 0)
        if not exact and due < settings.JINGYING_K_ANONYMITY:
            due = done = None
        return PlanOut(id=p.pk, unit_id=p.unit_id, unit_name=p.unit.name, year=p.year, hospital_id=p.hospital_id,
                       hospital_name=p.hospital.name if p.hospital else "", start_date=p.start_date,
                       end_date=p.end_date, due=due, done=done)


class PlanPage(Schema):
    items: list[PlanOut]
    count: int


class FindingOut(Schema):
    code: str
    name: str
    detail: str
    explanation: str


class RecordOut(Schema):
    id: int
    plan_id: int
    year: int
    person_id: int
    person_name: str
    unit_name: str
    status: str
    status_label: str
    booked_on: dt.date | None
    done_on: dt.date | None
    conclusion: str
    findings: list[FindingOut]

    @staticmethod
    def build(r: CheckupRecord) -> RecordOut:
        return RecordOut(
            id=r.pk, plan_id=r.plan_id, year=r.plan.year, person_id=r.person_id, person_name=r.person.name,
            unit_name=r.person.unit.name, status=r.status, status_label=r.get_status_display(), booked_on=r.booked_on,
            done_on=r.done_on, conclusion=r.conclusion,
            findings=[FindingOut(code=f.code, name=str(BY_CODE[f.code].name), detail=f.detail,
                                 explanation=str(BY_CODE[f.code].explanation)) for f in r.findings.all()])


class RecordPage(Schema):
    items: list[RecordOut]
    count: int


class ResultIn(Schema):
    done_on: dt.date
    conclusion: str = Field(..., max_length=2000)
    findings: list[str] = Field(default_factory=list, description="异常项代码，如 HTN、DM")


class FollowUpOut(Schema):
    id: int
    person_id: int
    person_name: str
    record_id: int
    code: str
    name: str
    action: str
    action_label: str
    due_date: dt.date
    status: str
    status_label: str
    note: str
    referral_id: int | None

    @staticmethod
    def build(f: FollowUp) -> FollowUpOut:
        return FollowUpOut(id=f.pk, person_id=f.person_id, person_name=f.person.name, record_id=f.record_id,
                           code=f.code, name=f.get_code_display(), action=f.action,
                           action_label=f.get_action_display(), due_date=f.due_date, status=f.status,
                           status_label=f.get_status_display(), note=f.note, referral_id=f.referral_id)


class FollowUpPage(Schema):
    items: list[FollowUpOut]
    count: int


class FollowUpPatch(Schema):
    status: str
    note: str = ""
    due_date: dt.date | None = None


class ReferIn(Schema):
    hospital_id: int = Field(..., ge=1, le=MAX_ID)
    service_id: int | None = Field(None, ge=1, le=MAX_ID)
    reason: str = ""


class StatsRowOut(Schema):
    unit_id: int | None
    label: str
    due: int | None = Field(description="人数少于 k 时为 null（含互补隐藏）")
    done: int | None
    rate: float | None
    prevalence: dict[str, float | None]


class StatsOut(Schema):
    unit_id: int
    year: int
    k: int
    exact: bool
    total: StatsRowOut
    rows: list[StatsRowOut]


class MyReferralOut(Schema):
    id: int
    hospital_name: str
    referred_on: dt.date
    status: str
    status_label: str
    outcome: str


class MeOut(Schema):
    checkups: list[RecordOut]
    followups: list[FollowUpOut]
    referrals: list[MyReferralOut]


class PlanFilters(Schema):
    year: int | None = Field(None, ge=1900, le=3000)


class RecordFilters(Schema):
    plan: int | None = Field(None, ge=1, le=MAX_ID)
    year: int | None = Field(None, ge=1900, le=3000)
    status: str | None = None
    finding: str | None = None
    q: str | None = None


class FollowUpFilters(Schema):
    status: str = "open"
    overdue: bool = False
    code: str | None = None


class StatsQuery(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_ID)
    year: int = Field(..., ge=1900, le=3000)


@router.get("/plans", response={200: PlanPage, **ERRORS}, summary="体检计划列表")
def checkup_plan_list(request: HttpRequest, filters: Query[PlanFilters], paging: Query[Paging]) -> PlanPage:
    require_perm(request.user, "health.view_checkup_plan")
    rows, count = _page(selectors.checkup_plan_list(actor=request.user, filters=filters.dict()), paging)
    exact = has_perm(request.user, "health.view_checkup", domain="health")
    return PlanPage(items=[PlanOut.build(p, exact=exact) for p in rows], count=count)


@router.post("/plans/import", response={**ERRORS, **IMPORT_RESPONSES}, summary="导入体检计划和名单（与导出格式相同；dry_run 只校验）")
def checkup_plan_import(request: HttpRequest, file: UploadedFile | None = File(None),  # noqa: B008 - ninja parameters
                        dry_run: bool = Form(False)) -> Status[Any]:
    """multipart/form-data: `file` (.xlsx in the plans export's layout) and `dry_run`. 400: the
    file cannot be used (not .xlsx, empty, wrong sheets or headers); 422: rows have errors
    (nothing written); 200: written, or with `dry_run` the check's result (errors listed)."""
    require_perm(request.user, "health.manage_checkup_plan", domain="health")
    status, body = api_import(request, import_spec(), file, dry_run=dry_run)
    return Status(status, body)


@router.get("/plans/{int:plan_id}", response={200: PlanOut, **ERRORS}, summary="体检计划详情")
def checkup_plan_detail(request: HttpRequest, plan_id: int) -> PlanOut:
    plan = selectors.access_checkup_plan(request.user, plan_id)
    counts = selectors.plan_counts(plan)
    plan.due, plan.done = counts["total"], counts["done"]  # type: ignore[attr-defined]
    return PlanOut.build(plan, exact=covers(request.user, "health.view_checkup", plan.unit.path, domain="health"))


@router.get("/records", response={200: RecordPage, **ERRORS}, summary="体检记录（健康数据域）")
def checkup_record_list(request: HttpRequest, filters: Query[RecordFilters], paging: Query[Paging]) -> RecordPage:
    require_perm(request.user, "health.view_checkup", domain="health")
    data = {k: v for k, v in filters.dict().items() if v}
    rows, count = _page(selectors.checkup_record_list(actor=request.user, filters=data), paging)
    return RecordPage(items=[RecordOut.build(r) for r in rows], count=count)


@router.get("/records/{int:record_id}", response={200: RecordOut, **ERRORS}, summary="体检记录详情（查看留痕）")
def checkup_record_detail(request: HttpRequest, record_id: int) -> RecordOut:
    return RecordOut.build(selectors.checkup_record_read(actor=request.user, pk=record_id))


@router.post("/records/{int:record_id}/result", response={200: RecordOut, **ERRORS}, summary="录入体检结果和异常项")
def checkup_record_result(request: HttpRequest, record_id: int, payload: ResultIn) -> RecordOut:
    actor = request.user
    with transaction.atomic():
        record = selectors.access_checkup_record(actor, record_id, perm="health.manage_checkup", for_write=True)
        services.checkup_record_result(actor=actor, record=record, done_on=payload.done_on,
                                       conclusion=payload.conclusion, findings=payload.findings)
    return RecordOut.build(selectors.access_checkup_record(actor, record_id))


@router.get("/followups", response={200: FollowUpPage, **ERRORS}, summary="体检随访")
def checkup_followup_list(request: HttpRequest, filters: Query[FollowUpFilters], paging: Query[Paging]) -> FollowUpPage:
    require_perm(request.user, "health.view_checkup", domain="health")
    rows, count = _page(selectors.followup_list(actor=request.user, filters=filters.dict()), paging)
    return FollowUpPage(items=[FollowUpOut.build(f) for f in rows], count=count)


@router.patch("/followups/{int:followup_id}", response={200: FollowUpOut, **ERRORS}, summary="更新随访")
def checkup_followup_update(request: HttpRequest, followup_id: int, payload: FollowUpPatch) -> FollowUpOut:
    actor = request.user
    with transaction.atomic():
        followup = selectors.access_followup(actor, followup_id, perm="health.manage_checkup", for_write=True)
        services.followup_update(actor=actor, followup=followup, status=payload.status, note=payload.note,
                                 due_date=payload.due_date)
    return FollowUpOut.build(followup)


@router.post("/followups/{int:followup_id}/refer", response={200: FollowUpOut, **ERRORS}, summary="通过绿色通道一键转介")
def checkup_followup_refer(request: HttpRequest, followup_id: int, payload: ReferIn) -> FollowUpOut:
    actor = request.user
    followup = selectors.access_followup(actor, followup_id, perm="health.manage_checkup")
    hospital = PartnerHospital.objects.filter(pk=payload.hospital_id).first()
    if hospital is None:
        raise ValidationError({"hospital_id": [_("找不到该医院")]})
    service = GreenChannelService.objects.filter(pk=payload.service_id).first() if payload.service_id else None
    services.followup_refer(actor=actor, followup=followup, hospital=hospital, service=service, reason=payload.reason)
    return FollowUpOut.build(followup)


@router.get("/stats", response={200: StatsOut, **ERRORS}, summary="体检完成率和异常检出率（k 匿名汇总）")
def checkup_stats(request: HttpRequest, query: Query[StatsQuery]) -> StatsOut:
    actor = request.user
    require_perm(actor, "health.view_checkup_stats")
    if query.unit is not None:
        unit = Unit.objects.filter(pk=query.unit).first()
        if unit is None or not covers(actor, "health.view_checkup_stats", unit.path):
            raise Http404
    else:
        roots = grant_roots(actor, "health.view_checkup_stats")
        if not roots:
            raise PermissionDenied("health.view_checkup_stats")
        unit = Unit.objects.get(pk=min(roots, key=lambda g: len(g.unit_path)).unit_id)
    stats = selectors.checkup_stats(actor=actor, unit=unit, year=query.year)

    def row(r: selectors.StatsRow) -> StatsRowOut:
        return StatsRowOut(unit_id=r.unit.pk if r.unit else None, label=r.label, due=r.due, done=r.done, rate=r.rate,
                           prevalence={c.code: p for c, p in zip(stats.codes, r.prevalence, strict=True)})

    total = row(stats.total)
    total.unit_id = unit.pk
    return StatsOut(unit_id=unit.pk, year=stats.year, k=stats.k, exact=stats.exact, total=total,
                    rows=[row(r) for r in stats.rows])


@router.get("/me", response={200: MeOut, **ERRORS}, summary="我的体检、随访和转介")
def health_me(request: HttpRequest) -> MeOut:
    from jingying.care.selectors.hospitals import my_referrals

    actor = request.user
    require_perm(actor, "health.view_own_health")
    person_id = getattr(actor, "person_id", None)
    checkups = [RecordOut.build(r) for r in selectors.my_checkups(person_id=person_id).select_related("person__unit")]
    followups = [FollowUpOut.build(f) for f in selectors.my_followups(person_id=person_id).select_related("person")]
    referrals = [MyReferralOut(id=r.pk, hospital_name=r.hospital.name, referred_on=r.referred_on, status=r.status,
                               status_label=r.get_status_display(), outcome=r.outcome)
                 for r in my_referrals(person_id=person_id)]
    return MeOut(checkups=checkups, followups=followups, referrals=referrals)
