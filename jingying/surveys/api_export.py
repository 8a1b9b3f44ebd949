"""JSON API of the background results export, on the surveys router (same rules as the screen):

- POST /surveys/campaigns/{id}/exports?unit=   start building the workbook → 202 {id, status, …};
  404 without surveys.export_results over the unit, 422 while the results are not shown (k)
- GET  /surveys/exports/{job}                  status, progress, message; `download` when done
- GET  /surveys/exports/{job}/download         the .xlsx (permission re-checked, audited); 404
  for anyone but the requester, after expiry, or once the requester lost the permission
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from ninja import Schema, Status

from jingying.core.scoping import require_perm
from jingying.org import selectors as org_selectors
from jingying.surveys import selectors, services_export
from jingying.surveys.api import ERRORS, router
from jingying.surveys.models import ResultsExport


class ExportOut(Schema):
    id: uuid.UUID
    campaign: int
    unit: int
    status: str
    progress_done: int
    progress_total: int
    message: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    expires_at: dt.datetime
    download: str | None

    @classmethod
    def of(cls, job: ResultsExport) -> ExportOut:
        done = job.status == ResultsExport.Status.DONE
        return cls(id=job.pk, campaign=job.campaign_id, unit=job.unit_id, status=job.status,
                   progress_done=job.progress_done, progress_total=job.progress_total, message=job.message,
                   created_at=job.created_at, finished_at=job.finished_at, expires_at=job.expires_at,
                   download=reverse("api:results_export_download", kwargs={"job_id": job.pk}) if done else None)


def _job(request: HttpRequest, job_id: uuid.UUID) -> ResultsExport:
    job = (ResultsExport.objects.select_related("campaign__unit", "unit")
           .filter(pk=job_id, created_by_id=getattr(request.user, "pk", None)).first())
    if job is None:
        raise Http404
    return job


@router.post("/campaigns/{int:campaign_id}/exports", response={202: ExportOut, **ERRORS},
             summary="导出结果 Excel（后台生成）")
def results_export_start(request: HttpRequest, campaign_id: int, unit: int | None = None) -> Status[ExportOut]:
    actor = request.user
    require_perm(actor, "surveys.export_results")
    campaign = selectors.access_campaign(actor, campaign_id, perm="surveys.view_results")
    if unit is not None:
        target: Any = org_selectors.access_unit(actor, unit)
    else:
        tops = selectors.results_units(actor=actor, campaign=campaign, perm="surveys.export_results")
        if not tops:
            raise Http404
        target = tops[0]
    job = services_export.results_export_request(actor=actor, campaign=campaign, unit=target,
                                                 language=get_language())
    return Status(202, ExportOut.of(job))


@router.get("/exports/{uuid:job_id}", response={200: ExportOut, **ERRORS}, summary="导出任务状态")
def results_export_status(request: HttpRequest, job_id: uuid.UUID) -> ExportOut:
    return ExportOut.of(_job(request, job_id))


@router.get("/exports/{uuid:job_id}/download", response={200: None, **ERRORS}, summary="下载导出的 Excel")
def results_export_download(request: HttpRequest, job_id: uuid.UUID) -> FileResponse:
    job = _job(request, job_id)
    path = services_export.results_export_open(actor=request.user, job=job)
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.file_name,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
