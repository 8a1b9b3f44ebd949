"""The screen and the API answer of an export-layout import (jingying.core.sheets): upload →
every error with sheet/row/column, or a preview of what would change → confirm → written.

Between the two steps the file waits under the data directory (`pending_dir()`, a random
name; only that name, the file's SHA-256 and its original name go into the uploader's session,
so the session row every request loads stays small); the confirm step posts the SHA-256 so a
second tab with another file cannot confirm the wrong one, and the importer validates it again
before writing, since the data may have changed in between. A pending file is removed once
written or replaced, and by the retention job (jingying.core.retention) once abandoned.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema

from jingying.core.sheets import XLSX_TYPE, Report, check_upload, pending_dir
from jingying.core.views_generic import render_page

SESSION_MAX_BYTES = 2 * 2**20  # largest workbook a screen import holds between its two steps


def _pending_path(token: str) -> Path | None:
    try:
        return pending_dir() / f"{uuid.UUID(str(token))}.xlsx"
    except ValueError:
        return None


def _hold(request: HttpRequest, key: str, data: bytes, *, sha256: str, name: str) -> None:
    """Keep the validated upload on disk for the confirm step; the session names it."""
    _release(request, key)
    token = str(uuid.uuid4())
    path = _pending_path(token)
    assert path is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    request.session[key] = {"sha256": sha256, "name": name, "file": token}


def _held_data(held: dict[str, Any]) -> bytes | None:
    path = _pending_path(held.get("file", ""))
    try:
        return path.read_bytes() if path is not None else None
    except OSError:
        return None


def _release(request: HttpRequest, key: str) -> None:
    held = request.session.pop(key, None) or {}
    path = _pending_path(held.get("file", "")) if isinstance(held, dict) else None
    if path is not None:
        path.unlink(missing_ok=True)


class SheetUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}))


@dataclass(frozen=True)
class SheetImport:
    """One import: its session slot, the importer's two steps and the page around them."""

    key: str  # session slot, e.g. "care.hospital_import"
    validate: Callable[[Any, bytes], Report]
    apply: Callable[[Any, bytes, str], Report]
    title: str
    done_url: str
    template_url: str
    export_url: str = ""
    help: tuple[str, ...] = ()


def _file_error(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def import_page(request: HttpRequest, spec: SheetImport) -> HttpResponse:
    """GET: the upload form. POST: check the file (step 1) or write it (step 2, `confirm`)."""
    actor = request.user
    form = SheetUploadForm()
    problems: list[str] = []  # of the confirm step (the form is not bound then)
    report: Report | None = None
    status = 200
    file_name = ""
    if request.method == "POST" and request.POST.get("confirm"):
        held = request.session.get(spec.key) or {}
        data = _held_data(held) if held and held.get("sha256") == request.POST.get("sha256") else None
        if data is None:
            problems.append(_("待确认的文件已失效，请重新上传。"))
            status = 400
        else:
            try:
                report = spec.apply(actor, data, held.get("name", ""))
            except ValidationError as exc:
                problems += _file_error(exc)
                status = 400
            else:
                if report.written:
                    _release(request, spec.key)
                    messages.success(request, _("已导入：新建 %(c)d 条，修改 %(u)d 条，未变 %(n)d 条。") % {
                        "c": report.created, "u": report.updated, "n": report.unchanged + report.skipped})
                    return redirect(spec.done_url)
                status = 400
    elif request.method == "POST":
        form = SheetUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                data = check_upload(upload, max_bytes=SESSION_MAX_BYTES)
                report = spec.validate(actor, data)
            except ValidationError as exc:
                form.add_error("file", _file_error(exc))
                status = 400
            else:
                file_name = str(upload.name or "")[:200]
                if report.ok:
                    _hold(request, spec.key, data, sha256=report.sha256, name=file_name)
                else:
                    status = 400
        else:
            status = 400
    context = {"spec": spec, "form": form, "report": report, "problems": problems, "file_name": file_name,
               "errors": report.errors[:1000] if report else []}
    return render_page(request, "core/sheet_import.html", context, status=status)


def api_import(request: HttpRequest, spec: SheetImport, upload: Any, *, dry_run: bool) -> tuple[int, dict[str, Any]]:
    """The JSON answer: 400 for a file that cannot be used at all (not .xlsx, empty, wrong
    headers), 422 when rows have errors and something was to be written, 200 otherwise (a dry
    run with errors included: it answered the question "is this file valid?")."""
    try:
        data = check_upload(upload)
        if dry_run:
            report = spec.validate(request.user, data)
        else:
            report = spec.apply(request.user, data, str(getattr(upload, "name", "") or "")[:200])
    except ValidationError as exc:
        return 400, {"detail": _("文件无法导入"), "errors": {"file": _file_error(exc)}}
    body = report.as_json(dry_run=dry_run)
    if not report.ok:
        body["detail"] = _("发现 %(n)d 处错误，未写入任何数据") % {"n": len(report.errors)}
        return (200 if dry_run else 422), body
    return 200, body


def xlsx_download(data: bytes, filename: str) -> HttpResponse:
    from django.utils.http import content_disposition_header

    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    return response


# --- API schemas ------------------------------------------------------------------------------


class ImportIssueOut(Schema):
    sheet: str
    row: int
    column: str
    message: str


class ImportOut(Schema):
    """What an export-layout import found or did (jingying.core.sheets.Report.as_json)."""

    ok: bool
    dry_run: bool
    written: bool
    sha256: str
    rows: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    errors: list[ImportIssueOut]
    changes: list[dict[str, Any]]
    detail: str = ""


class ImportFileError(Schema):
    detail: str
    errors: dict[str, list[str]]


IMPORT_RESPONSES: dict[int, Any] = {200: ImportOut, 400: ImportFileError, 422: ImportOut}
