"""The six guarantees scorecard (六个保障) for a unit and its children, each figure marked where it
comes from:

- computed: equipment = share of the subtree's serving people holding every required protective
  item in date (on 31 December, or today for the current year); health = checkup completion,
  read from jingying.health.selectors.checkups.unit_checkup_completion when that module exists;
- entered: a ScorecardEntry on the unit itself (with its note and who entered it);
- rolled up: the head-count-weighted mean of the children's figures, when the unit has neither.
A computed guarantee with nothing to compute from (no required type, nobody due a checkup)
falls back to entered / rolled up.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count
from django.utils import timezone

from jingying.care.choices import Guarantee, ScoreSource
from jingying.care.models import ScorecardEntry
from jingying.care.selectors.equipment import equipped_counts
from jingying.core.scoping import restrict, subtree_q
from jingying.org.choices import SERVING_STATUSES
from jingying.org.models import Person, Unit

ONE = Decimal("0.1")


@dataclass
class Cell:
    guarantee: str
    value: Decimal | None
    source: str
    note: str = ""
    entered_by: str = ""
    detail: str = ""

    @property
    def label(self) -> str:
        return str(Guarantee(self.guarantee).label)

    @property
    def source_label(self) -> str:
        return str(ScoreSource(self.source).label)


@dataclass
class Row:
    unit: Unit
    headcount: int
    cells: list[Cell] = field(default_factory=list)

    @property
    def overall(self) -> Decimal | None:
        values = [c.value for c in self.cells if c.value is not None]
        return (sum(values, Decimal(0)) / len(values)).quantize(ONE, ROUND_HALF_UP) if values else None


def health_completion(*, unit_path: str, year: int) -> tuple[int, int] | None:
    """(done, due) from the health app's checkups, or None while that module is not there."""
    try:
        from jingying.health.selectors.checkups import unit_checkup_completion  # type: ignore[import-not-found]
    except ImportError:
        return None
    try:
        return unit_checkup_completion(unit_path=unit_path, year=year)  # type: ignore[no-any-return]
    except AttributeError:  # pragma: no cover - a half-landed health module
        return None


def _pct(done: int, total: int) -> Decimal:
    return (Decimal(100) * done / total).quantize(ONE, ROUND_HALF_UP)


def scorecard_units(*, actor: Any, root: Unit) -> list[Unit]:
    """The unit and its direct children the actor may see."""
    children = list(restrict(Unit.objects.filter(parent=root), actor, "care.view_scorecard")
                    .order_by("sort_order", "path"))
    return [root, *children]


def scorecard(*, actor: Any, root: Unit, year: int, today: dt.date | None = None) -> list[Row]:
    """One row for `root` and one per visible child; a constant number of queries (plus one
    call of the health selector per row while it exists)."""
    today = today or timezone.localdate()
    asof = min(today, dt.date(year, 12, 31))
    shown = scorecard_units(actor=actor, root=root)
    subtree = list(Unit.objects.filter(subtree_q("path", root.path)).only("id", "parent_id", "path"))
    children: dict[int | None, list[Unit]] = defaultdict(list)
    for unit in subtree:
        children[unit.parent_id].append(unit)
    direct = dict(Person.objects.filter(subtree_q("unit__path", root.path), status__in=SERVING_STATUSES)
                  .values_list("unit_id").annotate(n=Count("id")).order_by())
    heads: dict[int, int] = {}
    for unit in sorted(subtree, key=lambda u: -len(u.path)):
        heads[unit.pk] = direct.get(unit.pk, 0) + sum(heads[c.pk] for c in children[unit.pk])
    entries = {(e.unit_id, e.guarantee): e for e in ScorecardEntry.objects.filter(
        subtree_q("unit__path", root.path), year=year).select_related("entered_by")}
    equipment = equipped_counts(units=shown, asof=asof)

    memo: dict[tuple[int, str], Cell] = {}

    def entered(unit_id: int, g: str) -> Cell:
        key = (unit_id, g)
        if key in memo:
            return memo[key]
        entry = entries.get(key)
        if entry is not None:
            cell = Cell(g, entry.score, ScoreSource.ENTERED, note=entry.note,
                        entered_by=entry.entered_by.username if entry.entered_by else "")
        else:
            parts: list[tuple[Decimal, int]] = []
            for child in children[unit_id]:
                value = entered(child.pk, g).value
                if value is not None:
                    parts.append((value, heads[child.pk]))
            weight = sum(w for _v, w in parts)
            if not parts:
                cell = Cell(g, None, ScoreSource.MISSING)
            elif weight:
                cell = Cell(g, (sum((v * w for v, w in parts), Decimal(0)) / Decimal(weight)).quantize(ONE, ROUND_HALF_UP),
                            ScoreSource.ROLLED_UP)
            else:
                cell = Cell(g, (sum((v for v, _w in parts), Decimal(0)) / Decimal(len(parts))).quantize(ONE, ROUND_HALF_UP),
                            ScoreSource.ROLLED_UP)
        memo[key] = cell
        return cell

    rows = []
    for unit in shown:
        row = Row(unit=unit, headcount=heads.get(unit.pk, 0))
        for g in Guarantee.values:
            cell: Cell | None = None
            if g == Guarantee.EQUIPMENT:
                done, total = equipment.get(unit.pk, (0, 0))
                if total:
                    cell = Cell(g, _pct(done, total), ScoreSource.COMPUTED, detail=f"{done}/{total}")
            elif g == Guarantee.HEALTH:
                figures = health_completion(unit_path=unit.path, year=year)
                if figures is not None and figures[1]:
                    cell = Cell(g, _pct(*figures), ScoreSource.COMPUTED, detail=f"{figures[0]}/{figures[1]}")
            row.cells.append(cell or entered(unit.pk, g))
        rows.append(row)
    return rows


def scorecard_entries(*, actor: Any, unit: Unit, year: int) -> list[ScorecardEntry]:
    return list(restrict(ScorecardEntry.objects.filter(unit=unit, year=year), actor, "care.view_scorecard")
                .select_related("entered_by"))
