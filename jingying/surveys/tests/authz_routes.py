"""The surveys app's rows of the authorisation matrix (jingying/core/tests/test_authz_matrix.py);
the engine's older routes are listed there."""

from __future__ import annotations

from jingying.core.tests.authz import Route, kw_api, kw_surveys

ROUTES: dict[str, Route] = {
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
