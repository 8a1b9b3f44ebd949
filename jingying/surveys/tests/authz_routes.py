"""The surveys app's rows of the authorisation matrix (jingying/core/tests/test_authz_matrix.py);
the engine's older routes are listed there."""

from __future__ import annotations

import uuid

from jingying.core.tests.authz import Route, kw_api, kw_surveys

ROUTES: dict[str, Route] = {
    # --- results export in the background ---
    # The matrix's campaigns have no answers yet: a permitted caller is sent back to the results
    # page with the reason (302) / told so (422); others 403 or 404.
    "surveys:campaign_export": Route(perm="surveys.export_results", obj="county", method="post", ok=(302,),
                                     kwargs=kw_surveys("campaign_in", "campaign_out")),
    # A job belongs to its requester; someone else's (or a missing) job is 404 for everyone.
    "surveys:export_job": Route(perm="surveys.export_results", obj="job", kwargs=lambda w, i: {"pk": uuid.uuid4()}),
    "surveys:export_download": Route(perm="surveys.export_results", obj="job",
                                     kwargs=lambda w, i: {"pk": uuid.uuid4()}),
    "api:results_export_start": Route(perm="surveys.export_results", obj="county", api=True, method="post",
                                      ok=(422,), kwargs=kw_api("campaign_id", kw_surveys("campaign_in", "campaign_out"))),
    "api:results_export_status": Route(perm="surveys.export_results", obj="job", api=True,
                                       kwargs=lambda w, i: {"job_id": uuid.uuid4()}),
    "api:results_export_download": Route(perm="surveys.export_results", obj="job", api=True,
                                         kwargs=lambda w, i: {"job_id": uuid.uuid4()}),
    # --- analysis ---
    "surveys:index_edit": Route(perm="surveys.manage_questionnaire", obj="county",
                                kwargs=kw_surveys("version_in", "version_out")),
    "surveys:index_delete": Route(perm="surveys.manage_questionnaire", obj="county", method="post",
                                  skip_allowed=True, kwargs=kw_surveys("version_in", "version_out")),
    "api:campaign_crosstab": Route(perm="surveys.view_results", obj="county", api=True,
                                   data={"question": "mood", "by": "category"},
                                   kwargs=kw_api("campaign_id", kw_surveys("campaign_in", "campaign_out"))),
    "api:campaign_indices": Route(perm="surveys.view_results", obj="county", api=True,
                                  kwargs=kw_api("campaign_id", kw_surveys("campaign_in", "campaign_out"))),
    # The matrix's questionnaire has no index: a permitted caller is told so (422), others 404/403.
    "api:campaign_index_trend": Route(perm="surveys.view_results", obj="county", api=True, ok=(422,),
                                      kwargs=lambda w, i: {**kw_api("campaign_id", kw_surveys(
                                          "campaign_in", "campaign_out"))(w, i), "code": "morale"}),
    "api:campaign_themes": Route(perm="surveys.view_results", obj="county", api=True, data={"question": "words"},
                                 kwargs=kw_api("campaign_id", kw_surveys("campaign_in", "campaign_out"))),
}
