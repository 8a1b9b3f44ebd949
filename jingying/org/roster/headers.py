"""Find the header row of a roster sheet and map its cells to template columns."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from jingying.org.roster.columns import COLUMNS, Column

# Offices put a title ("XX 分局 2026 年民警花名册"), a date line or a two-row merged header above
# the real header; looking at the first ten rows finds it in every roster we have seen.
SCAN_ROWS = 10
_NOTE = re.compile(r"\(.*\)$")
_MARKS = re.compile(r"[\s*:：]+")


def normalise_header(cell: object) -> str:
    text = unicodedata.normalize("NFKC", str(cell or ""))
    text = _MARKS.sub("", text)
    text = _NOTE.sub("", text)
    return text


@lru_cache(maxsize=1)
def _aliases() -> dict[str, Column]:
    table: dict[str, Column] = {}
    for column in COLUMNS:
        for name in (column.header, *column.aliases):
            table[normalise_header(name)] = column
    return table


def match_header(cell: object) -> Column | None:
    return _aliases().get(normalise_header(cell))


@dataclass
class HeaderMap:
    row_index: int  # 0-based index of the header row in the sheet
    columns: list[tuple[int, Column]]  # (cell index, column), first occurrence of each column wins
    ignored: list[str] = field(default_factory=list)  # headers of columns that are not read
    headers: list[str] = field(default_factory=list)  # the header row as written, for reports

    def keys(self) -> set[str]:
        return {c.key for _i, c in self.columns}

    def missing_required(self) -> list[Column]:
        present = self.keys()
        return [c for c in COLUMNS if c.required and c.key not in present]


def map_row(index: int, row: Sequence[object]) -> HeaderMap:
    columns: list[tuple[int, Column]] = []
    seen: set[str] = set()
    ignored: list[str] = []
    for i, cell in enumerate(row):
        text = str(cell).strip() if cell not in (None, "") else ""
        if not text:
            continue
        column = match_header(cell)
        if column is None or column.key in seen:
            ignored.append(text)
            continue
        seen.add(column.key)
        columns.append((i, column))
    headers = [str(c).strip() if c not in (None, "") else "" for c in row]
    return HeaderMap(index, columns, ignored, headers)


def find_header(rows: Sequence[Sequence[object]]) -> HeaderMap | None:
    """The row among the first SCAN_ROWS with the most recognised columns (earliest on a tie)."""
    best: HeaderMap | None = None
    for index, row in enumerate(rows[:SCAN_ROWS]):
        candidate = map_row(index, row)
        if best is None or len(candidate.columns) > len(best.columns):
            best = candidate
    if best is None or len(best.columns) < 2:
        return None
    return best
