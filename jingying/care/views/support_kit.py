"""What the care-support screens (rights, campaigns, childcare, insurance) share: a list screen
and its Excel export from one selector and one set of columns (`list_view`, `export_view`), form
and edit pages (`form_page`, `edit_page`), the delete confirmation and workbook responses. The
request-level pieces they stand on (filters from the query, the permission gate, a form or an
action handed to one service) are in jingying.core.views_generic, for every app. Functions, not a
class hierarchy, so each view still reads top to bottom."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.care.services.support_common import IdRow, id_rows_from_text, id_rows_from_workbook
from jingying.core.views_generic import apply_errors, filtered_list, paginate, render_page, save_form, url_if

__all__ = [
    "Col",
    "DateInput",
    "add_people_page",
    "apply_errors",
    "bootstrap",
    "confirm_page",
    "edit_page",
    "export_rows",
    "export_table",
    "export_view",
    "form_page",
    "list_page",
    "list_view",
    "set_choices",
    "set_queryset",
    "workbook",
]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Col:
    """One column of a list: its header and how to read the cell (plain text or a number)."""

    label: Any
    value: Callable[[Any], Any]


def text(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "isoformat") and not isinstance(value, str):
        if hasattr(value, "hour"):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        return value.isoformat()
    return value


def bootstrap(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
    return form


def set_queryset(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    """Narrow a model-choice field to the rows this user may pick. (`form.fields` is typed as
    plain Fields; the field named here is a ModelChoiceField by the form's own declaration.)"""
    cast(forms.ModelChoiceField, form.fields[name]).queryset = queryset


def set_choices(form: forms.BaseForm, name: str, choices: Sequence[tuple[Any, Any]]) -> None:
    """Fill a choice field whose options depend on the request (see set_queryset)."""
    cast(forms.ChoiceField, form.fields[name]).choices = choices


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def list_page(request: HttpRequest, *, qs: QuerySet[Any], filterset: Any, columns: Sequence[Col], title: str,
              list_url: str, detail_url: Callable[[Any], str] | None, add_url: str = "", export_url: str = "",
              empty: str = "", extra: dict[str, Any] | None = None) -> HttpResponse:
    """The list page (or, for htmx, its results fragment): filters, a bounded page, one row per object."""
    page = paginate(request, qs)
    rows = [{"url": detail_url(obj) if detail_url else "", "cells": [text(c.value(obj)) for c in columns]}
            for obj in page.page.object_list]
    form = bootstrap(filterset.form)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": title, "filter_form": form, "filterset": filterset, "page": page, "rows": rows,
        "headers": [c.label for c in columns], "list_url": list_url, "add_url": add_url,
        "export_url": (export_url + ("?" + query.urlencode() if query else "")) if export_url else "",
        "empty": empty or _("没有符合条件的记录"), **(extra or {}),
    }
    return render_page(request, "care/support/list.html", context, fragment="care/support/partials/results.html")


def list_view(request: HttpRequest, selector: Callable[..., tuple[QuerySet[Any], Any]], *, filters: Sequence[str],
              perm: str, columns: Sequence[Col], title: str, url: str, detail: str,
              add: tuple[str, str] | None = None, export: tuple[str, str] | None = None, empty: str = "",
              extra: dict[str, Any] | None = None) -> HttpResponse:
    """A whole list screen from its parts: the selector (scoped by `perm`, filtered by the query's
    `filters`), the table's columns, the URL names of the list and of a row's detail page, and the
    add and export buttons as (permission, URL name), each shown only to those holding it."""
    qs, filterset = filtered_list(request, selector, filters=filters, perm=perm)
    return list_page(request, qs=qs, filterset=filterset, columns=columns, title=title, list_url=reverse(url),
                     detail_url=lambda obj: reverse(detail, args=[obj.pk]),
                     add_url=url_if(request, *add) if add else "", export_url=url_if(request, *export) if export else "",
                     empty=empty, extra=extra)


def export_view(request: HttpRequest, selector: Callable[..., tuple[QuerySet[Any], Any]], *, filters: Sequence[str],
                perm: str, columns: Sequence[Col], filename: str, sheet: str) -> HttpResponse:
    """The Excel export of a list screen: the same selector and filters (scoped by the export
    permission), the table's columns (or more)."""
    qs, _filterset = filtered_list(request, selector, filters=filters, perm=perm)
    return export_table(filename, sheet, qs, columns)


def workbook(filename: str, sheets: Iterable[tuple[str, Sequence[Any], Iterable[Sequence[Any]]]]) -> HttpResponse:
    """An .xlsx download: each sheet a title, a header row and the rows."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    bold = book.add_format({"bold": True})
    for title, headers, rows in sheets:
        sheet = book.add_worksheet(str(title)[:31])
        sheet.write_row(0, 0, [str(h) for h in headers], bold)
        sheet.set_column(0, max(len(headers) - 1, 0), 16)
        for r, row in enumerate(rows, start=1):
            sheet.write_row(r, 0, [text(v) if not isinstance(v, int | float) else v for v in row])
    book.close()
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    from django.utils.http import content_disposition_header

    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response


def export_rows(qs: QuerySet[Any], columns: Sequence[Col], *, limit: int = 50000) -> Iterator[list[Any]]:
    """The rows of an export: the list's own queryset (scoped, filtered), the table's columns."""
    for obj in qs[:limit]:
        yield [c.value(obj) for c in columns]


def export_table(filename: str, sheet: str, qs: QuerySet[Any], columns: Sequence[Col]) -> HttpResponse:
    """A list's export: one sheet, the table's columns as the header, the list's rows."""
    return workbook(filename, [(sheet, [c.label for c in columns], export_rows(qs, columns))])


def form_page(request: HttpRequest, *, form: forms.Form, title: str, cancel_url: str, invalid: bool = False,
              multipart: bool = False, hint: str = "") -> HttpResponse:
    bootstrap(form)
    return render_page(request, "care/support/form.html",
                       {"form": form, "title": title, "cancel_url": cancel_url, "multipart": multipart, "hint": hint},
                       status=400 if invalid else 200)


def edit_page(request: HttpRequest, form: forms.Form, update: Callable[[dict[str, Any]], Any], *, title: str,
              detail_url: str) -> HttpResponse:
    """An edit screen: a valid POST goes to `update(cleaned_data)` and back to the detail page
    ("已保存"); otherwise the form (again, with the errors, as a 400)."""
    done = save_form(request, form, update, success=_("已保存"), next_url=lambda _result: detail_url)
    return done or form_page(request, form=form, title=title, cancel_url=detail_url, invalid=request.method == "POST")


def add_people_page(request: HttpRequest, form: forms.Form, *, by_unit: Callable[[dict[str, Any]], int],
                    by_ids: Callable[[dict[str, Any], list[IdRow]], int], success: str, title: str,
                    done_url: str) -> HttpResponse:
    """A screen adding people to something (a policy, a campaign measure) by a whole unit, a pasted
    list of ID numbers or an Excel list, all or nothing. `success` takes %(n)d, how many were
    added. A list's errors go above the form: they name lines of the list, not the field."""

    def add(data: dict[str, Any]) -> int:
        try:
            if data["unit"]:
                return by_unit(data)
            rows = id_rows_from_workbook(data["file"].read()) if data["file"] else id_rows_from_text(data["id_numbers"])
            return by_ids(data, rows)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "id_numbers" in exc.message_dict:
                raise ValidationError(exc.message_dict["id_numbers"]) from None
            raise

    done = save_form(request, form, add, success=lambda n: success % {"n": n}, next_url=lambda _n: done_url)
    return done or form_page(request, form=form, title=title, cancel_url=done_url, invalid=request.method == "POST",
                             multipart=True)


def confirm_page(request: HttpRequest, *, message: str, cancel_url: str, error: str = "",
                 status: int = 200) -> HttpResponse:
    return render_page(request, "org/confirm_delete.html",
                       {"message": message, "cancel_url": cancel_url, "error": error}, status=status)

