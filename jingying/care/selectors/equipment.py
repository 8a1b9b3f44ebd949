"""Every read of protective equipment, scoped (an officer sees their own)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from jingying.care.models import EquipmentIssue, EquipmentType
from jingying.core.scoping import access, restrict, subtree_q
from jingying.org.choices import SERVING_STATUSES
from jingying.org.models import Person, Unit

VIEW = "care.view_equipment"


def equipment_type_list(*, active_only: bool = False) -> QuerySet[EquipmentType]:
    qs = EquipmentType.objects.all()
    return qs.filter(active=True) if active_only else qs.order_by("-required", "name")


def issue_list(*, actor: Any, unit: Unit | None = None, person: Person | None = None, state: str = "",
               kind: int | None = None, q: str = "", today: dt.date | None = None,
               perm: str = VIEW) -> QuerySet[EquipmentIssue]:
    """Issues in scope; `state`: "held" (in use), "expiring" (in use, expires within 60 days),
    "expired" (in use, past its date), "returned"."""
    from jingying.care.services.equipment import EXPIRY_WARNING_DAYS

    today = today or timezone.localdate()
    qs = restrict(EquipmentIssue.objects.select_related("person__unit", "type"), actor, perm)
    if unit is not None:
        qs = qs.filter(subtree_q("person__unit__path", unit.path))
    if person is not None:
        qs = qs.filter(person=person)
    held = Q(status=EquipmentIssue.Status.ISSUED)
    if state == "held":
        qs = qs.filter(held)
    elif state == "expiring":
        qs = qs.filter(held, expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=EXPIRY_WARNING_DAYS))
    elif state == "expired":
        qs = qs.filter(held, expires_on__lt=today)
    elif state == "returned":
        qs = qs.exclude(held)
    if kind:
        qs = qs.filter(type_id=kind)
    if q:
        qs = qs.filter(Q(person__name__contains=q.strip()) | Q(person__id_number=q.strip().upper()))
    return qs.order_by("expires_on", "id")


def access_issue(actor: Any, pk: Any, *, for_write: bool = False) -> EquipmentIssue:
    perm = "care.manage_equipment" if for_write else VIEW
    return access(EquipmentIssue.objects.select_related("person__unit", "type"), actor, perm, pk,
                  for_write=for_write)


def person_panel_context(*, actor: Any, person: Person) -> dict[str, Any]:
    """The profile panel: what the person holds and until when."""
    from jingying.core.scoping import covers

    today = timezone.localdate()
    issues = list(issue_list(actor=actor, person=person).order_by("status", "type__name", "-issued_on"))
    for issue in issues:
        expired = issue.status == EquipmentIssue.Status.ISSUED and issue.expires_on < today
        issue.expired = expired  # type: ignore[attr-defined]
    return {"issues": issues, "can_manage": covers(actor, "care.manage_equipment", person.unit.path)}


def equipped_counts(*, units: list[Unit], asof: dt.date) -> dict[int, tuple[int, int]]:
    """For each unit's subtree: (serving people holding every required type in date on `asof`,
    serving people). Two GROUP BYs over the people's own units, rolled up in Python; (0, 0) for
    every unit when no type is required (nothing to compute from)."""
    required = list(EquipmentType.objects.filter(required=True, active=True).values_list("pk", flat=True))
    if not units or not required:
        return {u.pk: (0, 0) for u in units}
    tops: list[str] = []
    for path in sorted({u.path for u in units}):
        if not tops or not path.startswith(tops[-1]):
            tops.append(path)
    scope = subtree_q("unit__path", tops[0])
    for path in tops[1:]:
        scope |= subtree_q("unit__path", path)
    people = Person.objects.filter(scope, status__in=SERVING_STATUSES)
    totals = dict(people.values_list("unit__path").annotate(n=Count("id")).order_by())
    held = (EquipmentIssue.objects.filter(person=OuterRef("pk"), type_id__in=required, issued_on__lte=asof,
                                          expires_on__gte=asof)
            .filter(Q(returned_on__isnull=True) | Q(returned_on__gt=asof))
            .order_by().values("person").annotate(c=Count("type", distinct=True)).values("c"))
    ok = dict(people.annotate(held=Subquery(held)).filter(held=len(required))
              .values_list("unit__path").annotate(n=Count("id")).order_by())
    result = {}
    for unit in units:
        total = sum(n for path, n in totals.items() if path.startswith(unit.path))
        done = sum(n for path, n in ok.items() if path.startswith(unit.path))
        result[unit.pk] = (done, total)
    return result
