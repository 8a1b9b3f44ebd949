"""Columns of the person list, defined once for the screen (and for exports that follow it).

A column names its header, how to read the value from a Person, and whether the list can be
sorted by it. Sorting is only offered on indexed orderings, so a sorted page costs the same.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jingying.org.choices import Category, Gender, PersonStatus, Rank, ethnicity_label

# While a table builds its rows: today's date and the language, read once per page rather than
# once per cell (both go through timezone/translation machinery that costs microseconds a call).
_page_today: ContextVar[dt.date | None] = ContextVar("jy_table_today", default=None)
_page_language: ContextVar[str | None] = ContextVar("jy_table_language", default=None)


def age_on(birth: dt.date | None, today: dt.date | None = None) -> int | None:
    if birth is None:
        return None
    today = today or _page_today.get() or timezone.localdate()
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


@lru_cache(maxsize=1024)
def _choice_label(choices: type[models.Choices], value: Any, language: str) -> str:
    return str(choices(value).label) if value not in (None, "") else ""


def choice_label(choices: type[models.Choices], value: Any) -> str:
    """A choice's display text, cast from its lazy translation once per language, not per cell."""
    try:
        language = _page_language.get()
        return _choice_label(choices, value, get_language() or "" if language is None else language)
    except ValueError:
        return str(value)


def _rank(p: Any) -> str:
    label = choice_label(Rank, p.rank)
    return str(_("专业技术%(rank)s") % {"rank": label}) if label and p.rank_technical else label


PERSON_COLUMNS: list[Column] = [
    Column("name", _("姓名"), lambda p: p.name, order_by=("name", "id"), essential=True),
    Column("category", _("人员类别"), lambda p: choice_label(Category, p.category), essential=True),
    Column("police_number", _("警号"), lambda p: p.police_number or ""),
    Column("gender", _("性别"), lambda p: choice_label(Gender, p.gender)),
    Column("age", _("年龄"), lambda p: age_on(p.birth_date)),
    Column("ethnicity", _("民族"), lambda p: ethnicity_label(p.ethnicity)),
    # The page's query annotates the label (UNIT_LABEL) rather than loading a Unit per row.
    Column("unit", _("所在单位"), lambda p: p.unit_label if hasattr(p, "unit_label") else p.unit.label, essential=True),
    Column("position", _("职务"), lambda p: p.position),
    Column("rank", _("警衔"), _rank),
    Column("status", _("状态"), lambda p: choice_label(PersonStatus, p.status), essential=True),
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
    # What the columns read, for `.only()` on the page's query: the rest of a Person (ID number,
    # dates of record, …) is never fetched for the list, and of its unit only the label, as an
    # annotation (`annotations`): making a Unit object per row cost more than the SQL.
    fields = ("name", "category", "police_number", "gender", "birth_date", "ethnicity", "position", "rank",
              "rank_technical", "status")
    annotations = {"unit_label": Coalesce(NullIf("unit__short_name", Value("")), F("unit__name"))}

    @classmethod
    def page_query(cls, qs: Any) -> Any:
        """The list's queryset reduced to what the columns read."""
        return qs.select_related(None).annotate(**cls.annotations).only(*cls.fields)

    def __init__(self, people: Any, *, sort: str = DEFAULT_SORT, sort_url: Callable[[str], str] | None = None) -> None:
        self.sort = sort
        self.sort_url = sort_url or (lambda key: f"?sort={key}")
        today, language = _page_today.set(timezone.localdate()), _page_language.set(get_language() or "")
        try:
            self.rows = [(person, [(col, col.value(person)) for col in self.columns]) for person in people]
        finally:
            _page_today.reset(today)
            _page_language.reset(language)

    def body_html(self) -> SafeString:
        """All rows as HTML, built here rather than in the template: a 100-row page has a
        thousand cells and the template engine would spend most of the request on them."""
        detail = reverse("org:person_detail", args=[0])[: -len("0/")]
        # The row as one format string made once per page (labels and classes escaped and
        # fixed; {0} the person's id, {1}… the cells); per cell only the value is escaped, with
        # the standard library's escape (what django.utils.html.escape calls, without its
        # lazy-string wrapper per call).
        shapes = []
        for i, col in enumerate(self.columns, start=1):
            label = html.escape(str(col.label)).replace("{", "{{").replace("}", "}}")
            if col.key == "name":
                shapes.append(f'<td data-label="{label}" class="stack-title"><a href="{detail}{{0}}/" class="fw-bold">{{{i}}}</a></td>')
            elif col.essential:
                shapes.append(f'<td data-label="{label}">{{{i}}}</td>')
            else:
                shapes.append(f'<td data-label="{label}" class="d-none d-md-table-cell">{{{i}}}</td>')
        row_shape = "<tr>" + "".join(shapes) + "</tr>"
        escape = html.escape
        parts = [
            row_shape.format(person.pk, *[escape("" if value is None else str(value)) for _col, value in cells])
            for person, cells in self.rows
        ]
        return mark_safe("\n".join(parts))  # noqa: S308 - every value and label above is escaped

    def header_html(self) -> SafeString:
        """The <th> cells (sort links with their direction), built here like the body."""
        cells = []
        for h in self.header():
            col = h["column"]
            attrs = "" if col.essential else ' class="d-none d-md-table-cell"'
            if h["direction"]:
                attrs += f' aria-sort="{"ascending" if h["direction"] == "asc" else "descending"}"'
            label = html.escape(str(col.label))
            if h["sortable"]:
                direction = f" {h['direction']}" if h["direction"] else ""
                inner = f'<a href="{html.escape(h["url"])}" class="table-sort{direction}">{label}</a>'
            else:
                inner = label
            cells.append(f"<th{attrs}>{inner}</th>")
        return mark_safe("\n".join(cells))  # noqa: S308 - labels and URLs escaped, the rest fixed text

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

