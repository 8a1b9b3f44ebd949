"""The authorisation matrix's world, route rules and oracle (test_authz_matrix.py uses them).

Each domain app lists its own routes in `<app>/tests/authz_routes.py` as `ROUTES: dict[str,
Route]`, building its objects through `World.memo` (inside: under the station or county of
`tree`; outside: under `other_station`/`other_county`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.test import Client

from jingying.accounts.roles import ROLE_SPECS, Role
from jingying.core.testing import login_client
from jingying.org.models import Unit
from jingying.org.tests.factories import DependentFactory, PersonFactory, Tree, make_user

ANON = "anonymous"
NOGRANT = "nogrant"
ROLES = [ANON, NOGRANT, *[r.value for r in Role]]


class World:
    """A small force with one user per role; `inside` objects sit under the station."""

    def __init__(self) -> None:
        self.tree = Tree()
        t = self.tree
        self.person_in = PersonFactory(unit=t.station, name="甲")
        self.person_out = PersonFactory(unit=t.other_station, name="乙")
        self.dep_in = DependentFactory(person=self.person_in)
        self.dep_out = DependentFactory(person=self.person_out)
        self.grant_unit: dict[str, Unit] = {
            Role.OFFICER: t.station, Role.LEADER: t.county, Role.POLITICAL: t.city,
            Role.COUNSELLOR: t.region, Role.MEDICAL: t.region, Role.INSPECTOR: t.region,
            Role.PUBLICITY: t.region, Role.SYSADMIN: t.region, Role.SECADMIN: t.region, Role.AUDITOR: t.region,
        }
        domains = {Role.COUNSELLOR: ["psych"], Role.MEDICAL: ["health"], Role.INSPECTOR: ["integrity"]}
        self.users: dict[str, Any] = {NOGRANT: make_user("nogrant")}
        for role, unit in self.grant_unit.items():
            person = self.person_in if role == Role.OFFICER else None
            self.users[role] = make_user(f"u_{role}", role=role, unit=unit, person=person, domains=domains.get(role))
        self.target_user = make_user("target")
        self.domains = {str(role): [str(d) for d in ds] for role, ds in domains.items()}
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, build: Callable[[World], Any]) -> Any:
        """Build an app's objects once per world: `w.memo("care", make_care_objects)`."""
        if key not in self._memo:
            self._memo[key] = build(self)
        return self._memo[key]

    def surveys(self) -> World:
        """Questionnaires and campaigns owned by the county (inside) and the other county (outside)."""
        if hasattr(self, "campaign_in"):
            return self
        from jingying.surveys.tests.factories import make_campaign, make_version

        t = self.tree
        self.version_in, self.version_out = make_version(t.county, code="in"), make_version(t.other_county, code="out")
        self.draft_in = make_version(t.county, code="draft_in", publish=False)
        self.draft_out = make_version(t.other_county, code="draft_out", publish=False)
        self.campaign_in = make_campaign(t.county, version=self.version_in)
        self.campaign_out = make_campaign(t.other_county, version=self.version_out)
        self.public_in = make_campaign(t.county, version=self.version_in, kind="public", title="公开评价")
        self.public_out = make_campaign(t.other_county, version=self.version_out, kind="public", title="公开评价")
        return self

    def client(self, role: str) -> Client:
        return Client() if role == ANON else login_client(self.users[role])


@dataclass
class Route:
    """How to call one route and which permission decides it.

    obj: what the URL points at ("person", "dependent", "unit", None for a collection)
    """

    perm: str | None  # None: any signed-in user; "public": no sign-in needed
    obj: str | None = None
    kwargs: Callable[[World, bool], dict[str, Any]] | None = None
    method: str = "get"
    data: dict[str, Any] = field(default_factory=dict)
    api: bool = False
    # Status a permitted caller gets (a POST without a valid form answers 400; a redirect 302).
    ok: tuple[int, ...] = (200,)
    # Refusal when the caller lacks the permission altogether on a collection route.
    refused: tuple[int, ...] = (403,)
    skip_allowed: bool = False  # a permitted call would change data: check refusals only
    # A sensitive domain (psych, health, integrity, fund) the grant must also name.
    domain: str | None = None
    # For a self-service route staff may also use over their subtree (e.g. cancelling an
    # enrolment: the child's parent, or whoever runs the programme), the staff permission.
    staff_perm: str | None = None


def kw_person(w: World, inside: bool) -> dict[str, Any]:
    return {"pk": (w.person_in if inside else w.person_out).pk}


def kw_dependent(w: World, inside: bool) -> dict[str, Any]:
    return {"pk": (w.dep_in if inside else w.dep_out).pk}


def kw_unit(w: World, inside: bool) -> dict[str, Any]:
    return {"pk": (w.tree.station if inside else w.tree.other_station).pk}


def kw_surveys(attr_in: str, attr_out: str, via: str = "pk") -> Callable[[World, bool], dict[str, Any]]:
    """Surveys objects: `attr_in`/`attr_out` on the world, or `version.question` for a question."""

    def build(w: World, inside: bool) -> dict[str, Any]:
        w.surveys()
        obj = getattr(w, attr_in if inside else attr_out)
        if via == "question":
            obj = obj.questions.order_by("position").first()
        elif via == "questionnaire":
            obj = obj.questionnaire
        return {"pk": obj.pk}

    return build


def kw_token(w: World, inside: bool) -> dict[str, Any]:
    from jingying.surveys.public import public_link_ensure

    w.surveys()
    return {"token": public_link_ensure(campaign=w.public_in if inside else w.public_out).token}


def kw_api(key: str, fn: Callable[[World, bool], dict[str, Any]]) -> Callable[[World, bool], dict[str, Any]]:
    return lambda w, inside: {key: fn(w, inside)["pk"]}



# --- the oracle: the role table and path arithmetic -----------------------------------------


def object_unit(w: World, obj: str, inside: bool) -> Unit | None:
    if obj == "county":
        return w.tree.county if inside else w.tree.other_county
    if obj in ("person", "dependent", "station"):
        return w.tree.station if inside else w.tree.other_station
    if obj == "unit":
        return w.tree.station if inside else w.tree.other_station
    return None


def expected(route: Route, w: World, role: str, inside: bool) -> tuple[int, ...]:
    """What `role` must get for this route and object."""
    if route.perm == "public":
        return route.ok
    if role == ANON:
        return (401,) if route.api else (302,)
    if route.perm is None:
        return route.ok
    if route.obj == "job":
        return (404,) if role_holds(role, route.perm) else (403, 404)
    if route.obj == "invitation":
        # Only the officer was invited (to the county's campaign, as a member of its station).
        return route.ok if role == Role.OFFICER and inside else (404,)
    spec = ROLE_SPECS.get(role)
    holds = spec is not None and (route.perm in spec.permissions or route.staff_perm in spec.permissions)
    if route.domain is not None and route.domain not in w.domains.get(role, []):
        holds = False
    person_data = route.obj in ("person", "dependent") or route.perm.split(".")[1].endswith(("person", "dependent"))
    if holds and spec is not None and spec.units_only and person_data:
        holds = False
    self_service = spec is not None and route.perm in spec.self_permissions
    if route.domain is not None and route.domain not in w.domains.get(role, []):
        self_service = False
    if route.obj is None:
        if holds:
            return route.ok
        if self_service:
            if getattr(w.users.get(role), "person_id", None) is None:
                # Self-service with no person record: refused, or (a create) told to name one.
                return (*route.ok, 403, 422)
            return (*route.ok, 403)  # a list of one's own records, or none at all
        return route.refused
    unit = object_unit(w, route.obj, inside)
    assert unit is not None
    if holds and unit.path.startswith(w.grant_unit[role].path):
        return route.ok
    # Every business role holds self-service (decision 0014), but in this world only the
    # officer's account is linked to a person (甲, inside): the others' self path finds nothing.
    own_person = getattr(w.users.get(role), "person_id", None) == w.person_in.pk
    if self_service and route.obj in ("person", "dependent") and inside and own_person:
        return route.ok  # the officer's own record
    return (404,) if holds or self_service else (403, 404)


def role_holds(role: str, perm: str) -> bool:
    spec = ROLE_SPECS.get(role)
    return spec is not None and perm in spec.permissions


def call(client: Client, route: Route, url: str) -> int:
    method = getattr(client, route.method)
    if route.api and route.method in ("post", "patch"):
        return method(url, data=json.dumps(route.data), content_type="application/json").status_code
    return method(url, route.data).status_code
