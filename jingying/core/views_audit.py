"""The audit administrator's screen and export, and an officer's own access log."""

from __future__ import annotations

import io

import xlsxwriter
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.core import audit, selectors
from jingying.core.forms import AuditFilterForm

EXPORT_LIMIT = 200_000  # one workbook; narrow the filters for more


def audit_list_view(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.selector_filters() if form.is_valid() else {}
    qs = selectors.audit_list(actor=request.user, filters=filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit_list.html", {"form": form, "page": page, "query": query.urlencode()},
                  status=400 if form.errors else 200)


def audit_export_view(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.selector_filters() if form.is_valid() else {}
    qs = selectors.audit_list(actor=request.user, filters=filters)[:EXPORT_LIMIT]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet(_("审计记录"))
    headers = [_("序号"), _("时间"), _("操作人"), _("来源地址"), _("操作"), _("对象类型"), _("对象标识"), _("对象"),
               _("涉及人员"), _("事由"), _("变更前"), _("变更后"), _("哈希"), _("凭据")]
    sheet.write_row(0, 0, headers)
    tz = timezone.get_current_timezone()
    row = 0
    for row, e in enumerate(qs.iterator(chunk_size=2000), start=1):
        sheet.write_row(row, 0, [e.seq, e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"), e.actor_name, e.source_ip,
                                 e.action, e.object_type, e.object_id, e.object_repr, e.person_id or "", e.reason,
                                 str(e.before or ""), str(e.after or ""), e.hash, e.credential])
    book.close()
    audit.record(actor=request.user, action="core.audit.export", object_type="core.auditentry",
                 after={"filters": {k: str(v) for k, v in filters.items() if v}, "rows": row})
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.xlsx"'
    return response


def my_access_log_view(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.my_access_log(actor=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "core/my_access_log.html", {"page": page})
