"""A minimal streaming .xlsx writer for the roster export: one sheet of text cells.

Why not XlsxWriter here (architecture §5 names it): measured on the 2-core reference machine,
XlsxWriter in constant-memory mode needs ~10 s for 30,000 rows × 16 columns (≈ 20 µs per cell in
its generic per-cell path), twice the B8 budget on its own. The roster is only text cells, so this
writer renders each row as one string of inline-string cells straight into a deflated zip entry:
the same file in ≈ 1 s, memory flat (rows are never kept). XlsxWriter is still used for the small
workbooks with formatting features (the empty template's drop-down lists, the error report).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO, Any
from xml.sax.saxutils import escape

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
# Style 0: default; 1: text ("@", so a clerk's later typing stays text); 2: bold header.
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""


def _letters(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def _cell_text(value: Any) -> str:
    text = str(value)
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    return escape(text)


def write_text_sheet(dest: str | IO[bytes] | Any, *, sheet_name: str, header: Sequence[str], widths: Sequence[int],
                     text_columns: Iterable[int], rows: Iterable[Sequence[Any]]) -> int:
    """Write a one-sheet workbook of text cells; returns the number of data rows."""
    letters = [_letters(i) for i in range(len(header))]
    text_cols = set(text_columns)
    styles = [' s="1"' if i in text_cols else "" for i in range(len(header))]
    count = 0
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK.format(name=escape(sheet_name, {'"': "&quot;"})))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as raw:
            out = raw.write
            cols = "".join(
                f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"{styles[i]}/>'
                for i, w in enumerate(widths)
            )
            out(
                (
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft"'
                    ' state="frozen"/></sheetView></sheetViews>'
                    f"<cols>{cols}</cols><sheetData>"
                ).encode()
            )
            head = "".join(
                f'<c r="{letters[i]}1" t="inlineStr" s="2"><is><t>{_cell_text(h)}</t></is></c>'
                for i, h in enumerate(header)
            )
            out(f'<row r="1">{head}</row>'.encode())
            buffer: list[str] = []
            for number, row in enumerate(rows, start=2):
                parts = [f'<row r="{number}">']
                for i, value in enumerate(row):
                    if value is None or value == "":
                        continue
                    parts.append(
                        f'<c r="{letters[i]}{number}" t="inlineStr"{styles[i]}><is><t xml:space="preserve">'
                        f"{_cell_text(value)}</t></is></c>"
                    )
                parts.append("</row>")
                buffer.append("".join(parts))
                count += 1
                if len(buffer) >= 500:
                    out("".join(buffer).encode())
                    buffer.clear()
            if buffer:
                out("".join(buffer).encode())
            out(b"</sheetData></worksheet>")
    return count
