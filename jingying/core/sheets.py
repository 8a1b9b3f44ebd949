"""Workbooks in a fixed layout (one sheet per entity, a header row, one row per object): the
shared reading, error and template pieces of the "export layout" imports (partner hospitals,
checkup plans), so an export can be edited in Excel and uploaded back.

Only the mechanics live here: checking the upload, finding the sheets and their columns,
collecting every problem with sheet/row/column, and writing the template. What a cell means
(dates, units, choices) is the importer's business; the org app's roster.values parses cells.
Core must not import the domain apps, so nothing here knows a model.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 20000  # per sheet; these are directories and plans, not rosters
NOTES_SHEET = "说明"


def pending_dir() -> Path:
    """Where a screen upload waits for its confirm step (jingying.core.views_sheets); the
    retention job (jingying.core.retention) removes what was abandoned there."""
    return Path(settings.MEDIA_ROOT) / "sheet_imports"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False  # the column must be present (its cells may still be optional)


@dataclass(frozen=True)
class SheetSpec:
    title: str
    columns: tuple[Column, ...]
    required: bool = True  # a missing optional sheet means "leave that part alone"

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


@dataclass(frozen=True)
class Row:
    sheet: str
    number: int  # the Excel row number as the clerk sees it
    cells: dict[str, Any]

    def get(self, key: str) -> Any:
        return self.cells.get(key)


@dataclass(frozen=True)
class Issue:
    sheet: str
    row: int  # 0: the whole sheet
    column: str  # the header; "" for the whole row
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = _("%(sheet)s 第 %(row)d 行") % {"sheet": self.sheet, "row": self.row} if self.row else self.sheet
        return f"{where}{'「' + self.column + '」' if self.column else ''}：{self.message}"


@dataclass
class Report:
    """What an import found (validate) or did (apply). Nothing is written unless `ok`."""

    rows: int = 0
    errors: list[Issue] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # identical rows outside the uploader's scope
    details: dict[str, int] = field(default_factory=dict)  # e.g. services added / removed
    preview: list[dict[str, Any]] = field(default_factory=list)  # what would change, for the confirm step
    sha256: str = ""
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: Row | None, column: str, message: str, *, sheet: str = "") -> None:
        self.errors.append(Issue(row.sheet if row else sheet, row.number if row else 0, column, message))

    def summary(self) -> dict[str, Any]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "skipped": self.skipped, **self.details}

    def as_json(self, *, dry_run: bool) -> dict[str, Any]:
        return {"ok": self.ok, "dry_run": dry_run, "written": self.written, "sha256": self.sha256,
                **self.summary(), "errors": [e.as_dict() for e in self.errors], "changes": self.preview}


def check_upload(upload: Any, *, max_bytes: int | None = None) -> bytes:
    """The bytes of an uploaded .xlsx, or a ValidationError a clerk understands."""
    limit = max_bytes or int(getattr(settings, "JINGYING_MAX_UPLOAD_BYTES", 20 * 2**20))
    if upload is None:
        raise ValidationError({"file": [_("请选择要上传的 Excel 文件（.xlsx）")]})
    name = str(getattr(upload, "name", "") or "")
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError({"file": [_("文件太大，上限为 %(limit)d MB。") % {"limit": limit // 2**20}]})
    if not name.lower().endswith(".xlsx"):
        raise ValidationError({"file": [_("只接受 .xlsx 文件；请先在 Excel 中“另存为 Excel 工作簿（*.xlsx）”。")]})
    upload.seek(0)
    data = bytes(upload.read())
    upload.seek(0)
    if not data:
        raise ValidationError({"file": [_("文件是空的。")]})
    if not data.startswith(b"PK\x03\x04"):
        raise ValidationError({"file": [_("该文件不是有效的 Excel 工作簿（.xlsx），可能已损坏或只是改了扩展名。")]})
    return data


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read(data: bytes, specs: Sequence[SheetSpec]) -> dict[str, list[Row]]:
    """Every sheet of `specs` as rows keyed by column key (empty rows dropped).

    A sheet is found by its title; when the workbook has no sheet of the first spec's title, its
    first sheet stands for it (a clerk may have renamed it). A file that cannot be read, a
    required sheet or column that is missing, or a workbook without any data row is a
    ValidationError for the whole file: there is nothing row by row to report yet.
    """
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
    except Exception:  # calamine raises its own error types for a file that is not a workbook
        raise ValidationError({"file": [_("无法读取该工作簿，请上传 .xlsx 格式的 Excel 文件。")]}) from None
    out: dict[str, list[Row]] = {}
    problems: list[str] = []
    for index, spec in enumerate(specs):
        if spec.title in names:
            name = spec.title
        elif index == 0 and names and names[0] != NOTES_SHEET:
            name = names[0]
        elif spec.required:
            problems.append(_("缺少工作表“%(s)s”") % {"s": spec.title})
            continue
        else:
            continue
        try:
            raw = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception:
            raise ValidationError({"file": [_("无法读取工作表“%(s)s”") % {"s": name}]}) from None
        header = [_cell_text(c).replace(" ", "") for c in (raw[0] if raw else [])]
        missing = [c.header for c in spec.columns if c.required and c.header not in header]
        if not raw or missing:
            problems.append(_("工作表“%(s)s”缺少列：%(c)s（表头应为：%(h)s）")
                            % {"s": spec.title, "c": "、".join(missing or spec.headers), "h": "、".join(spec.headers)})
            continue
        where = {c.key: header.index(c.header) for c in spec.columns if c.header in header}
        rows = []
        for number, cells in enumerate(raw[1:], start=2):
            if not any(_cell_text(c) for c in cells):
                continue
            rows.append(Row(spec.title, number, {k: cells[i] if i < len(cells) else None for k, i in where.items()}))
        if len(rows) > MAX_ROWS:
            problems.append(_("工作表“%(s)s”超过 %(n)d 行，请分批导入") % {"s": spec.title, "n": MAX_ROWS})
        out[spec.title] = rows
    if problems:
        raise ValidationError({"file": problems})
    if not out.get(specs[0].title):
        raise ValidationError({"file": [_("工作表“%(s)s”中没有数据行") % {"s": specs[0].title}]})
    return out


def workbook(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
             notes: Sequence[str] = ()) -> bytes:
    """An .xlsx: each sheet a bold header row and its rows (dates and codes as text, so they
    come back as typed), plus a 说明 sheet when `notes` are given."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    bold = book.add_format({"bold": True})
    text = book.add_format({"num_format": "@"})
    for title, headers, rows in sheets:
        sheet = book.add_worksheet(str(title)[:31])
        sheet.set_column(0, max(len(headers) - 1, 0), 18, text)
        sheet.write_row(0, 0, [str(h) for h in headers], bold)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, "" if value is None else
                                       value.isoformat() if hasattr(value, "isoformat") else str(value))
        sheet.freeze_panes(1, 0)
    if notes:
        sheet = book.add_worksheet(NOTES_SHEET)
        sheet.set_column(0, 0, 100)
        for r, line in enumerate(notes):
            sheet.write_string(r, 0, str(line))
    book.close()
    return out.getvalue()
