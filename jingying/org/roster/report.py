"""The error report of an import: as lines of text (CLI) and as a workbook a clerk can fix from."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import IO, Any

import xlsxwriter
from django.utils.translation import gettext as _

from jingying.org.roster.importer import ImportResult, RowError
from jingying.org.roster.values import display


def error_line(error: RowError) -> str:
    if not error.row:
        return error.message
    # Whole sentences per case (no concatenated fragments) so a translation can reorder them.
    args = {"row": error.row, "col": error.column, "value": error.value, "message": error.message}
    if error.column and error.value:
        return _("第 %(row)d 行，“%(col)s”列，值“%(value)s”：%(message)s") % args
    if error.column:
        return _("第 %(row)d 行，“%(col)s”列：%(message)s") % args
    if error.value:
        return _("第 %(row)d 行，值“%(value)s”：%(message)s") % args
    return _("第 %(row)d 行：%(message)s") % args


def error_lines(result: ImportResult) -> Iterator[str]:
    for error in result.errors:
        yield error_line(error)


def write_error_workbook(result: ImportResult, dest: str | os.PathLike[str] | IO[bytes]) -> None:
    """Two sheets: every error (row, column, value, reason), and the bad rows as they were read
    with an added reason column, so a clerk can fix them and paste them back."""
    book = xlsxwriter.Workbook(dest, {"strings_to_numbers": False, "strings_to_formulas": False,
                                      "strings_to_urls": False})
    bold = book.add_format({"bold": True, "bg_color": "#F8D7DA", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    text = book.add_format({"num_format": "@"})
    details = book.add_worksheet(_("错误明细"))
    details.write_row(0, 0, [_("行号"), _("列"), _("值"), _("错误原因")], bold)
    details.set_column(0, 0, 8)
    details.set_column(1, 2, 18, text)
    details.set_column(3, 3, 70, wrap)
    for i, error in enumerate(result.errors, start=1):
        details.write_row(i, 0, [error.row or "", error.column, error.value, error.message])
    details.freeze_panes(1, 0)

    if result.error_rows:
        by_row: dict[int, list[str]] = {}
        for error in result.errors:
            by_row.setdefault(error.row, []).append(error_line(error))
        rows = book.add_worksheet(_("出错行"))
        headers = [_("原行号"), _("错误原因"), *result.headers]
        rows.write_row(0, 0, headers, bold)
        rows.set_column(0, 0, 8)
        rows.set_column(1, 1, 50, wrap)
        rows.set_column(2, len(headers), 14, text)
        for i, (row_number, cells) in enumerate(sorted(result.error_rows.items()), start=1):
            values: list[Any] = [row_number, "\n".join(by_row.get(row_number, []))]
            values += [display(c) for c in cells]
            for col, value in enumerate(values):
                if col < 2:
                    rows.write(i, col, value)
                else:
                    rows.write_string(i, col, str(value))
        rows.freeze_panes(1, 2)
    book.close()
