"""The authorisation matrix (security issue): every URL pattern and API route, for every role,
in scope and out of scope, answers as the permission table says.

A route without an entry in ROUTES fails `test_every_route_has_a_rule`, so a new view cannot
ship without deciding who may open it. Expectations come from the role table
(jingying.accounts.roles.ROLE_SPECS) and plain path arithmetic, never from the code under test.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jingying.accounts.roles import ROLE_SPECS, Role
from jingying.core.testing import login_client
from jingying.org.models import Unit
from jingying.org.tests.factories import DependentFactory, PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db

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


def _person(w: World, inside: bool) -> dict[str, Any]:
    return {"pk": (w.person_in if inside else w.person_out).pk}


def _dependent(w: World, inside: bool) -> dict[str, Any]:
    return {"pk": (w.dep_in if inside else w.dep_out).pk}


def _unit(w: World, inside: bool) -> dict[str, Any]:
    return {"pk": (w.tree.station if inside else w.tree.other_station).pk}


def _s(attr_in: str, attr_out: str, via: str = "pk") -> Callable[[World, bool], dict[str, Any]]:
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


def _token(w: World, inside: bool) -> dict[str, Any]:
    from jingying.surveys.public import public_link_ensure

    w.surveys()
    return {"token": public_link_ensure(campaign=w.public_in if inside else w.public_out).token}


def _api(key: str, fn: Callable[[World, bool], dict[str, Any]]) -> Callable[[World, bool], dict[str, Any]]:
    return lambda w, inside: {key: fn(w, inside)["pk"]}


ROUTES: dict[str, Route] = {
    # --- shell, sign-in, language ---
    "core:home": Route(perm=None),
    "accounts:login": Route(perm="public", ok=(200, 302)),  # signed in already: sent home
    "accounts:totp": Route(perm="public", ok=(302,)),  # without a pending sign-in: back to login
    "accounts:logout": Route(perm="public", method="post", ok=(302,)),
    "accounts:password_change": Route(perm=None),
    "set_language": Route(perm="public", method="post", data={"language": "en"}, ok=(302,)),
    "core:my_access_log": Route(perm=None),
    # --- audit (audit administrator only) ---
    "core:audit_list": Route(perm="core.view_audit"),
    "core:audit_export": Route(perm="core.view_audit"),
    # --- accounts and grants (security administrator only) ---
    "accounts:user_list": Route(perm="accounts.manage_users"),
    "accounts:user_create": Route(perm="accounts.manage_users"),
    "accounts:user_detail": Route(perm="accounts.manage_users", kwargs=lambda w, i: {"pk": w.target_user.pk}),
    "accounts:user_action": Route(perm="accounts.manage_users", method="post", ok=(302,), skip_allowed=True,
                                  kwargs=lambda w, i: {"pk": w.target_user.pk, "action": "unlock"}),
    "accounts:grant_revoke": Route(perm="accounts.manage_grants", method="post", skip_allowed=True,
                                   kwargs=lambda w, i: {"pk": w.users[Role.LEADER].grants.first().pk}),
    # --- units and people ---
    "org:unit_tree": Route(perm="org.view_unit"),
    "org:unit_detail": Route(perm="org.view_unit", obj="unit", kwargs=_unit),
    "org:person_list": Route(perm="org.view_person"),
    "org:person_create": Route(perm="org.add_person"),
    "org:person_detail": Route(perm="org.view_person", obj="person", kwargs=_person),
    "org:person_edit": Route(perm="org.change_person", obj="person", kwargs=_person),
    "org:person_delete": Route(perm="org.delete_person", obj="person", kwargs=_person),
    "org:dependent_create": Route(perm="org.change_dependent", obj="person", kwargs=_person),
    "org:dependent_edit": Route(perm="org.change_dependent", obj="dependent", kwargs=_dependent),
    "org:dependent_delete": Route(perm="org.change_dependent", obj="dependent", kwargs=_dependent),
    # --- roster import/export ---
    "org:roster_import": Route(perm="org.import_person"),
    # The blank template serves whoever may import or export (political staff, leaders).
    "org:roster_template": Route(perm="org.export_person"),
    "org:roster_export": Route(perm="org.export_person"),
    # A job belongs to its uploader; someone else's (or a missing) job is 404 for everyone.
    "org:roster_job": Route(perm="org.import_person", obj="job", kwargs=lambda w, i: {"pk": uuid.uuid4()}),
    "org:roster_job_confirm": Route(perm="org.import_person", obj="job", method="post",
                                    kwargs=lambda w, i: {"pk": uuid.uuid4()}),
    "org:roster_job_errors": Route(perm="org.import_person", obj="job", kwargs=lambda w, i: {"pk": uuid.uuid4()}),
    # --- surveys ---
    "surveys:mine": Route(perm="surveys.answer_campaign"),
    "surveys:anonymity": Route(perm=None),
    # Answering needs an invitation: only the officer (in the county's campaign) has one.
    "surveys:answer": Route(perm="surveys.answer_campaign", obj="invitation", kwargs=_s("campaign_in", "campaign_out")),
    "surveys:thanks": Route(perm="surveys.answer_campaign", obj="invitation", kwargs=_s("campaign_in", "campaign_out")),
    "surveys:questionnaire_list": Route(perm="surveys.view_questionnaire"),
    "surveys:questionnaire_create": Route(perm="surveys.manage_questionnaire"),
    "surveys:questionnaire_import": Route(perm="surveys.manage_questionnaire", method="post", skip_allowed=True),
    "surveys:questionnaire_latest": Route(perm="surveys.view_questionnaire", obj="county", ok=(200, 302),
                                          kwargs=_s("version_in", "version_out", via="questionnaire")),
    "surveys:version_detail": Route(perm="surveys.view_questionnaire", obj="county",
                                    kwargs=_s("version_in", "version_out")),
    "surveys:version_export": Route(perm="surveys.view_questionnaire", obj="county",
                                    kwargs=_s("version_in", "version_out")),
    "surveys:version_edit": Route(perm="surveys.manage_questionnaire", obj="county", kwargs=_s("draft_in", "draft_out")),
    "surveys:version_publish": Route(perm="surveys.manage_questionnaire", obj="county", method="post",
                                     skip_allowed=True, kwargs=_s("draft_in", "draft_out")),
    "surveys:version_revise": Route(perm="surveys.manage_questionnaire", obj="county", method="post",
                                    skip_allowed=True, kwargs=_s("version_in", "version_out")),
    "surveys:question_create": Route(perm="surveys.manage_questionnaire", obj="county",
                                     kwargs=_s("draft_in", "draft_out")),
    "surveys:question_edit": Route(perm="surveys.manage_questionnaire", obj="county",
                                   kwargs=_s("draft_in", "draft_out", via="question")),
    "surveys:question_delete": Route(perm="surveys.manage_questionnaire", obj="county", method="post",
                                     skip_allowed=True, kwargs=_s("draft_in", "draft_out", via="question")),
    "surveys:question_move": Route(perm="surveys.manage_questionnaire", obj="county", method="post",
                                   skip_allowed=True, kwargs=_s("draft_in", "draft_out", via="question")),
    "surveys:campaign_list": Route(perm="surveys.view_campaign"),
    "surveys:campaign_create": Route(perm="surveys.manage_campaign"),
    "surveys:campaign_detail": Route(perm="surveys.view_campaign", obj="county",
                                     kwargs=_s("campaign_in", "campaign_out")),
    "surveys:campaign_edit": Route(perm="surveys.manage_campaign", obj="county",
                                   kwargs=_s("campaign_in", "campaign_out")),
    "surveys:campaign_remind": Route(perm="surveys.manage_campaign", obj="county", method="post", skip_allowed=True,
                                     kwargs=_s("campaign_in", "campaign_out")),
    "surveys:campaign_close": Route(perm="surveys.manage_campaign", obj="county", method="post", skip_allowed=True,
                                    kwargs=_s("campaign_in", "campaign_out")),
    "surveys:campaign_results": Route(perm="surveys.view_results", obj="county",
                                      kwargs=_s("campaign_in", "campaign_out")),
    # Below k answers the export sends the user back to the results page with a message.
    "surveys:campaign_export": Route(perm="surveys.export_results", obj="county", ok=(200, 302),
                                     kwargs=_s("campaign_in", "campaign_out")),
    # Public evaluation: the form and its API need no sign-in; the poster and the review do.
    "public:form": Route(perm="public", kwargs=_token),
    "surveys:public_poster": Route(perm="surveys.view_campaign", obj="county", kwargs=_s("public_in", "public_out")),
    "surveys:public_held": Route(perm="surveys.manage_campaign", obj="county", kwargs=_s("public_in", "public_out")),
    "surveys:public_held_review": Route(perm="surveys.manage_campaign", obj="county", method="post", ok=(302,),
                                        skip_allowed=True, kwargs=_s("public_in", "public_out")),
    "api:public_form": Route(perm="public", api=True, kwargs=_token),
    # Every caller gets the same answer: 422 for an empty form (the required questions).
    "api:public_submit": Route(perm="public", api=True, method="post", ok=(422,), kwargs=_token,
                               data={"key": "matrix-key-01", "answers": {}, "device": "matrix-device-0001"}),
    "api:campaign_list": Route(perm="surveys.view_campaign", api=True),
    "api:campaign_detail": Route(perm="surveys.view_campaign", obj="county", api=True,
                                 kwargs=_api("campaign_id", _s("campaign_in", "campaign_out"))),
    "api:campaign_results": Route(perm="surveys.view_results", obj="county", api=True,
                                  kwargs=_api("campaign_id", _s("campaign_in", "campaign_out"))),
    "api:my_pending": Route(perm="surveys.answer_campaign", api=True),
    "api:my_survey": Route(perm="surveys.answer_campaign", obj="invitation", api=True,
                           kwargs=_api("campaign_id", _s("campaign_in", "campaign_out"))),
    "api:submit": Route(perm="surveys.answer_campaign", obj="invitation", api=True, method="post",
                        skip_allowed=True, data={"answers": {}}, kwargs=_api("campaign_id", _s("campaign_in", "campaign_out"))),
    # --- API ---
    "api:api-root": Route(perm="public", api=True, ok=(404,)),
    "api:openapi-json": Route(perm="public", api=True),
    "api:openapi-view": Route(perm="public", api=True),
    "api:unit_list": Route(perm="org.view_unit", api=True),
    "api:unit_detail": Route(perm="org.view_unit", obj="unit", api=True, kwargs=_api("unit_id", _unit)),
    "api:unit_children": Route(perm="org.view_unit", obj="unit", api=True, kwargs=_api("unit_id", _unit)),
    "api:person_list": Route(perm="org.view_person", api=True),
    "api:person_create": Route(perm="org.add_person", api=True, method="post", skip_allowed=True,
                               data={"name": "丙", "gender": "2", "birth_date": "1949-12-31",
                                     "id_number": "11010519491231002X", "unit": "150102001"}),
    "api:person_detail": Route(perm="org.view_person", obj="person", api=True, kwargs=_api("person_id", _person)),
    "api:person_update": Route(perm="org.change_person", obj="person", api=True, method="patch",
                               kwargs=_api("person_id", _person), skip_allowed=True),
    "api:person_dependents": Route(perm="org.view_dependent", obj="person", api=True,
                                   kwargs=_api("person_id", _person)),
    "api:person_history": Route(perm="org.view_person", obj="person", api=True, kwargs=_api("person_id", _person)),
}


def _all_route_names() -> list[str]:
    def walk(patterns: list[Any], ns: str) -> list[str]:
        names = []
        for p in patterns:
            if isinstance(p, URLResolver):
                names += walk(p.url_patterns, p.namespace or ns)
            elif isinstance(p, URLPattern) and p.name:
                names.append(f"{ns}:{p.name}" if ns else p.name)
        return names

    return walk(get_resolver().url_patterns, "")


def test_every_route_has_a_rule() -> None:
    missing = sorted(set(_all_route_names()) - set(ROUTES))
    assert not missing, f"routes without an authorisation rule: {missing}"


# --- the oracle: the role table and path arithmetic -----------------------------------------


def _object_unit(w: World, obj: str, inside: bool) -> Unit | None:
    if obj == "county":
        return w.tree.county if inside else w.tree.other_county
    if obj in ("person", "dependent"):
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
        return (404,) if _holds(role, route.perm) else (403, 404)
    if route.obj == "invitation":
        # Only the officer was invited (to the county's campaign, as a member of its station).
        return route.ok if role == Role.OFFICER and inside else (404,)
    spec = ROLE_SPECS.get(role)
    holds = spec is not None and route.perm in spec.permissions
    person_data = route.obj in ("person", "dependent") or route.perm.split(".")[1].endswith(("person", "dependent"))
    if holds and spec is not None and spec.units_only and person_data:
        holds = False
    self_service = spec is not None and route.perm in spec.self_permissions
    if route.obj is None:
        if holds:
            return route.ok
        if self_service:
            return (*route.ok, 403)  # a list of one's own records, or none at all
        return route.refused
    unit = _object_unit(w, route.obj, inside)
    assert unit is not None
    if holds and unit.path.startswith(w.grant_unit[role].path):
        return route.ok
    if self_service and route.obj in ("person", "dependent") and inside:
        return route.ok  # the officer's own record
    return (404,) if holds or self_service else (403, 404)


def _holds(role: str, perm: str) -> bool:
    spec = ROLE_SPECS.get(role)
    return spec is not None and perm in spec.permissions


def _call(client: Client, route: Route, url: str) -> int:
    method = getattr(client, route.method)
    if route.api and route.method in ("post", "patch"):
        return method(url, data=json.dumps(route.data), content_type="application/json").status_code
    return method(url, route.data).status_code


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_answers_each_role_as_the_table_says(name: str) -> None:
    route = ROUTES[name]
    w = World()
    failures = []
    for role in ROLES:
        for inside in ((True, False) if route.obj else (True,)):
            want = expected(route, w, role, inside)
            if route.skip_allowed and route.ok == want and role not in (ANON,):
                continue
            url = reverse(name, kwargs=route.kwargs(w, inside) if route.kwargs else None)
            got = _call(w.client(role), route, url)
            if got not in want:
                failures.append(f"{role} {'in' if inside else 'out'}: got {got}, want {want}")
    assert not failures, f"{name}:\n" + "\n".join(failures)
