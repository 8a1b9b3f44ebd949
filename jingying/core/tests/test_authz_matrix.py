"""The authorisation matrix (security issue): every URL pattern and API route, for every role,
in scope and out of scope, answers as the permission table says.

A route without an entry in ROUTES fails `test_every_route_has_a_rule`, so a new view cannot
ship without deciding who may open it. Expectations come from the role table
(jingying.accounts.roles.ROLE_SPECS) and plain path arithmetic, never from the code under test.
Domain apps keep their rules in `<app>/tests/authz_routes.py` (APP_ROUTE_MODULES).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.module_loading import import_string

from jingying.accounts.roles import Role
from jingying.core.tests.authz import (
    ANON,
    ROLES,
    Route,
    World,
    call,
    expected,
    kw_api,
    kw_dependent,
    kw_person,
    kw_surveys,
    kw_token,
    kw_unit,
)

pytestmark = pytest.mark.django_db

ROUTES: dict[str, Route] = {
    # --- shell, sign-in, language ---
    "core:home": Route(perm=None),
    "accounts:login": Route(perm="public", ok=(200, 302)),  # signed in already: sent home
    "accounts:totp": Route(perm="public", ok=(302,)),  # without a pending sign-in: back to login
    "accounts:logout": Route(perm="public", method="post", ok=(302,)),
    "accounts:password_change": Route(perm=None),
    "set_language": Route(perm="public", method="post", data={"language": "en"}, ok=(302,)),
    "core:my_access_log": Route(perm=None),
    "core:notification_list": Route(perm=None),
    "core:notification_bell": Route(perm=None),
    "core:notification_read_all": Route(perm=None, method="post", ok=(302,)),
    # Someone else's (or a missing) message is 404 for everyone.
    "core:notification_open": Route(perm=None, kwargs=lambda w, i: {"pk": 999999}, ok=(404,)),
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
    "org:unit_detail": Route(perm="org.view_unit", obj="unit", kwargs=kw_unit),
    "org:person_list": Route(perm="org.view_person"),
    "org:person_create": Route(perm="org.add_person"),
    "org:person_detail": Route(perm="org.view_person", obj="person", kwargs=kw_person),
    "org:person_edit": Route(perm="org.change_person", obj="person", kwargs=kw_person),
    "org:person_delete": Route(perm="org.delete_person", obj="person", kwargs=kw_person),
    "org:dependent_create": Route(perm="org.change_dependent", obj="person", kwargs=kw_person),
    "org:dependent_edit": Route(perm="org.change_dependent", obj="dependent", kwargs=kw_dependent),
    "org:dependent_delete": Route(perm="org.change_dependent", obj="dependent", kwargs=kw_dependent),
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
    "surveys:answer": Route(perm="surveys.answer_campaign", obj="invitation", kwargs=kw_surveys("campaign_in", "campaign_out")),
    "surveys:thanks": Route(perm="surveys.answer_campaign", obj="invitation", kwargs=kw_surveys("campaign_in", "campaign_out")),
    "surveys:questionnaire_list": Route(perm="surveys.view_questionnaire"),
    "surveys:questionnaire_create": Route(perm="surveys.manage_questionnaire"),
    "surveys:questionnaire_import": Route(perm="surveys.manage_questionnaire", method="post", skip_allowed=True),
    "surveys:questionnaire_latest": Route(perm="surveys.view_questionnaire", obj="county", ok=(200, 302),
                                          kwargs=kw_surveys("version_in", "version_out", via="questionnaire")),
    "surveys:version_detail": Route(perm="surveys.view_questionnaire", obj="county",
                                    kwargs=kw_surveys("version_in", "version_out")),
    "surveys:version_export": Route(perm="surveys.view_questionnaire", obj="county",
                                    kwargs=kw_surveys("version_in", "version_out")),
    "surveys:version_edit": Route(perm="surveys.manage_questionnaire", obj="county", kwargs=kw_surveys("draft_in", "draft_out")),
    "surveys:version_publish": Route(perm="surveys.manage_questionnaire", obj="county", method="post",
                                     skip_allowed=True, kwargs=kw_surveys("draft_in", "draft_out")),
    "surveys:version_revise": Route(perm="surveys.manage_questionnaire", obj="county", method="post",
                                    skip_allowed=True, kwargs=kw_surveys("version_in", "version_out")),
    "surveys:question_create": Route(perm="surveys.manage_questionnaire", obj="county",
                                     kwargs=kw_surveys("draft_in", "draft_out")),
    "surveys:question_edit": Route(perm="surveys.manage_questionnaire", obj="county",
                                   kwargs=kw_surveys("draft_in", "draft_out", via="question")),
    "surveys:question_delete": Route(perm="surveys.manage_questionnaire", obj="county", method="post",
                                     skip_allowed=True, kwargs=kw_surveys("draft_in", "draft_out", via="question")),
    "surveys:question_move": Route(perm="surveys.manage_questionnaire", obj="county", method="post",
                                   skip_allowed=True, kwargs=kw_surveys("draft_in", "draft_out", via="question")),
    "surveys:campaign_list": Route(perm="surveys.view_campaign"),
    "surveys:campaign_create": Route(perm="surveys.manage_campaign"),
    "surveys:campaign_detail": Route(perm="surveys.view_campaign", obj="county",
                                     kwargs=kw_surveys("campaign_in", "campaign_out")),
    "surveys:campaign_edit": Route(perm="surveys.manage_campaign", obj="county",
                                   kwargs=kw_surveys("campaign_in", "campaign_out")),
    "surveys:campaign_remind": Route(perm="surveys.manage_campaign", obj="county", method="post", skip_allowed=True,
                                     kwargs=kw_surveys("campaign_in", "campaign_out")),
    "surveys:campaign_close": Route(perm="surveys.manage_campaign", obj="county", method="post", skip_allowed=True,
                                    kwargs=kw_surveys("campaign_in", "campaign_out")),
    "surveys:campaign_results": Route(perm="surveys.view_results", obj="county",
                                      kwargs=kw_surveys("campaign_in", "campaign_out")),
    # Below k answers the export sends the user back to the results page with a message.
    # surveys:campaign_export (now a POST starting a background job): jingying/surveys/tests/authz_routes.py
    # Public evaluation: the form and its API need no sign-in; the poster and the review do.
    "public:form": Route(perm="public", kwargs=kw_token),
    "surveys:public_poster": Route(perm="surveys.view_campaign", obj="county", kwargs=kw_surveys("public_in", "public_out")),
    "surveys:public_held": Route(perm="surveys.manage_campaign", obj="county", kwargs=kw_surveys("public_in", "public_out")),
    "surveys:public_held_review": Route(perm="surveys.manage_campaign", obj="county", method="post", ok=(302,),
                                        skip_allowed=True, kwargs=kw_surveys("public_in", "public_out")),
    "api:public_form": Route(perm="public", api=True, kwargs=kw_token),
    # Every caller gets the same answer: 422 for an empty form (the required questions).
    "api:public_submit": Route(perm="public", api=True, method="post", ok=(422,), kwargs=kw_token,
                               data={"key": "matrix-key-01", "answers": {}, "device": "matrix-device-0001"}),
    "api:campaign_list": Route(perm="surveys.view_campaign", api=True),
    "api:campaign_detail": Route(perm="surveys.view_campaign", obj="county", api=True,
                                 kwargs=kw_api("campaign_id", kw_surveys("campaign_in", "campaign_out"))),
    "api:campaign_results": Route(perm="surveys.view_results", obj="county", api=True,
                                  kwargs=kw_api("campaign_id", kw_surveys("campaign_in", "campaign_out"))),
    "api:my_pending": Route(perm="surveys.answer_campaign", api=True),
    "api:my_survey": Route(perm="surveys.answer_campaign", obj="invitation", api=True,
                           kwargs=kw_api("campaign_id", kw_surveys("campaign_in", "campaign_out"))),
    "api:submit": Route(perm="surveys.answer_campaign", obj="invitation", api=True, method="post",
                        skip_allowed=True, data={"answers": {}}, kwargs=kw_api("campaign_id", kw_surveys("campaign_in", "campaign_out"))),
    # --- API ---
    "api:api-root": Route(perm="public", api=True, ok=(404,)),
    "api:openapi-json": Route(perm="public", api=True),
    "api:openapi-view": Route(perm="public", api=True),
    "api:unit_list": Route(perm="org.view_unit", api=True),
    "api:unit_detail": Route(perm="org.view_unit", obj="unit", api=True, kwargs=kw_api("unit_id", kw_unit)),
    "api:unit_children": Route(perm="org.view_unit", obj="unit", api=True, kwargs=kw_api("unit_id", kw_unit)),
    "api:person_list": Route(perm="org.view_person", api=True),
    "api:person_create": Route(perm="org.add_person", api=True, method="post", skip_allowed=True,
                               data={"name": "丙", "gender": "2", "birth_date": "1949-12-31",
                                     "id_number": "11010519491231002X", "unit": "150102001"}),
    "api:person_detail": Route(perm="org.view_person", obj="person", api=True, kwargs=kw_api("person_id", kw_person)),
    "api:person_update": Route(perm="org.change_person", obj="person", api=True, method="patch",
                               kwargs=kw_api("person_id", kw_person), skip_allowed=True),
    "api:person_dependents": Route(perm="org.view_dependent", obj="person", api=True,
                                   kwargs=kw_api("person_id", kw_person)),
    "api:person_history": Route(perm="org.view_person", obj="person", api=True, kwargs=kw_api("person_id", kw_person)),
}

# Each domain app's rules: every `jingying/<app>/tests/authz_routes*.py` module's ROUTES.
APP_ROUTE_MODULES = sorted(
    f"jingying.{p.parent.parent.name}.tests.{p.stem}"
    for p in Path(__file__).resolve().parents[2].glob("*/tests/authz_routes*.py")
)
for _module in APP_ROUTE_MODULES:
    _rules = import_string(f"{_module}.ROUTES")
    assert not set(_rules) & set(ROUTES), f"{_module} repeats rules: {sorted(set(_rules) & set(ROUTES))}"
    ROUTES.update(_rules)



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
            got = call(w.client(role), route, url)
            if got not in want:
                failures.append(f"{role} {'in' if inside else 'out'}: got {got}, want {want}")
    assert not failures, f"{name}:\n" + "\n".join(failures)
