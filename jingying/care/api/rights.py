"""JSON API for rights-protection cases: the same selectors and services as the screens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from jingying.care.api.support_common import ERRORS, Paging, check_filters, filters_of, page, unit_ref
from jingying.care.models.rights import RightsCase, RightsEvidence
from jingying.care.selectors import rights as selectors
from jingying.care.services import rights as services
from jingying.care.services.support_common import people_by_refs
from jingying.care.views.rights import evidence_file_response
from jingying.core.scoping import require_perm

router = Router(tags=["care: rights"])


class VictimOut(Schema):
    id: int
    person_id: int
    name: str
    unit: str
    offer_at: dt.datetime | None
    offer_answer: str


class ActionOut(Schema):
    id: int
    kind: str
    date: dt.date
    handled_by: str
    result: str


class EvidenceOut(Schema):
    id: int
    file_name: str
    content_type: str
    size: int
    sha256: str
    description: str
    uploaded_at: dt.datetime
    uploaded_by: str


class CaseOut(Schema):
    id: int
    unit: str
    unit_code: str
    incident_kind: str
    incident_date: dt.date
    place: str
    description: str
    status: str
    outcome: str
    closed_on: dt.date | None
    officers: list[VictimOut]

    @staticmethod
    def of(case: RightsCase) -> CaseOut:
        return CaseOut(id=case.pk, unit=case.unit.name, unit_code=case.unit.code, incident_kind=case.incident_kind,
                       incident_date=case.incident_date, place=case.place, description=case.description,
                       status=case.status, outcome=case.outcome, closed_on=case.closed_on,
                       officers=[VictimOut(id=v.pk, person_id=v.person_id, name=v.person.name, unit=v.person.unit.name,
                                           offer_at=v.offer_at, offer_answer=v.offer_answer)
                                 for v in case.victims.all()])


def _evidence_out(e: RightsEvidence) -> EvidenceOut:
    return EvidenceOut(id=e.pk, file_name=e.file_name, content_type=e.content_type, size=e.size, sha256=e.sha256,
                       description=e.description, uploaded_at=e.uploaded_at,
                       uploaded_by=e.uploaded_by.username if e.uploaded_by else "")


class CaseDetailOut(CaseOut):
    actions: list[ActionOut]
    evidence: list[EvidenceOut]


class CasePage(Schema):
    items: list[CaseOut]
    count: int


class CaseFilters(Schema):
    unit: str | None = None
    status: str | None = None
    incident_kind: str | None = None
    year: int | None = None
    q: str | None = None


class CaseIn(Schema):
    unit: str
    officers: list[str]
    incident_kind: str
    incident_date: dt.date
    place: str
    description: str


class CasePatch(Schema):
    unit: str | None = None
    officers: list[str] | None = None
    incident_kind: str | None = None
    incident_date: dt.date | None = None
    place: str | None = None
    description: str | None = None


class AdvanceIn(Schema):
    status: str
    outcome: str = ""


class ActionIn(Schema):
    kind: str
    date: dt.date
    handled_by: str
    result: str = ""


class AnswerIn(Schema):
    answer: str


def _detail(actor: Any, pk: int) -> CaseDetailOut:
    case = selectors.access_rights_case(actor, pk)
    base = CaseOut.of(case).dict()
    return CaseDetailOut(**base,
                         actions=[ActionOut(id=a.pk, kind=a.kind, date=a.date, handled_by=a.handled_by, result=a.result)
                                  for a in selectors.rights_case_actions(case)],
                         evidence=[_evidence_out(e) for e in selectors.rights_case_evidence(case)])


def _writable(actor: Any, pk: int) -> RightsCase:
    selectors.access_rights_case(actor, pk)  # 404 when the caller cannot see it at all
    try:
        return selectors.access_rights_case(actor, pk, perm="care.change_rightscase", for_write=True)
    except Http404:
        raise PermissionDenied from None  # visible (their own case) but not theirs to manage


@router.get("/cases", response={200: CasePage, **ERRORS}, summary="维权案件列表")
def rights_case_list(request: HttpRequest, filters: Query[CaseFilters], paging: Query[Paging]) -> CasePage:
    require_perm(request.user, "care.view_rightscase")
    qs, filterset = selectors.rights_case_list(actor=request.user, filters=filters_of(filters))
    check_filters(filterset)
    rows, count = page(qs, paging)
    return CasePage(items=[CaseOut.of(c) for c in rows], count=count)


@router.get("/cases/{int:case_id}", response={200: CaseDetailOut, **ERRORS}, summary="维权案件详情")
def rights_case_detail(request: HttpRequest, case_id: int) -> CaseDetailOut:
    return _detail(request.user, case_id)


@router.post("/cases", response={201: CaseDetailOut, **ERRORS}, summary="登记维权案件（自动提供心理支持）")
def rights_case_create(request: HttpRequest, payload: CaseIn) -> Status[CaseDetailOut]:
    actor = request.user
    require_perm(actor, "care.add_rightscase")
    data = payload.dict()
    unit = unit_ref(actor, data.pop("unit"), "care.add_rightscase")
    officers = people_by_refs(actor, data.pop("officers"))
    case = services.rights_case_create(actor=actor, unit=unit, officers=officers, **data)
    return Status(201, _detail(actor, case.pk))


@router.patch("/cases/{int:case_id}", response={200: CaseDetailOut, **ERRORS}, summary="修改维权案件")
def rights_case_update(request: HttpRequest, case_id: int, payload: CasePatch) -> CaseDetailOut:
    actor = request.user
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if "unit" in changes:
        changes["unit"] = unit_ref(actor, changes["unit"], "care.change_rightscase")
    officers = people_by_refs(actor, changes.pop("officers")) if "officers" in changes else None
    with transaction.atomic():
        case = _writable(actor, case_id)
        services.rights_case_update(actor=actor, case=case, officers=officers, **changes)
    return _detail(actor, case_id)


@router.post("/cases/{int:case_id}/advance", response={200: CaseDetailOut, **ERRORS}, summary="推进案件状态")
def rights_case_advance(request: HttpRequest, case_id: int, payload: AdvanceIn) -> CaseDetailOut:
    actor = request.user
    with transaction.atomic():
        case = _writable(actor, case_id)
        services.rights_case_advance(actor=actor, case=case, status=payload.status, outcome=payload.outcome)
    return _detail(actor, case_id)


@router.post("/cases/{int:case_id}/actions", response={201: CaseDetailOut, **ERRORS}, summary="记录维权措施")
def rights_case_add_action(request: HttpRequest, case_id: int, payload: ActionIn) -> Status[CaseDetailOut]:
    actor = request.user
    with transaction.atomic():
        case = _writable(actor, case_id)
        services.rights_action_add(actor=actor, case=case, **payload.dict())
    return Status(201, _detail(actor, case_id))


@router.post("/officers/{int:victim_id}/answer", response={200: VictimOut, **ERRORS}, summary="答复心理支持")
def rights_offer_respond(request: HttpRequest, victim_id: int, payload: AnswerIn) -> VictimOut:
    actor = request.user
    try:
        victim = selectors.access_rights_victim(actor, victim_id, perm="care.respond_rightscase")
    except Http404:
        victim = selectors.access_rights_victim(actor, victim_id, perm="care.change_rightscase")
    victim = services.rights_offer_answer(actor=actor, victim=victim, answer=payload.answer)
    return VictimOut(id=victim.pk, person_id=victim.person_id, name=victim.person.name, unit=victim.person.unit.name,
                     offer_at=victim.offer_at, offer_answer=victim.offer_answer)


@router.post("/cases/{int:case_id}/evidence", response={201: EvidenceOut, **ERRORS},
             summary="上传证据（multipart：file、description；类型与大小受限）")
def rights_case_add_evidence(request: HttpRequest, case_id: int,
                             file: UploadedFile | None = File(None),  # noqa: B008 - ninja declares parameters so
                             description: str = Form("")) -> Status[EvidenceOut]:
    actor = request.user
    with transaction.atomic():
        case = _writable(actor, case_id)  # the permission first: no file is no reason to learn more
        if file is None:
            from django.core.exceptions import ValidationError
            from django.utils.translation import gettext as _

            raise ValidationError({"file": [_("请选择要上传的文件")]})
        e = services.rights_evidence_add(actor=actor, case=case, upload=file, description=description)
    return Status(201, _evidence_out(e))


@router.get("/cases/{int:case_id}/evidence", response={200: list[EvidenceOut], **ERRORS}, summary="案件的证据列表")
def rights_case_evidence_list(request: HttpRequest, case_id: int) -> list[EvidenceOut]:
    case = selectors.access_rights_case(request.user, case_id)
    return [_evidence_out(e) for e in selectors.rights_case_evidence(case)]


@router.get("/evidence/{int:evidence_id}", response={200: None, **ERRORS},
            summary="下载证据文件（原文件名；每次下载记入审计日志）")
def rights_evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    return evidence_file_response(selectors.rights_evidence_download(actor=request.user, pk=evidence_id))


@router.delete("/evidence/{int:evidence_id}", response={204: None, **ERRORS}, summary="删除证据（案件已结案则不可删除）")
def rights_evidence_delete(request: HttpRequest, evidence_id: int) -> Status[None]:
    actor = request.user
    evidence = selectors.access_rights_evidence(actor, evidence_id)  # 404 when the caller cannot see it at all
    with transaction.atomic():
        # 403 when visible (their own case) but not theirs to manage; the locked case decides "closed".
        evidence.case = _writable(actor, evidence.case_id)
        services.rights_evidence_delete(actor=actor, evidence=evidence)
    return Status(204, None)
