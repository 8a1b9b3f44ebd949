"""Excel exports of the concern, field-visit and care-visit lists (XlsxWriter, constant memory)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils import timezone


def xlsx_response(filename: str, sheet_name: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(str(sheet_name)[:31])
    sheet.write_row(0, 0, [str(h) for h in headers], bold)
    sheet.freeze_panes(1, 0)
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, ["" if v is None else v if isinstance(v, int | float) else str(v) for v in row])
    sheet.set_column(0, len(headers) - 1, 16)
    book.close()
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localdate().strftime("%Y%m%d")
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{filename}-{stamp}.xlsx')}"
    return response
