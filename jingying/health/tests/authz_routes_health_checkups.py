"""The health app's rows of the authorisation matrix (jingying/core/tests/test_authz_matrix.py)."""

from __future__ import annotations

from jingying.core.tests.authz import Route

ROUTES: dict[str, Route] = {}

# --- health-checkups (annual checkups and the officer's own health page, issue 6 parts 1 and 5) ---
import uuid as _uuid  # noqa: E402

from jingying.health.tests.factories_checkups import kw_matrix  # noqa: E402

_job = lambda w, i: {"pk": _uuid.uuid4()}  # noqa: E731 - someone else's (or a missing) job is 404
ROUTES.update({
    "health:me": Route(perm="health.view_own_health"),
    "health:checkup_plan_list": Route(perm="health.view_checkup_plan"),
    "health:checkup_plan_create": Route(perm="health.manage_checkup_plan", domain="health"),
    "health:checkup_plan_detail": Route(perm="health.view_checkup_plan", obj="county", kwargs=kw_matrix("plan")),
    "health:checkup_plan_edit": Route(perm="health.manage_checkup_plan", obj="county", domain="health",
                                      kwargs=kw_matrix("plan")),
    "health:checkup_plan_sync": Route(perm="health.manage_checkup_plan", obj="county", domain="health",
                                      method="post", skip_allowed=True, kwargs=kw_matrix("plan")),
    "health:checkup_plan_close": Route(perm="health.manage_checkup_plan", obj="county", domain="health",
                                       method="post", skip_allowed=True, kwargs=kw_matrix("plan")),
    "health:checkup_plan_export": Route(perm="health.export_checkup", obj="county", domain="health",
                                        kwargs=kw_matrix("plan")),
    "health:checkup_import": Route(perm="health.import_checkup", obj="county", domain="health",
                                   kwargs=kw_matrix("plan")),
    "health:checkup_import_job": Route(perm="health.import_checkup", obj="job", kwargs=_job),
    "health:checkup_import_confirm": Route(perm="health.import_checkup", obj="job", method="post", kwargs=_job),
    "health:checkup_record_detail": Route(perm="health.view_checkup", obj="person", domain="health",
                                          kwargs=kw_matrix("record")),
    "health:checkup_record_result": Route(perm="health.manage_checkup", obj="person", domain="health",
                                          kwargs=kw_matrix("record")),
    "health:checkup_record_book": Route(perm="health.manage_checkup", obj="person", domain="health",
                                        method="post", skip_allowed=True, kwargs=kw_matrix("record")),
    "health:followup_list": Route(perm="health.view_checkup", domain="health"),
    "health:followup_export": Route(perm="health.export_checkup", domain="health"),
    "health:followup_detail": Route(perm="health.view_checkup", obj="person", domain="health",
                                    kwargs=kw_matrix("followup")),
    "health:followup_refer": Route(perm="health.manage_checkup", obj="person", domain="health", method="post",
                                   skip_allowed=True, kwargs=kw_matrix("followup")),
    "health:checkup_stats": Route(perm="health.view_checkup_stats"),
    "health:checkup_stats_export": Route(perm="health.view_checkup_stats"),
})

from jingying.core.tests.authz import kw_api  # noqa: E402
from jingying.health.tests.factories_checkups import LAST_YEAR  # noqa: E402

ROUTES.update({
    "api:health_me": Route(perm="health.view_own_health", api=True),
    "api:checkup_plan_list": Route(perm="health.view_checkup_plan", api=True),
    "api:checkup_plan_detail": Route(perm="health.view_checkup_plan", obj="county", api=True,
                                     kwargs=kw_api("plan_id", kw_matrix("plan"))),
    "api:checkup_record_list": Route(perm="health.view_checkup", domain="health", api=True),
    "api:checkup_record_detail": Route(perm="health.view_checkup", obj="person", domain="health", api=True,
                                       kwargs=kw_api("record_id", kw_matrix("record"))),
    "api:checkup_record_result": Route(perm="health.manage_checkup", obj="person", domain="health", api=True,
                                       method="post", skip_allowed=True,
                                       data={"done_on": f"{LAST_YEAR}-05-01", "conclusion": "x", "findings": []},
                                       kwargs=kw_api("record_id", kw_matrix("record"))),
    "api:checkup_followup_list": Route(perm="health.view_checkup", domain="health", api=True),
    "api:checkup_followup_update": Route(perm="health.manage_checkup", obj="person", domain="health", api=True,
                                         method="patch", skip_allowed=True, data={"status": "open"},
                                         kwargs=kw_api("followup_id", kw_matrix("followup"))),
    "api:checkup_followup_refer": Route(perm="health.manage_checkup", obj="person", domain="health", api=True,
                                        method="post", skip_allowed=True, data={"hospital_id": 1},
                                        kwargs=kw_api("followup_id", kw_matrix("followup"))),
    "api:checkup_stats": Route(perm="health.view_checkup_stats", api=True, data={"year": LAST_YEAR}),
})

# --- checkup plans from Excel (export layout import) ---
ROUTES.update({
    "health:checkup_plans_export": Route(perm="health.export_checkup", domain="health"),
    "health:checkup_plan_import": Route(perm="health.manage_checkup_plan", domain="health"),
    "health:checkup_plan_import_template": Route(perm="health.manage_checkup_plan", domain="health"),
    # Without a file a permitted caller gets 400: nothing written.
    "api:checkup_plan_import": Route(perm="health.manage_checkup_plan", domain="health", api=True, method="post",
                                     ok=(400,)),
})
