"""Every read of field visits, care visits and yearly plans (style rule 3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from jingying.care.models import CareVisit, CareVisitPlan, CareVisitTarget, FieldVisit
from jingying.core.scoping import access, restrict, subtree_q
from jingying.org.models import Unit


def _unit_by_ref(actor: Any, ref: Any) -> Unit | None:
    ref = str(ref).strip()
    q = Q(code=ref) | Q(pk=int(ref)) if ref.isdigit() and len(ref) < 18 else Q(code=ref)
    return restrict(Unit.objects.all(), actor, "org.view_unit").filter(q).first()


def _year(value: Any) -> int | None:
    try:
        year = int(str(value))
    except (TypeError, ValueError):
        return None
    return year if 1990 <= year <= 2100 else None


# --- field visits --------------------------------------------------------------------------


def field_visit_list(*, actor: Any, filters: dict[str, Any] | None = None) -> QuerySet[FieldVisit]:
    filters = filters or {}
    qs = restrict(FieldVisit.objects.select_related("unit").annotate(n_concerns=Count("concerns")),
                  actor, "care.view_fieldvisit")
    if filters.get("unit"):
        unit = _unit_by_ref(actor, filters["unit"])
        qs = qs.filter(subtree_q("unit__path", unit.path)) if unit else qs.none()
    year = _year(filters.get("year"))
    if year:
        qs = qs.filter(visit_date__year=year)
    text = str(filters.get("q", "")).strip()
    if text:
        qs = qs.filter(Q(topic__contains=text) | Q(findings__contains=text) | Q(visitors_text__contains=text))
    return qs.order_by("-visit_date", "-id")


def access_field_visit(actor: Any, pk: Any, *, perm: str = "care.view_fieldvisit",
                       for_write: bool = False) -> FieldVisit:
    return access(FieldVisit.objects.select_related("unit"), actor, perm, pk, for_write=for_write)


# --- care visits ---------------------------------------------------------------------------


def care_visit_list(*, actor: Any, filters: dict[str, Any] | None = None) -> QuerySet[CareVisit]:
    filters = filters or {}
    qs = restrict(CareVisit.objects.select_related("person__unit", "dependent"), actor, "care.view_carevisit")
    if filters.get("unit"):
        unit = _unit_by_ref(actor, filters["unit"])
        qs = qs.filter(subtree_q("person__unit__path", unit.path)) if unit else qs.none()
    for key in ("reason", "approval"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    year = _year(filters.get("year"))
    if year:
        qs = qs.filter(visit_date__year=year)
    if filters.get("person"):
        qs = qs.filter(person_id=filters["person"]) if str(filters["person"]).isdigit() else qs.none()
    text = str(filters.get("q", "")).strip()
    if text:
        qs = qs.filter(Q(person__name__contains=text) | Q(visitors__contains=text) | Q(help_given__contains=text))
    return qs.order_by("-visit_date", "-id")


def care_visit_totals(qs: QuerySet[CareVisit]) -> dict[str, Any]:
    return qs.order_by().aggregate(n=Count("id"), money=Sum("money", filter=~Q(approval="rejected")))


def access_care_visit(actor: Any, pk: Any, *, perm: str = "care.view_carevisit", for_write: bool = False) -> CareVisit:
    return access(CareVisit.objects.select_related("person__unit", "dependent", "requested_by", "approved_by"),
                  actor, perm, pk, for_write=for_write)


def person_care_context(*, actor: Any, person: Any) -> dict[str, Any]:
    """The profile panel: the person's care history."""
    rows = list(restrict(CareVisit.objects.filter(person=person), actor, "care.view_carevisit")
                .select_related("dependent").order_by("-visit_date", "-id")[:30])
    return {"care_visits": rows}


# --- plans ---------------------------------------------------------------------------------


def care_plan_list(*, actor: Any, filters: dict[str, Any] | None = None) -> QuerySet[CareVisitPlan]:
    filters = filters or {}
    qs = restrict(CareVisitPlan.objects.select_related("unit"), actor, "care.view_carevisit").annotate(
        n_targets=Count("targets"))
    year = _year(filters.get("year"))
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "unit__path")


def access_care_plan(actor: Any, pk: Any, *, perm: str = "care.view_carevisit") -> CareVisitPlan:
    return access(CareVisitPlan.objects.select_related("unit"), actor, perm, pk)


def plan_targets(*, plan: CareVisitPlan) -> QuerySet[CareVisitTarget]:
    # A visit counts whatever became of its money: the visit itself took place.
    visited = CareVisit.objects.filter(person_id=OuterRef("person_id"), visit_date__year=plan.year)
    return (plan.targets.select_related("person__unit").annotate(visited=Exists(visited))
            .order_by("person__unit__path", "person__name"))


def not_visited(*, actor: Any, unit: Unit, year: int) -> QuerySet[CareVisitTarget]:
    """People on the year's plans of the unit's subtree with no care visit recorded that year."""
    visited = CareVisit.objects.filter(person_id=OuterRef("person_id"), visit_date__gte=dt.date(year, 1, 1),
                                       visit_date__lte=dt.date(year, 12, 31))
    qs = restrict(CareVisitTarget.objects.select_related("person__unit", "plan"), actor, "care.view_carevisit")
    return (qs.filter(subtree_q("plan__unit__path", unit.path), plan__year=year)
            .exclude(Exists(visited)).order_by("person__unit__path", "person__name"))
