"""Writes to the six guarantees scorecard: a figure entered by hand, with its note and who."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jingying.care.choices import Guarantee
from jingying.care.models import ScorecardEntry
from jingying.core import audit
from jingying.core.scoping import require
from jingying.org.models import Unit

FIELDS = ["unit_id", "year", "guarantee", "score", "note"]


@transaction.atomic
def scorecard_enter(*, actor: Any, unit: Unit, year: int, guarantee: str, score: Any, note: str) -> ScorecardEntry:
    """Enter (or correct) one unit's score for one guarantee and year."""
    require(actor, "care.manage_scorecard", unit.path)
    errors: dict[str, list[str]] = {}
    if guarantee not in Guarantee.values:
        errors["guarantee"] = [_("不是有效的保障项目")]
    try:
        value = Decimal(str(score)).quantize(Decimal("0.1"))
        if not 0 <= value <= 100:
            errors["score"] = [_("得分应在 0 到 100 之间")]
    except (InvalidOperation, ValueError):
        errors["score"] = [_("得分应为数字")]
        value = Decimal(0)
    if not (note or "").strip():
        errors["note"] = [_("请说明评分依据")]
    if not 2000 <= int(year) <= 2100:
        errors["year"] = [_("年度不正确")]
    if errors:
        raise ValidationError(errors)
    entry = ScorecardEntry.objects.select_for_update(of=("self",)).filter(unit=unit, year=year, guarantee=guarantee).first()
    before = audit.snapshot(entry, FIELDS) if entry else None
    if entry is None:
        entry = ScorecardEntry(unit=unit, year=year, guarantee=guarantee)
    entry.score, entry.note = value, note.strip()[:300]
    entry.entered_by = actor if getattr(actor, "pk", None) else None
    entry.full_clean(exclude=["entered_by"])
    entry.save()
    audit.record(actor=actor, action="care.scorecard.enter", obj=entry, before=before,
                 after=audit.snapshot(entry, FIELDS))
    return entry
