"""Every read of units, people and families (style rule 3): scoped, with the query shape owned here."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL

from jingying.accounts.roles import ROLE_SPECS
from jingying.core.scoping import access, active_grants, grant_roots, restrict, subtree_q
from jingying.org.choices import SERVING_STATUSES
from jingying.org.filters import PersonFilterSet
from jingying.org.models import Dependent, Person, PersonHistory, Unit


def unit_list(*, actor: Any, perm: str = "org.view_unit") -> QuerySet[Unit]:
    return restrict(Unit.objects.all(), actor, perm)


def access_unit(actor: Any, pk: Any) -> Unit:
    return access(Unit.objects.select_related("parent"), actor, "org.view_unit", pk)


def unit_roots(*, actor: Any) -> list[Unit]:
    """The top units of the actor's visible tree (one per grant, nested grants folded)."""
    paths = sorted({g.unit_path for g in grant_roots(actor, "org.view_unit")})
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(r) for r in roots):
            roots.append(path)
    return list(Unit.objects.filter(path__in=roots).order_by("path"))


def unit_children(*, actor: Any, unit: Unit) -> list[Unit]:
    return list(unit_list(actor=actor).filter(parent=unit).order_by("sort_order", "path"))


def unit_headcounts(*, actor: Any, units: list[Unit]) -> dict[int, int]:
    """Serving people in each unit's subtree: one GROUP BY over the people's own unit, rolled
    up to the asked-for units in Python.

    Grouping by a prefix of the joined unit path made the database compute a substring for
    every person (hundreds of milliseconds for the whole force); here it only groups by the
    unit (~1,200 groups at most) and each group's count is added to every asked-for unit on its
    path. Counts structure only (how many), which even the system administrator may see.
    """
    if not units:
        return {}
    result = {u.pk: 0 for u in units}
    wanted: dict[str, list[int]] = {}
    for unit in units:
        wanted.setdefault(unit.path, []).append(unit.pk)
    # Only the outermost subtrees need filtering on: a unit inside another asked-for one is
    # covered by it.
    tops: list[str] = []
    for path in sorted(wanted):
        if not tops or not path.startswith(tops[-1]):
            tops.append(path)
    q = subtree_q("unit__path", tops[0])
    for path in tops[1:]:
        q |= subtree_q("unit__path", path)
    rows = (
        Person.objects.filter(q, status__in=SERVING_STATUSES)
        .values_list("unit__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    for path, n in rows:
        # Every ancestor-or-self prefix of the path ends at a "/".
        end = path.find("/")
        while end != -1:
            for pk in wanted.get(path[: end + 1], ()):
                result[pk] += n
            end = path.find("/", end + 1)
    return result


def unit_ancestors(unit: Unit) -> list[Unit]:
    ids = [int(seg, 16) for seg in unit.path.strip("/").split("/") if seg]
    by_id = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


def _people(actor: Any, perm: str) -> QuerySet[Person]:
    """People in the actor's scope (restrict), plus, on PostgreSQL, the same scope once more as
    a list of unit ids the planner can see.

    The scope is a range on the joined unit path; PostgreSQL then hashes every person in the
    force against the subtree's units (a city's 50-row page spent ~15 ms of 30,000 rows in its
    COUNT). `unit_id IN (SELECT unnest(ARRAY(<the subtree's unit ids>)))` is evaluated once and
    read through the unit_id index (~1–3 ms). It only narrows: restrict's own filter stays, and
    the ids are those of every subtree a grant gives the permission over, so nobody visible is
    dropped. An actor who also sees their own record through a self permission (which may sit
    outside those subtrees; every business role has one, decision 0014) keeps it with
    `OR id = own`. SQLite already walks the unit index this way.
    """
    qs = restrict(Person.objects.select_related("unit"), actor, perm)
    if connection.vendor != "postgresql":
        return qs
    own_id = getattr(actor, "person_id", None)
    if own_id is not None and not any(perm in ROLE_SPECS[g.role].self_permissions for g in active_grants(actor)):
        own_id = None
    paths = sorted({g.unit_path for g in grant_roots(actor, perm)})
    tops: list[str] = []
    for path in paths:
        if not tops or not path.startswith(tops[-1]):
            tops.append(path)
    if not tops:
        return qs
    q = subtree_q("path", tops[0])
    for path in tops[1:]:
        q |= subtree_q("path", path)
    sql, params = Unit.objects.filter(q).order_by().values("id").query.sql_with_params()
    narrow = Q(unit_id__in=RawSQL(f"SELECT unnest(ARRAY({sql}))", params))  # noqa: S611 - Django's own SQL and params
    # One's own record stays visible even where it lies outside the granted subtrees (decision 0014).
    return qs.filter(narrow | Q(pk=own_id) if own_id is not None else narrow)


def person_list(*, actor: Any, filters: dict[str, Any] | None = None, perm: str = "org.view_person") -> QuerySet[Person]:
    if filters:
        return person_filter(actor=actor, filters=filters, perm=perm)[0]
    return _people(actor, perm).order_by("name", "id")


def person_filter(
    *, actor: Any, filters: dict[str, Any], perm: str = "org.view_person"
) -> tuple[QuerySet[Person], PersonFilterSet]:
    """`person_list` and the filter set that filtered it, whose form and errors the list page
    shows (so the page builds one filter form, not two)."""
    qs = _people(actor, perm)
    filterset = PersonFilterSet(data=filters, queryset=qs)
    qs = filterset.qs if filterset.is_valid() else qs.none()
    return qs.order_by("name", "id"), filterset


def access_person(actor: Any, pk: Any, *, for_write: bool = False) -> Person:
    perm = "org.change_person" if for_write else "org.view_person"
    return access(Person.objects.select_related("unit"), actor, perm, pk, for_write=for_write)


def dependent_list(*, actor: Any, person: Person) -> QuerySet[Dependent]:
    return restrict(Dependent.objects.filter(person=person), actor, "org.view_dependent")


def access_dependent(actor: Any, pk: Any, *, for_write: bool = False) -> Dependent:
    perm = "org.change_dependent" if for_write else "org.view_dependent"
    return access(Dependent.objects.select_related("person__unit"), actor, perm, pk, for_write=for_write)


def person_history(*, actor: Any, person: Person) -> QuerySet[PersonHistory]:
    return restrict(PersonHistory.objects.filter(person=person), actor, "org.view_person")


def unit_breakdown(*, actor: Any, unit: Unit) -> list[dict[str, Any]]:
    """People in the unit's subtree by category and status: one GROUP BY (counts only, like
    unit_headcounts, so the system administrator may see them too)."""
    return list(
        Person.objects.filter(subtree_q("unit__path", unit.path))
        .values("category", "status")
        .annotate(n=Count("id"))
        .order_by("category", "status")
    )


def unit_child_counts(*, actor: Any, units: list[Unit]) -> dict[int, int]:
    """How many visible children each unit has (one GROUP BY), to offer "expand" only where useful."""
    rows = unit_list(actor=actor).filter(parent__in=units).values("parent").annotate(n=Count("id")).order_by()
    return {row["parent"]: row["n"] for row in rows}
