"""Retention of transient uploads: import workbooks are personal data (ID numbers), kept only as
long as the import needs them (等保 2.0 L3-CES1-32/33/34: residual information, minimal keeping).

Each model listed in settings.JINGYING_TRANSIENT_UPLOADS is an import job with `file`, `status`
(validating / importing while it runs), `created_at` and `finished_at`. Once a job has finished,
failed or been left unconfirmed for JINGYING_UPLOAD_RETENTION_DAYS days, its upload and any file
it left beside it (e.g. the roster error workbook) are deleted; the row stays with its summary,
`file` emptied (and `file_removed_at` set where the model has it). A job left awaiting
confirmation becomes "failed" with a message saying why, so it cannot be confirmed without its
file. A running job is never cleared. Every job cleared is audited as a system action.

A job still running long after it could have (its worker died) is first marked "failed" with
"处理中断，请重新上传" (audited as a system action, `core.upload.interrupted`); its file then
follows the period above, counted from that moment. "Long" is JINGYING_IMPORT_STALE_HOURS (default
6) after the upload for a job still validating; for one importing, whose confirm time the row does
not keep, the longest a job may wait for its confirm (the retention period, plus one run of this
job) is added, so a job confirmed late is never cut short.

Evidence files that are part of a record (care rights-case evidence) are not transient and are
not listed. Files in an upload directory that no row claims any more (the row was deleted, or a
deletion failed half-way) are removed after the same period. Screen uploads of the export-layout
imports still waiting for their confirm step (jingying.core.sheets.pending_dir) go after a day.

Runs as the periodic job `core.upload_retention` and as `jingying uploads purge [--days N]`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from jingying.core import audit
from jingying.core.scoping import SYSTEM
from jingying.core.sheets import pending_dir

log = logging.getLogger(__name__)

# Status values the import jobs share (org.RosterImport, health.CheckupImport).
BUSY = ("validating", "importing")
AWAITING_CONFIRMATION = "valid"
FAILED = "failed"


@dataclass
class PurgeResult:
    jobs: int = 0
    files: int = 0
    orphans: int = 0
    interrupted: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"jobs={self.jobs} files={self.files} orphans={self.orphans} interrupted={self.interrupted}"
        return text + (f" errors={len(self.errors)}" if self.errors else "")


# How often the periodic job runs (settings: core.upload_retention), the slack on a late confirm.
RUN_INTERVAL = dt.timedelta(hours=6)


def stale_limits(*, days: int) -> dict[str, dt.timedelta]:
    """How long after its upload a job may still be running, per running status."""
    hours = dt.timedelta(hours=max(1, int(getattr(settings, "JINGYING_IMPORT_STALE_HOURS", 6))))
    # An importing job was confirmed at most `days` (+ one run) after its upload: past that it
    # would have been failed as unconfirmed.
    return {"validating": hours, "importing": dt.timedelta(days=days) + RUN_INTERVAL + hours}


def _fail_stale(model: type[models.Model], *, now: dt.datetime, days: int) -> int:
    """Mark jobs whose worker died (still running past their limit) as failed; audited."""
    count = 0
    for status, limit in stale_limits(days=days).items():
        stale = model._default_manager.filter(status=status, created_at__lt=now - limit)
        for job in stale.iterator(chunk_size=200):
            with transaction.atomic():
                # Claimed only in the state it was read in: a worker that finishes meanwhile wins.
                claimed = model._default_manager.filter(pk=job.pk, status=status).update(
                    status=FAILED, message=_("处理中断，请重新上传"), finished_at=now)
                if not claimed:
                    continue
                audit.record(actor=SYSTEM, action="core.upload.interrupted", obj=job,
                             reason=_("导入任务超过 %(n)d 小时仍未结束") % {"n": limit // dt.timedelta(hours=1)},
                             before={"status": status}, after={"status": FAILED})
            count += 1
    return count


def _transient_models() -> list[tuple[type[models.Model], Callable[[Any], list[str]] | None]]:
    out = []
    for label, extra in settings.JINGYING_TRANSIENT_UPLOADS.items():
        model = apps.get_model(label)
        out.append((model, import_string(extra.replace(":", ".")) if extra else None))
    return out


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def _delete(path: str | Path, result: PurgeResult) -> None:
    try:
        Path(path).unlink(missing_ok=True)
    except OSError as exc:  # left for the orphan sweep next time
        log.warning("could not delete %s: %s", path, exc)
        result.errors.append(str(path))
    else:
        result.files += 1


def _purge_job(model: type[models.Model], job: Any, extra: Callable[[Any], list[str]] | None, *,
               now: dt.datetime, days: int, result: PurgeResult) -> None:
    paths = [job.file.path, *(extra(job) if extra else [])]
    changes: dict[str, Any] = {"file": ""}
    if _has_field(model, "file_removed_at"):
        changes["file_removed_at"] = now
    if job.status == AWAITING_CONFIRMATION:
        changes["status"] = FAILED
        changes["message"] = _("超过 %(n)d 天未确认导入，上传的文件已按保留期限删除；如需导入请重新上传。") % {"n": days}
    with transaction.atomic():
        # Claim it only in the state it was read in: a confirm clicked meanwhile (valid →
        # importing) wins, and this job is left for its next run.
        claimed = model._default_manager.filter(pk=job.pk, status=job.status).exclude(file="").update(**changes)
        if not claimed:
            return
        audit.record(actor=SYSTEM, action="core.upload.purge", obj=job, reason=_("上传文件保留期限 %(n)d 天") % {"n": days},
                     before={"file": job.file.name, "status": job.status},
                     after={"file": "", "status": changes.get("status", job.status),
                            "files": [Path(p).name for p in paths]})
    # Files go after the row says they are gone; one that cannot be deleted is an orphan for
    # the next run rather than a row pointing at nothing.
    for path in paths:
        if Path(path).exists():
            _delete(path, result)
    result.jobs += 1


def _upload_dir(model: type[models.Model]) -> Path:
    file_field = model._meta.get_field("file")
    assert isinstance(file_field, models.FileField)
    return Path(settings.MEDIA_ROOT) / Path(file_field.generate_filename(model(), "x.xlsx")).parent


def _sweep_orphans(model: type[models.Model], *, cutoff: dt.datetime, result: PurgeResult) -> list[str]:
    """Files older than the cutoff in the model's upload directory that no live row claims."""
    directory = _upload_dir(model)
    if not directory.is_dir():
        return []
    old = [p for p in directory.iterdir()
           if p.is_file() and dt.datetime.fromtimestamp(p.stat().st_mtime, tz=dt.UTC) < cutoff]
    if not old:
        return []
    keys = {p.name[:36] for p in old}
    # Rows that still hold their upload keep their files (a running job, or one within the period).
    holding = {str(pk) for pk in model._default_manager.filter(pk__in=_valid_uuids(keys)).exclude(file="")
               .values_list("pk", flat=True)}
    removed = []
    for p in old:
        if p.name[:36] not in holding:
            _delete(p, result)
            removed.append(p.name)
    result.orphans += len(removed)
    return removed


def _valid_uuids(keys: set[str]) -> list[str]:
    import uuid

    out = []
    for key in keys:
        try:
            out.append(str(uuid.UUID(key)))
        except ValueError:
            continue
    return out


def purge_transient_uploads(*, days: int | None = None, now: dt.datetime | None = None) -> PurgeResult:
    """Delete the uploads of import jobs finished more than `days` days ago (see the module)."""
    days = days or settings.JINGYING_UPLOAD_RETENTION_DAYS
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=days)
    result = PurgeResult()
    # Messages stored on the jobs are in the site's language; a worker has no request to ask.
    with translation.override(settings.LANGUAGE_CODE):
        for model, extra in _transient_models():
            result.interrupted += _fail_stale(model, now=now, days=days)
            due = (model._default_manager.exclude(file="").exclude(status__in=BUSY)
                   .filter(Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)))
            for job in due.iterator(chunk_size=200):
                _purge_job(model, job, extra, now=now, days=days, result=result)
            orphans = _sweep_orphans(model, cutoff=cutoff, result=result)
            if orphans:
                audit.record(actor=SYSTEM, action="core.upload.purge_orphans", object_type=model._meta.label_lower,
                             reason=_("上传文件保留期限 %(n)d 天") % {"n": days},
                             after={"files": orphans[:200], "count": len(orphans)})
        pending = _sweep_pending(cutoff=now - PENDING_MAX_AGE, result=result)
        if pending:
            audit.record(actor=SYSTEM, action="core.upload.purge_pending", object_type="core.sheet_import",
                         reason=_("未确认的导入文件保留期限 %(n)d 小时") % {"n": PENDING_MAX_AGE // dt.timedelta(hours=1)},
                         after={"files": pending[:200], "count": len(pending)})
    return result


# A screen import waits for its confirm step for minutes (the session itself idles out after
# 30); a file still pending after a day was abandoned.
PENDING_MAX_AGE = dt.timedelta(days=1)


def _sweep_pending(*, cutoff: dt.datetime, result: PurgeResult) -> list[str]:
    """Screen uploads that were never confirmed (jingying.core.views_sheets.pending_dir)."""
    directory = pending_dir()
    if not directory.is_dir():
        return []
    removed = []
    for p in directory.iterdir():
        if p.is_file() and dt.datetime.fromtimestamp(p.stat().st_mtime, tz=dt.UTC) < cutoff:
            _delete(p, result)
            removed.append(p.name)
    result.orphans += len(removed)
    return removed


def cli_purge(args: argparse.Namespace) -> int:
    """`jingying uploads purge [--days N]`."""
    from jingying.cli import migrate

    migrate()
    if args.days is not None and args.days < 1:
        print(_("--days 应为正整数"))
        return 2
    result = purge_transient_uploads(days=args.days)
    print(_("已清理 %(jobs)d 个导入任务的上传文件（共删除 %(files)d 个文件，其中无主文件 %(orphans)d 个）。")
          % {"jobs": result.jobs, "files": result.files, "orphans": result.orphans})
    for path in result.errors:
        print(_("无法删除：%(p)s") % {"p": path})
    return 1 if result.errors else 0
