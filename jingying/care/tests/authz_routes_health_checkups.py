"""The care app's rows of the authorisation matrix (jingying/core/tests/test_authz_matrix.py)."""

from __future__ import annotations

from jingying.core.tests.authz import Route

ROUTES: dict[str, Route] = {}

# --- health-checkups (police-hospital cooperation, issue 5 part 9) ---
from jingying.health.tests.factories_checkups import kw_matrix  # noqa: E402

_H = "care.view_hospital"
_MH = "care.manage_hospital"
ROUTES.update({
    # The directory is read by every role holding care.view_hospital, whatever its subtree.
    "care:hospital_list": Route(perm=_H),
    "care:hospital_export": Route(perm=_H),
    "care:hospital_detail": Route(perm=_H, kwargs=kw_matrix("hospital")),
    "care:hospital_create": Route(perm=_MH),
    "care:hospital_edit": Route(perm=_MH, obj="county", kwargs=kw_matrix("hospital")),
    "care:hospital_delete": Route(perm=_MH, obj="county", kwargs=kw_matrix("hospital")),
    "care:hospital_service_add": Route(perm=_MH, obj="county", method="post", skip_allowed=True,
                                       kwargs=kw_matrix("hospital")),
    "care:hospital_service_delete": Route(perm=_MH, obj="county", method="post", skip_allowed=True,
                                          kwargs=kw_matrix("service")),
    "care:police_window_add": Route(perm=_MH, obj="county", method="post", skip_allowed=True,
                                    kwargs=kw_matrix("hospital")),
    "care:police_window_delete": Route(perm=_MH, obj="county", method="post", skip_allowed=True,
                                       kwargs=kw_matrix("window")),
    "care:referral_list": Route(perm="care.view_referral", domain="health"),
    "care:referral_create": Route(perm="care.manage_referral", domain="health"),
    "care:referral_export": Route(perm="care.export_referral", domain="health"),
    "care:referral_detail": Route(perm="care.view_referral", obj="person", domain="health",
                                  kwargs=kw_matrix("referral")),
})

from jingying.core.tests.authz import kw_api  # noqa: E402

ROUTES.update({
    "api:hospital_list": Route(perm=_H, api=True),
    "api:hospital_detail": Route(perm=_H, api=True, kwargs=kw_api("hospital_id", kw_matrix("hospital"))),
    "api:referral_list": Route(perm="care.view_referral", domain="health", api=True),
    "api:referral_detail": Route(perm="care.view_referral", obj="person", domain="health", api=True,
                                 kwargs=kw_api("referral_id", kw_matrix("referral"))),
    "api:referral_create": Route(perm="care.manage_referral", domain="health", api=True, method="post",
                                 skip_allowed=True, data={"person_id": 1, "hospital_id": 1, "reason": "复查"}),
    "api:referral_update": Route(perm="care.manage_referral", obj="person", domain="health", api=True,
                                 method="patch", skip_allowed=True, data={"status": "seen"},
                                 kwargs=kw_api("referral_id", kw_matrix("referral"))),
})

# --- partner hospitals from Excel (export layout import) ---
ROUTES.update({
    "care:hospital_import": Route(perm=_MH),
    "care:hospital_import_template": Route(perm=_MH),
    # Without a file a permitted caller gets 400 ("请选择要上传的 Excel 文件"): nothing written.
    "api:hospital_import": Route(perm=_MH, api=True, method="post", ok=(400,)),
})
