"""Background work for org: validating and importing roster workbooks uploaded through the web.

The view stores the upload as a RosterImport and enqueues one of these; the page polls the row's
progress. The task acts as the uploader (their grants are read afresh), so a grant revoked
between upload and confirm stops the import.
"""

from __future__ import annotations

import io
import logging
import time
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from jingying.org.models import RosterImport

logger = logging.getLogger(__name__)

SHOWN_ERRORS = 500  # kept on the job for the report page; the error workbook has all of them
SHOWN_CHANGES = 300


def error_workbook_path(job: RosterImport) -> str:
    from pathlib import Path

    return str(Path(job.file.path).with_name(f"{job.pk}-errors.xlsx"))


def job_extra_files(job: RosterImport) -> list[str]:
    """Files a job leaves next to its upload, for the retention job (jingying.core.retention)."""
    return [error_workbook_path(job)] if job.file else []


def _progress(job_id: Any) -> Any:
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.3 and done < total:
            return
        last[0] = now
        RosterImport.objects.filter(pk=job_id).update(progress_done=done, progress_total=total)

    return report


def _run(job_id: str, *, dry_run: bool) -> None:
    from jingying.org.roster.importer import import_roster
    from jingying.org.roster.report import write_error_workbook

    job = RosterImport.objects.select_related("created_by").get(pk=job_id)
    try:
        with job.file.open("rb") as handle:
            upload = io.BytesIO(handle.read())
        upload.name = job.file_name  # what the audit entry and the report call the file
        result = import_roster(upload, actor=job.created_by, dry_run=dry_run, progress=_progress(job.pk))
    except Exception:  # a worker must record the failure rather than leave the page polling forever
        logger.exception("roster import %s failed", job_id)
        job.status = RosterImport.Status.FAILED
        job.message = _("处理时发生内部错误，请联系系统管理员。")
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        return
    job.sha256 = result.sha256
    job.summary = result.summary()
    job.errors = [
        {"row": e.row, "column": e.column, "value": e.value, "message": e.message}
        for e in result.errors[:SHOWN_ERRORS]
    ]
    job.changes = [
        {"row": c.row, "person_id": c.person_id, "name": c.name, "fields": list(c.fields)}
        for c in result.changes[:SHOWN_CHANGES]
    ]
    if result.errors:
        write_error_workbook(result, error_workbook_path(job))
        job.status = RosterImport.Status.INVALID
    elif dry_run:
        job.status = RosterImport.Status.VALID
    else:
        job.status = RosterImport.Status.DONE
    job.progress_done = job.progress_total = max(1, result.rows)
    job.finished_at = timezone.now()
    job.save()


# `language`: the uploader's, so the messages stored on the job (errors, failure) are in the
# language of the screen that shows them; the worker itself has no request to take it from.
@task()
def roster_validate(job_id: str, language: str | None = None) -> None:
    """Dry run: the report the uploader confirms from."""
    with translation.override(language or translation.get_language()):
        _run(job_id, dry_run=True)


@task()
def roster_import(job_id: str, language: str | None = None) -> None:
    """The confirmed import (validated again inside the write transaction)."""
    with translation.override(language or translation.get_language()):
        _run(job_id, dry_run=False)
