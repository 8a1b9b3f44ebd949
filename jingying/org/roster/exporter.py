"""Export the roster in exactly the template that import reads (round trip), and the empty template.

Streaming: rows come from one iterator over `values_list` (one query whatever the size) and go
straight into the zip entry of the sheet (roster.xlsx, which says why not XlsxWriter for this
part), so memory and query count do not grow with the number of people.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from django.utils import translation

from jingying.core import audit
from jingying.org.choices import (
    ETHNICITY_NAMES,
    Category,
    Education,
    Gender,
    Level,
    PersonStatus,
    PoliticalStatus,
    Rank,
)
from jingying.org.models import Unit
from jingying.org.roster.columns import COLUMNS
from jingying.org.roster.xlsx import write_text_sheet
from jingying.org.selectors import person_list

Dest = str | os.PathLike[str] | IO[bytes]
PERM = "org.export_person"
TEMPLATE_ROWS = 5000  # rows of the empty template that get drop-down lists
TEXT_COLUMNS = {"id_number", "police_number", "phone", "birth_date", "police_start_date"}

_VALUES = (
    "name", "gender", "ethnicity", "birth_date", "id_number", "category", "police_number", "unit__name",
    "position", "rank", "rank_technical", "level", "political_status", "education", "police_start_date",
    "phone", "status",
)


@lru_cache(maxsize=1)
def _labels() -> dict[str, dict[Any, str]]:
    # The template is Chinese whatever language the exporting user reads the site in.
    with translation.override("zh-hans"):
        return {
            "gender": {v: str(label) for v, label in Gender.choices},
            "category": {v: str(label) for v, label in Category.choices},
            "rank": {v: str(label) for v, label in Rank.choices},
            "level": {v: str(label) for v, label in Level.choices},
            "political_status": {v: str(label) for v, label in PoliticalStatus.choices},
            "education": {v: str(label) for v, label in Education.choices},
            "status": {v: str(label) for v, label in PersonStatus.choices},
            "ethnicity": dict(ETHNICITY_NAMES),
        }


def _row(values: tuple[Any, ...]) -> list[Any]:
    labels = _labels()
    (name, gender, ethnicity, birth, id_number, category, police_number, unit_name, position, rank,
     rank_technical, level, political, education, start, phone, status) = values
    rank_label = ""
    if rank:
        rank_label = ("专业技术" if rank_technical else "") + labels["rank"][rank]
    return [
        name, labels["gender"].get(gender, ""), labels["ethnicity"].get(ethnicity, ""), _date(birth), id_number,
        labels["category"].get(category, ""), police_number or "", unit_name, position, rank_label,
        labels["level"].get(level, ""), labels["political_status"].get(political, ""),
        labels["education"].get(education, ""), _date(start), phone, labels["status"].get(status, ""),
    ]


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


class _TemplateWriter:
    """The empty template, written with XlsxWriter for its drop-down lists and column formats."""

    def __init__(self, dest: Dest) -> None:
        self.book = xlsxwriter.Workbook(dest, {"constant_memory": True, "strings_to_numbers": False,
                                               "strings_to_formulas": False, "strings_to_urls": False})
        self.sheet = self.book.add_worksheet("花名册")
        head = self.book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "align": "center"})
        text = self.book.add_format({"num_format": "@"})
        for i, column in enumerate(COLUMNS):
            # Text format on the ID/警号/phone/date columns: what a clerk types there later stays
            # text instead of becoming 1.50102E+17 or a date serial.
            self.sheet.set_column(i, i, column.width, text if column.key in TEXT_COLUMNS else None)
        self.sheet.write_row(0, 0, [c.header for c in COLUMNS], head)
        self.sheet.freeze_panes(1, 0)
        self._template_aids()

    def _template_aids(self) -> None:
        """Drop-down lists for the coded columns, from a hidden sheet of their labels."""
        labels = _labels()
        options = self.book.add_worksheet("选项")
        lists = {
            "gender": list(labels["gender"].values()), "ethnicity": list(labels["ethnicity"].values()),
            "category": list(labels["category"].values()),
            "rank": list(labels["rank"].values()) + [f"专业技术{v}" for v in labels["rank"].values()],
            "level": list(labels["level"].values()), "political_status": list(labels["political_status"].values()),
            "education": list(labels["education"].values()), "status": list(labels["status"].values()),
        }
        for col, (key, items) in enumerate(lists.items()):
            options.write_column(0, col, items)
            index = next(i for i, c in enumerate(COLUMNS) if c.key == key)
            letter = xlsxwriter.utility.xl_col_to_name(col)
            self.sheet.data_validation(1, index, TEMPLATE_ROWS, index, {
                "validate": "list", "source": f"=选项!${letter}$1:${letter}${len(items)}", "error_type": "warning",
            })
        options.hide()

    def close(self) -> None:
        self.book.close()


def export_roster(dest: Dest, *, actor: Any, unit: Unit | int | str | None = None, purpose: str = "") -> int:
    """Write the people the actor may export (optionally one unit's subtree); returns rows written.

    `purpose` is why the personal data leaves the system; it is kept as the audit entry's reason.
    """
    filters: dict[str, Any] = {}
    unit_label = ""
    if unit is not None:
        filters["unit"] = str(unit.pk) if isinstance(unit, Unit) else str(unit)
        unit_label = str(unit.code) if isinstance(unit, Unit) else str(unit)
    qs = person_list(actor=actor, filters=filters, perm=PERM).order_by("unit__path", "name", "id")
    keys = [c.key for c in COLUMNS]
    rows = write_text_sheet(
        dest, sheet_name="花名册", header=[c.header for c in COLUMNS], widths=[c.width for c in COLUMNS],
        text_columns=[i for i, key in enumerate(keys) if key in TEXT_COLUMNS],
        rows=(_row(values) for values in qs.values_list(*_VALUES).iterator(chunk_size=2000)),
    )
    name = Path(str(dest)).name if isinstance(dest, (str, os.PathLike)) else str(getattr(dest, "name", "") or "")
    audit.record(actor=actor, action="org.roster.export", object_type="org.roster", object_repr=name[:200],
                 after={"rows": rows, "unit": unit_label, "file": name}, reason=purpose[:200])
    return rows


def write_template(dest: Dest) -> None:
    """The empty template: the export's header row, text-formatted code columns, drop-down lists."""
    _TemplateWriter(dest).close()
