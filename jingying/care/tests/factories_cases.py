"""Objects of the concerns / field visits / care visits part for tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from jingying.care.models import CareVisit, CareVisitPlan, CareVisitTarget, Concern, FieldVisit
from jingying.care.services.concerns import deadline_for
from jingying.org.models import Person, Unit


def make_concern(person: Person, *, unit: Unit | None = None, title: str = "孩子上学需要协调", category: str = "schooling",
                 urgency: str = "normal", status: str = "submitted", **extra: Any) -> Concern:
    now = extra.pop("raised_at", timezone.now())
    return Concern.objects.create(person=person, unit=unit or person.unit, title=title, category=category,
                                  urgency=urgency, status=status, raised_at=now,
                                  deadline=extra.pop("deadline", deadline_for(urgency, now.date())), **extra)


def make_field_visit(unit: Unit, *, topic: str = "基层所队调研", **extra: Any) -> FieldVisit:
    return FieldVisit.objects.create(unit=unit, topic=topic, visit_date=extra.pop("visit_date", dt.date(2026, 3, 1)),
                                     **extra)


def make_care_visit(person: Person, *, money: str = "0.00", **extra: Any) -> CareVisit:
    amount = Decimal(money)
    extra.setdefault("approval", "pending" if amount > 0 else "not_required")
    return CareVisit.objects.create(person=person, visit_date=extra.pop("visit_date", dt.date(2026, 3, 1)),
                                    reason=extra.pop("reason", "illness"), visitors=extra.pop("visitors", "政治处主任"),
                                    money=amount, **extra)


def make_plan(unit: Unit, year: int = 2026, people: tuple[Person, ...] = ()) -> CareVisitPlan:
    plan = CareVisitPlan.objects.create(unit=unit, year=year)
    for p in people:
        CareVisitTarget.objects.create(plan=plan, person=p, reason="生活困难")
    return plan
