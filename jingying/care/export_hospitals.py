"""Excel exports of the hospital part (and the checkup part, which reuses `table_workbook`)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

import xlsxwriter
from django.http import HttpResponse

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_workbook(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet: a bold header row, then the rows as given (dates as text, as rosters write them)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "constant_memory": True})
    sheet = book.add_worksheet(title[:31])
    bold = book.add_format({"bold": True})
    sheet.write_row(0, 0, [str(h) for h in headers], bold)
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, ["" if v is None else (v if isinstance(v, int | float) else str(v)) for v in row])
    sheet.freeze_panes(1, 0)
    book.close()
    return out.getvalue()


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_TYPE)
    from django.utils.http import content_disposition_header

    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response
