"""Scope every query by the actor's grants (architecture §4, style rule 4).

A model opts in by naming two lookups:
- `scope_unit_path`: from the model to the owning unit's materialised path ("unit__path");
- `scope_person` (optional): from the model to the Person it is about ("id", "person_id"),
  so self-service roles see their own records.

`restrict(qs, actor, perm)` returns the queryset filtered to what the actor may see with that
permission; `access(qs, actor, perm, pk)` fetches one object or raises Http404, so an object out
of scope is indistinguishable from one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from jingying.accounts.roles import ROLE_SPECS
from jingying.core.prepared import Prepared

M = TypeVar("M", bound=models.Model)


def subtree_q(path_lookup: str, path: str) -> Q:
    """`path_lookup` starts with `path`, as a range so both databases use the index.

    Paths end in "/", the character just below "0", so every descendant sorts in
    [path, path-with-its-last-"/"-replaced-by-"0").
    """
    upper = path[:-1] + "0"
    return Q(**{f"{path_lookup}__gte": path, f"{path_lookup}__lt": upper})


class SystemActor:
    """The installation itself, acting without a user (the CLI without --as-user).

    Whole-force scope for every permission; audited as "system" with no user id. Never reachable
    from a request: only code that deliberately passes `SYSTEM` acts as it.
    """

    pk = None
    id = None
    person_id = None
    username = "system"
    is_authenticated = True
    is_system = True

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


def _is_system(actor: Any) -> bool:
    return isinstance(actor, SystemActor)


@dataclass(frozen=True)
class ActiveGrant:
    role: str
    unit_id: int
    unit_path: str
    domains: frozenset[str]


def active_grants(actor: Any) -> list[ActiveGrant]:
    """The actor's unexpired grants, read once per request and cached on the user object."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    cached = getattr(actor, "_jy_grants", None)
    if cached is None:
        rows = _GRANTS.rows(actor.pk)  # the same query, compiled once per connection
        if rows is None:
            rows = _grants_query(actor.pk)
        cached = [ActiveGrant(role, unit_id, path, frozenset(domains or [])) for role, unit_id, path, domains in rows]
        actor._jy_grants = cached
    return list(cached)


def _grants_query(user_id: Any) -> Any:
    from jingying.accounts.models import Grant

    return Grant.objects.active().filter(user_id=user_id).values_list("role", "unit_id", "unit__path", "domains")


# -1 is no account's id; the grants' expiry is compared with the time of each request.
_GRANTS = Prepared("active_grants", _grants_query, -1, now=True)


def forget_grants(actor: Any) -> None:
    if hasattr(actor, "_jy_grants"):
        del actor._jy_grants


def has_perm(actor: Any, perm: str, *, domain: str | None = None) -> bool:
    """Whether any grant gives `perm` somewhere (the scope still applies per object)."""
    if _is_system(actor):
        return True
    for grant in active_grants(actor):
        spec = ROLE_SPECS[grant.role]
        if (perm in spec.permissions or perm in spec.self_permissions) and (
            domain is None or domain in grant.domains
        ):
            return True
    return False


def scope_q(model: type[models.Model], actor: Any, perm: str, *, domain: str | None = None) -> Q | None:
    """The filter for `perm` on `model`, or None when the actor may see nothing."""
    if _is_system(actor):
        return Q()
    path_lookup: str = model.scope_unit_path  # type: ignore[attr-defined]
    person_lookup: str | None = getattr(model, "scope_person", None)
    clauses: list[Q] = []
    own = False
    for grant in active_grants(actor):
        spec = ROLE_SPECS[grant.role]
        if domain is not None and domain not in grant.domains:
            continue
        if perm in spec.permissions and not (spec.units_only and person_lookup is not None):
            # (administrators see structure, never people)
            clauses.append(subtree_q(path_lookup, grant.unit_path))
        # Self-service also holds where the grant's subtree does not reach the holder's own unit.
        if perm in spec.self_permissions and person_lookup is not None:
            own = True
    person_id = getattr(actor, "person_id", None)
    if own and person_id is not None and person_lookup is not None:
        clauses.append(Q(**{person_lookup: person_id}))
    if not clauses:
        return None
    combined = clauses[0]
    for clause in clauses[1:]:
        combined |= clause
    return combined


def restrict(qs: QuerySet[M], actor: Any, perm: str, *, domain: str | None = None) -> QuerySet[M]:
    q = scope_q(qs.model, actor, perm, domain=domain)
    return qs.none() if q is None else qs.filter(q)


def access(qs: QuerySet[M], actor: Any, perm: str, pk: Any, *, domain: str | None = None, for_write: bool = False) -> M:
    """One object in scope, or 404; locked for update when writing."""
    scoped = restrict(qs, actor, perm, domain=domain)
    if for_write:
        scoped = scoped.select_for_update(of=("self",))
    try:
        return scoped.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):  # the model's DoesNotExist is one
        raise Http404 from None


def grant_roots(actor: Any, perm: str) -> list[ActiveGrant]:
    """The grants giving `perm` over a subtree (not self-only), e.g. for tree roots and exports."""
    return [g for g in active_grants(actor) if perm in ROLE_SPECS[g.role].permissions]


def covers(actor: Any, perm: str, unit_path: str, *, domain: str | None = None) -> bool:
    """Whether a grant gives `perm` over the unit at `unit_path` (for writes into a unit)."""
    if _is_system(actor):
        return True
    for grant in active_grants(actor):
        if perm not in ROLE_SPECS[grant.role].permissions:
            continue
        if domain is not None and domain not in grant.domains:
            continue
        if unit_path.startswith(grant.unit_path):
            return True
    return False


def require(actor: Any, perm: str, unit_path: str, *, domain: str | None = None) -> None:
    """Raise PermissionDenied unless the actor holds `perm` over that unit."""
    from django.core.exceptions import PermissionDenied

    if not covers(actor, perm, unit_path, domain=domain):
        raise PermissionDenied(perm)


def require_perm(actor: Any, perm: str, *, domain: str | None = None) -> None:
    """PermissionDenied unless some grant gives `perm` at all (a list the caller may not open)."""
    from django.core.exceptions import PermissionDenied

    if not has_perm(actor, perm, domain=domain):
        raise PermissionDenied(perm)
