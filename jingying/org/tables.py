"""Columns of the person list, defined once for the screen (and for exports that follow it).

A column names its header, how to read the value from a Person, and whether the list can be
sorted by it. Sorting is only offered on indexed orderings, so a sorted page costs the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jingying.org.choices import ETHNICITY_NAMES


def age_on(birth: dt.date | None, today: dt.date | None = None) -> int | None:
    if birth is None:
        return None
    today = today or timezone.localdate()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    value: Callable[[Any], Any]
    # The ORDER BY for ascending; descending reverses every term.
    order_by: tuple[str, ...] | None = None
    # Shown on phones too (cards); the rest only from the md breakpoint up.
    essential: bool = False


PERSON_COLUMNS: list[Column] = [
    Column("name", _("姓名"), lambda p: p.name, order_by=("name", "id"), essential=True),
    Column("category", _("人员类别"), lambda p: p.get_category_display(), essential=True),
    Column("police_number", _("警号"), lambda p: p.police_number or ""),
    Column("gender", _("性别"), lambda p: p.get_gender_display()),
    Column("age", _("年龄"), lambda p: age_on(p.birth_date)),
    Column("ethnicity", _("民族"), lambda p: ETHNICITY_NAMES.get(p.ethnicity, "")),
    Column("unit", _("所在单位"), lambda p: p.unit.label, essential=True),
    Column("position", _("职务"), lambda p: p.position),
    Column("rank", _("警衔"), lambda p: p.rank_label),
    Column("status", _("状态"), lambda p: p.get_status_display(), essential=True),
]

SORTS = {c.key: c.order_by for c in PERSON_COLUMNS if c.order_by}
DEFAULT_SORT = "name"


def sort_order(sort: str) -> tuple[str, tuple[str, ...]]:
    """The validated sort key ("name" or "-name") and its ORDER BY terms."""
    key = sort.removeprefix("-")
    if key not in SORTS:
        return DEFAULT_SORT, SORTS[DEFAULT_SORT]
    terms = SORTS[key]
    if sort.startswith("-"):
        return sort, tuple(f"-{t}" for t in terms)
    return key, terms


class PersonTable:
    """The rows of one page as (person, [(column, value), ...]) for the template."""

    columns = PERSON_COLUMNS

    def __init__(self, people: Any, *, sort: str = DEFAULT_SORT, sort_url: Callable[[str], str] | None = None) -> None:
        self.sort = sort
        self.sort_url = sort_url or (lambda key: f"?sort={key}")
        self.rows = [(person, [(col, col.value(person)) for col in self.columns]) for person in people]

    def header(self) -> list[dict[str, Any]]:
        out = []
        for col in self.columns:
            entry: dict[str, Any] = {"column": col, "sortable": bool(col.order_by), "direction": ""}
            if col.order_by:
                if self.sort == col.key:
                    entry["direction"], entry["next"] = "asc", f"-{col.key}"
                elif self.sort == f"-{col.key}":
                    entry["direction"], entry["next"] = "desc", col.key
                else:
                    entry["next"] = col.key
                entry["url"] = self.sort_url(entry["next"])
            out.append(entry)
        return out

