"""Background steps of a checkup results import (like the roster import, jingying.org.tasks):
validate → the uploader reads the report and confirms → import. The task acts as the uploader,
whose grants are read afresh, so a grant revoked in between stops the import."""

from __future__ import annotations

import io
import logging

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from jingying.health.models import CheckupImport

logger = logging.getLogger(__name__)
SHOWN_UNMATCHED = 2000


def _run(job_id: str, *, confirm: bool) -> None:
    from jingying.health import checkup_import

    job = CheckupImport.objects.select_related("created_by", "plan__unit").get(pk=job_id)
    try:
        with job.file.open("rb") as handle:
            data = io.BytesIO(handle.read())
        if confirm:
            report = checkup_import.apply(actor=job.created_by, plan=job.plan, source=data, file_name=job.file_name)
        else:
            report = checkup_import.validate(job.plan, data)
    except Exception:  # record the failure rather than leave the page polling forever
        logger.exception("checkup import %s failed", job_id)
        job.status, job.message, job.finished_at = CheckupImport.Status.FAILED, _("处理时发生内部错误，请联系系统管理员。"), timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        return
    job.summary = report.summary()
    job.unmatched = [{"row": u.row, "id_number": u.id_number, "name": u.name, "message": u.message}
                     for u in report.unmatched[:SHOWN_UNMATCHED]]
    if not confirm:
        job.preview = [{"row": m.row, "name": m.name, "unit": m.unit, "done_on": m.done_on.isoformat(),
                        "findings": [str(checkup_import.BY_CODE[c].name) for c in m.codes]}
                       for m in report.matched[:checkup_import.PREVIEW_ROWS]]
    if report.error:
        job.status, job.message = CheckupImport.Status.INVALID, report.error
    elif not report.matched:
        job.status, job.message = CheckupImport.Status.INVALID, _("没有可以导入的行")
    else:
        job.status = CheckupImport.Status.DONE if confirm else CheckupImport.Status.VALID
    job.finished_at = timezone.now()
    job.save()


@task()
def checkup_import_validate(job_id: str, language: str | None = None) -> None:
    with translation.override(language or translation.get_language()):
        _run(job_id, confirm=False)


@task()
def checkup_import_run(job_id: str, language: str | None = None) -> None:
    with translation.override(language or translation.get_language()):
        _run(job_id, confirm=True)


@task()
def checkup_followup_reminders() -> dict[str, int]:
    """The daily reminders (jingying.health.services.checkups.followup_reminders)."""
    from jingying.health.services.checkups import followup_reminders

    return followup_reminders()
