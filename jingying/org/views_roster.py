"""Roster import/export screens: upload → validation report → confirm → done, export, template.

Thin views (style rule 5): the work is jingying.org.roster (through the tasks in
jingying.org.tasks for uploads); an import job is visible to its uploader only (anyone else
gets 404); bad uploads answer 400 with a message a clerk understands.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jingying.core.scoping import has_perm
from jingying.org import selectors
from jingying.org.models import RosterImport
from jingying.org.roster.exporter import export_roster, write_template
from jingying.org.tasks import error_workbook_path, roster_validate
from jingying.org.tasks import roster_import as roster_import_task

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_JOBS = 10


def _require(request: HttpRequest, perm: str) -> None:
    if not has_perm(request.user, perm):
        raise PermissionDenied(perm)


def _user(request: HttpRequest) -> Any:
    """The signed-in user (the login middleware guarantees one on every page here)."""
    return request.user


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("花名册文件（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_TYPE, "class": "form-control"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = settings.JINGYING_MAX_UPLOAD_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                _("文件太大（%(size).1f MB），上限为 %(limit)d MB。") % {"size": upload.size / 2**20, "limit": limit // 2**20}
            )
        name = upload.name or ""
        if not name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("只接受 .xlsx 文件；.xls、.csv 等请先在 Excel 中“另存为 Excel 工作簿（*.xlsx）”。")
            )
        # By content, not by name: an .xlsx is a zip holding xl/workbook.xml.
        upload.seek(0)
        head = upload.read(4)
        upload.seek(0)
        ok = head == b"PK\x03\x04"
        if ok:
            try:
                with zipfile.ZipFile(upload) as archive:
                    ok = "xl/workbook.xml" in archive.namelist()
            except (zipfile.BadZipFile, OSError):
                ok = False
            upload.seek(0)
        if not ok:
            raise forms.ValidationError(_("该文件不是有效的 Excel 工作簿（.xlsx），可能已损坏或只是改了扩展名。"))
        return upload


def _job_for(request: HttpRequest, pk: Any) -> RosterImport:
    """The user's own job, or 404 (another user's job is indistinguishable from none)."""
    return get_object_or_404(RosterImport, pk=pk, created_by=_user(request))


@require_http_methods(["GET", "POST"])
def roster_import(request: HttpRequest) -> HttpResponse:
    _require(request, "org.import_person")
    status = 200
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload: UploadedFile = form.cleaned_data["file"]
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            job = RosterImport(created_by=_user(request), file_name=Path(upload.name or "roster.xlsx").name[:255],
                               size=upload.size or 0, sha256=digest.hexdigest())
            job.file.save(f"{job.pk}.xlsx", upload, save=False)
            job.save()
            roster_validate.enqueue(str(job.pk), get_language())
            return redirect("org:roster_job", pk=job.pk)
        status = 400
    else:
        form = RosterUploadForm()
    jobs = RosterImport.objects.filter(created_by=_user(request))[:RECENT_JOBS]
    context = {
        "form": form, "jobs": jobs, "max_mb": settings.JINGYING_MAX_UPLOAD_BYTES // 2**20,
        "can_export": has_perm(request.user, "org.export_person"),
    }
    return render(request, "org/roster_import.html", context, status=status)


def roster_job(request: HttpRequest, pk: Any) -> HttpResponse:
    """The job page; while the job runs its status fragment polls itself (htmx)."""
    _require(request, "org.import_person")
    job = _job_for(request, pk)
    template = "org/partials/roster_job_status.html" if _is_htmx(request) else "org/roster_job.html"
    response = render(request, template, {"job": job})
    response["Vary"] = "HX-Request"
    return response


@require_POST
def roster_job_confirm(request: HttpRequest, pk: Any) -> HttpResponse:
    _require(request, "org.import_person")
    job = _job_for(request, pk)
    claimed = RosterImport.objects.filter(pk=job.pk, status=RosterImport.Status.VALID).update(
        status=RosterImport.Status.IMPORTING, progress_done=0, finished_at=None
    )
    if claimed:  # a double click or a second tab must not import twice
        roster_import_task.enqueue(str(job.pk), get_language())
    return redirect("org:roster_job", pk=job.pk)


def roster_job_errors(request: HttpRequest, pk: Any) -> HttpResponseBase:
    _require(request, "org.import_person")
    job = _job_for(request, pk)
    if job.file_removed_at is not None or not job.file:
        # Deleted with the upload after the retention period: say so on the job page.
        return redirect("org:roster_job", pk=job.pk)
    report = Path(error_workbook_path(job))
    if job.status != RosterImport.Status.INVALID or not report.is_file():
        raise Http404
    stem = Path(job.file_name).stem
    return FileResponse(report.open("rb"), as_attachment=True, filename=_("%(stem)s-错误报告.xlsx") % {"stem": stem}, content_type=XLSX_TYPE)


def roster_export(request: HttpRequest) -> HttpResponseBase:
    """The roster of everyone the user may export (optionally one unit's subtree, ?unit=ID).

    Personal data leaving the system needs a stated purpose (等保 audit: who, what and why), so
    the first visit asks for it and the download carries it into the audit entry.
    """
    _require(request, "org.export_person")
    unit = None
    unit_param = request.GET.get("unit", "").strip()
    if unit_param:
        if not unit_param.isdigit():
            raise Http404
        unit = selectors.access_unit(request.user, unit_param)  # out of scope: 404
    purpose = request.GET.get("purpose", "").strip()
    if not purpose:
        status = 400 if "purpose" in request.GET else 200
        return render(request, "org/roster_export.html", {"unit": unit, "asked": "purpose" in request.GET},
                      status=status)
    # Written to a temporary file (flat memory) and streamed from it; the file is gone once closed.
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    export_roster(spool, actor=request.user, unit=unit, purpose=purpose)
    spool.seek(0)
    label = unit.label if unit else _("花名册")
    filename = f"{label}-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def roster_template(request: HttpRequest) -> FileResponse:
    if not (has_perm(request.user, "org.import_person") or has_perm(request.user, "org.export_person")):
        raise PermissionDenied("org.import_person")
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_template(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=_("花名册模板.xlsx"), content_type=XLSX_TYPE)


urlpatterns = [
    path("roster/import/", roster_import, name="roster_import"),
    path("roster/import/<uuid:pk>/", roster_job, name="roster_job"),
    path("roster/import/<uuid:pk>/confirm/", roster_job_confirm, name="roster_job_confirm"),
    path("roster/import/<uuid:pk>/errors.xlsx", roster_job_errors, name="roster_job_errors"),
    path("roster/export/", roster_export, name="roster_export"),
    path("roster/template.xlsx", roster_template, name="roster_template"),
]
