"""Every read of concerns (style rule 3): scoped lists with their filters, one concern, the
officer's own list, the profile panel."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from jingying.care.choices import CONCERN_OPEN
from jingying.care.models import Concern, ConcernEvent
from jingying.core.scoping import access, restrict, subtree_q
from jingying.org.models import Unit

CONCERN_FILTERS = ("status", "category", "urgency", "overdue", "unit", "q", "source")


def concern_list(*, actor: Any, filters: dict[str, Any] | None = None) -> QuerySet[Concern]:
    qs = restrict(Concern.objects.select_related("person__unit", "unit"), actor, "care.view_concern")
    return concern_filter(qs, actor=actor, filters=filters or {}).order_by("-raised_at", "-id")


def concern_filter(qs: QuerySet[Concern], *, actor: Any, filters: dict[str, Any]) -> QuerySet[Concern]:
    """The staff list's filters (status, category, urgency, overdue, unit subtree, search)."""
    if filters.get("status") == "open":
        qs = qs.filter(status__in=CONCERN_OPEN)
    elif filters.get("status"):
        qs = qs.filter(status=filters["status"])
    for key in ("category", "urgency", "source"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    if str(filters.get("overdue", "")).lower() in ("1", "true", "on", "yes"):
        qs = qs.filter(status__in=CONCERN_OPEN, deadline__lt=timezone.localdate())
    unit = filters.get("unit")
    if unit:
        ref = str(unit).strip()
        found = restrict(Unit.objects.all(), actor, "org.view_unit").filter(
            Q(code=ref) | Q(pk=int(ref)) if ref.isdigit() and len(ref) < 18 else Q(code=ref)).first()
        qs = qs.filter(subtree_q("person__unit__path", found.path)) if found else qs.none()
    text = str(filters.get("q", "")).strip()
    if text:
        qs = qs.filter(Q(title__contains=text) | Q(person__name__contains=text) | Q(person__police_number=text))
    return qs


def access_concern(actor: Any, pk: Any, *, perm: str = "care.view_concern", for_write: bool = False) -> Concern:
    return access(Concern.objects.select_related("person__unit", "unit__parent", "field_visit"), actor,
                  perm, pk, for_write=for_write)


def my_concerns(*, actor: Any) -> QuerySet[Concern]:
    """The signed-in officer's own concerns, newest first."""
    person_id = getattr(actor, "person_id", None)
    if person_id is None:
        return Concern.objects.none()
    return Concern.objects.filter(person_id=person_id).select_related("unit").order_by("-raised_at", "-id")


def concern_timeline(concern: Concern) -> QuerySet[ConcernEvent]:
    return concern.events.select_related("unit").order_by("at", "id")


def person_concerns_context(*, actor: Any, person: Any) -> dict[str, Any]:
    """The profile panel: this person's concerns the viewer may see, category and title only."""
    rows = list(restrict(Concern.objects.filter(person=person), actor, "care.view_concern")
                .order_by("-raised_at", "-id")[:20])
    return {"concerns": rows}
