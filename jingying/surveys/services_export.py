"""Writes of the background results export: ask for a workbook, run it, hand it out, clean up.

The flow (docs/surveys.md "导出"): `results_export_request` checks the permission and that the
results are shown (k), stores a ResultsExport row and enqueues the task; the task runs the
synchronous `export.campaign_workbook` as the requester (grants read afresh) and stores the file
under the data directory; `results_export_open` re-checks the permission at download time and
audits the download; `results_exports_cleanup` (a periodic job) removes expired files and rows.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.core import audit
from jingying.surveys import export
from jingying.surveys.models import Campaign, ResultsExport

logger = logging.getLogger(__name__)
# A job still unfinished after this long is presumed lost with its worker: asking again starts a
# new one instead of handing back the stuck one.
REUSE_RUNNING = dt.timedelta(minutes=15)


def retention() -> dt.timedelta:
    """How long a generated workbook is kept for download (JINGYING_SURVEY_EXPORT_HOURS, default 24)."""
    return dt.timedelta(hours=int(getattr(settings, "JINGYING_SURVEY_EXPORT_HOURS", 24)))


def file_name(job: ResultsExport) -> str:
    return f"campaign-{job.campaign_id}-{job.unit.code}.xlsx"


@transaction.atomic
def results_export_request(*, actor: Any, campaign: Campaign, unit: Any, language: str | None = None) -> ResultsExport:
    """Start building `unit`'s results workbook for `actor`. 404 without the permission over the
    unit; a ValidationError when the results are not shown yet. A running export of the same
    unit by the same person (started in the last REUSE_RUNNING) is reused, so a double click does
    not build two."""
    from jingying.surveys.tasks import results_export_run

    if not unit.path.startswith(campaign.unit.path) or not _covers(actor, unit):
        raise Http404
    export.check_export(actor=actor, campaign=campaign, unit=unit)
    running = (ResultsExport.objects.filter(created_by=actor, campaign=campaign, unit=unit,
                                            status__in=[ResultsExport.Status.PENDING, ResultsExport.Status.RUNNING],
                                            created_at__gte=timezone.now() - REUSE_RUNNING)
               .first())
    if running is not None:
        return running
    job = ResultsExport.objects.create(campaign=campaign, unit=unit, created_by=actor,
                                       expires_at=timezone.now() + retention())
    audit.record(actor=actor, action="surveys.results_export.create", obj=job,
                 after={"campaign": campaign.pk, "unit": unit.pk})
    # The database backend stores the task in this same transaction, so the worker sees the job
    # row and the task together (as the roster import does).
    results_export_run.enqueue(str(job.pk), language)
    job.refresh_from_db()  # an immediate backend (tests, JINGYING_TASKS_IMMEDIATE) has finished it
    return job


def _covers(actor: Any, unit: Any) -> bool:
    from jingying.core.scoping import covers

    return covers(actor, "surveys.export_results", unit.path)


def _progress(job_id: Any) -> export.Progress:
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and done < total:
            return
        last[0] = now
        ResultsExport.objects.filter(pk=job_id).update(progress_done=done, progress_total=total)

    return report


def results_export_build(*, job_id: str) -> ResultsExport:
    """The task's body: build the workbook as the requester and store it, or record why not."""
    job = ResultsExport.objects.select_related("created_by", "campaign__unit", "unit").get(pk=job_id)
    if job.status != ResultsExport.Status.PENDING:
        return job  # delivered twice by the queue: the first run did the work
    ResultsExport.objects.filter(pk=job.pk).update(status=ResultsExport.Status.RUNNING)
    try:
        data = export.campaign_workbook(actor=job.created_by, campaign=job.campaign, unit=job.unit,
                                        progress=_progress(job.pk))
    except Http404:
        job.status, job.message = ResultsExport.Status.FAILED, _("您已没有导出该单位结果的权限。")
    except ValidationError as exc:
        job.status, job.message = ResultsExport.Status.FAILED, " ".join(exc.messages)[:500]
    except Exception:  # a worker must record the failure rather than leave the page polling forever
        logger.exception("results export %s failed", job_id)
        job.status, job.message = ResultsExport.Status.FAILED, _("生成时发生内部错误，请稍后重试或联系系统管理员。")
    else:
        job.file_name = file_name(job)
        job.file.save(f"{job.pk}.xlsx", ContentFile(data), save=False)
        job.size = len(data)
        job.status = ResultsExport.Status.DONE
    job.finished_at = timezone.now()
    job.expires_at = job.finished_at + retention()
    # Not the progress columns: the reporter wrote them to the row while this copy was stale.
    job.save(update_fields=["status", "message", "file", "file_name", "size", "finished_at", "expires_at"])
    if job.status == ResultsExport.Status.DONE:
        ResultsExport.objects.filter(pk=job.pk).update(progress_done=F("progress_total"))
    job.refresh_from_db()
    return job


def results_export_open(*, actor: Any, job: ResultsExport) -> Path:
    """The file of a finished export, for its requester who may still export that unit (404
    otherwise: revoked grant, expired or removed file); the download is audited."""
    if job.created_by_id != getattr(actor, "pk", None) or job.status != ResultsExport.Status.DONE:
        raise Http404
    if job.expires_at <= timezone.now() or not job.file:
        raise Http404
    campaign = job.campaign
    if not job.unit.path.startswith(campaign.unit.path) or not _covers(actor, job.unit):
        raise Http404
    from jingying.surveys import selectors

    selectors.access_campaign(actor, campaign.pk, perm="surveys.view_results")
    path = Path(job.file.path)
    if not path.is_file():
        raise Http404
    audit.record(actor=actor, action="surveys.campaign.export", obj=campaign,
                 after={"unit": job.unit_id, "export": str(job.pk), "size": job.size})
    return path


EXPORT_DIR = "survey_exports"


def results_exports_cleanup(*, now: dt.datetime | None = None) -> int:
    """Remove expired exports (file and row); returns how many. A periodic job.

    Also sweeps files left without a row (a row removed with its campaign or its requester's
    account) once they are older than the retention time.
    """
    moment = now or timezone.now()
    removed = 0
    for job in ResultsExport.objects.filter(expires_at__lte=moment).iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        removed += 1
    folder = Path(settings.MEDIA_ROOT) / EXPORT_DIR
    if folder.is_dir():
        known = {str(pk) for pk in ResultsExport.objects.values_list("pk", flat=True)}
        oldest = (moment - retention()).timestamp()
        for path in folder.glob("*.xlsx"):
            if path.stem not in known and path.stat().st_mtime < oldest:
                path.unlink(missing_ok=True)
    return removed
