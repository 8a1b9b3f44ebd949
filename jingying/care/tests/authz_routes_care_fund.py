"""The care app's rows of the authorisation matrix (jingying/core/tests/test_authz_matrix.py)."""

from __future__ import annotations

from jingying.core.tests.authz import Route

ROUTES: dict[str, Route] = {}


# --- care-fund ---
# Relief fund: every route needs the "fund" domain, which no role of the matrix world holds, so
# all of them are refused for everyone there (the fund holder's own paths are tested in
# test_fund_views.py). Equipment and the scorecard follow the role table.


def _care_fund_objects(w):  # type: ignore[no-untyped-def]
    import datetime as dt

    from jingying.care.models import Fund
    from jingying.care.services import fund as fund_services
    from jingying.care.tests.factories_fund import make_grant, make_issue, make_type
    from jingying.core.scoping import SYSTEM

    t = w.tree
    objs = {}
    for side, unit, person in (("in", t.county, w.person_in), ("out", t.other_county, w.person_out)):
        fund = Fund.objects.create(unit=unit, name=f"基金{side}")
        objs[f"fund_{side}"] = fund
        objs[f"entry_{side}"] = fund_services.donation_record(actor=SYSTEM, fund=fund, donor="x",
                                                              occurred_on=dt.date(2025, 1, 1), amount="100")
        objs[f"grant_{side}"] = make_grant(fund, person, amount="10")
        objs[f"issue_{side}"] = make_issue(person, make_type(), dt.date(2025, 1, 1))
    objs["type"] = make_type()
    return objs


def _cf(name: str, key: str = "pk"):  # type: ignore[no-untyped-def]
    def build(w, inside):  # type: ignore[no-untyped-def]
        return {key: w.memo("care-fund", _care_fund_objects)[f"{name}_{'in' if inside else 'out'}"].pk}

    return build


def _cf_type(w, inside):  # type: ignore[no-untyped-def]
    return {"pk": w.memo("care-fund", _care_fund_objects)["type"].pk}


def _cf_unit(w, inside):  # type: ignore[no-untyped-def]
    return {"pk": (w.tree.station if inside else w.tree.other_station).pk}


_F = "fund"
ROUTES.update({
    "care:fund_home": Route(perm="care.view_fund", domain=_F),
    "care:fund_create": Route(perm="care.manage_fund", domain=_F),
    "care:fund_detail": Route(perm="care.view_fund", obj="county", kwargs=_cf("fund"), domain=_F),
    "care:fund_donate": Route(perm="care.add_donation", obj="county", kwargs=_cf("fund"), domain=_F),
    "care:fund_statement": Route(perm="care.export_fund", obj="county", kwargs=_cf("fund"), domain=_F),
    "care:fund_entry": Route(perm="care.view_fund", obj="county", kwargs=_cf("entry"), domain=_F),
    "care:fund_entry_reverse": Route(perm="care.reverse_entry", obj="county", kwargs=_cf("entry"), method="post",
                                     ok=(302,), skip_allowed=True, domain=_F),
    "care:grant_list": Route(perm="care.view_fund", domain=_F),
    "care:grant_create": Route(perm="care.request_grant", domain=_F),
    "care:grant_detail": Route(perm="care.view_fund", obj="person", kwargs=_cf("grant"), domain=_F),
    "care:grant_approve": Route(perm="care.approve_grant", obj="person", kwargs=_cf("grant"), method="post",
                                ok=(302,), skip_allowed=True, domain=_F),
    "care:grant_reject": Route(perm="care.approve_grant", obj="person", kwargs=_cf("grant"), method="post",
                               ok=(302,), skip_allowed=True, domain=_F),
    "care:grant_pay": Route(perm="care.pay_grant", obj="person", kwargs=_cf("grant"), method="post",
                            ok=(302,), skip_allowed=True, domain=_F),
    "api:fund_funds": Route(perm="care.view_fund", api=True, domain=_F),
    "api:fund_entries": Route(perm="care.view_fund", obj="county", api=True, kwargs=_cf("fund", "fund_id"), domain=_F),
    "api:fund_donate": Route(perm="care.add_donation", obj="county", api=True, method="post", skip_allowed=True,
                             kwargs=_cf("fund", "fund_id"), domain=_F,
                             data={"donor": "x", "occurred_on": "2025-01-01", "amount": "1.00"}),
    "api:fund_entry_detail": Route(perm="care.view_fund", obj="county", api=True, kwargs=_cf("entry", "entry_id"),
                                   domain=_F),
    "api:fund_entry_reverse": Route(perm="care.reverse_entry", obj="county", api=True, method="post",
                                    skip_allowed=True, kwargs=_cf("entry", "entry_id"), domain=_F,
                                    data={"reason": "x"}),
    "api:fund_grants": Route(perm="care.view_fund", api=True, domain=_F),
    "api:fund_grant_detail": Route(perm="care.view_fund", obj="person", api=True, kwargs=_cf("grant", "grant_id"),
                                   domain=_F),
    "api:fund_grant_request": Route(perm="care.request_grant", api=True, method="post", skip_allowed=True,
                                    domain=_F, data={"fund_id": 1, "person_id": 1, "reason": "fallen",
                                                     "amount": "1.00"}),
    "api:fund_grant_approve": Route(perm="care.approve_grant", obj="person", api=True, method="post",
                                    skip_allowed=True, kwargs=_cf("grant", "grant_id"), domain=_F),
    "api:fund_grant_reject": Route(perm="care.approve_grant", obj="person", api=True, method="post",
                                   skip_allowed=True, kwargs=_cf("grant", "grant_id"), domain=_F,
                                   data={"reason": "x"}),
    "api:fund_grant_pay": Route(perm="care.pay_grant", obj="person", api=True, method="post", skip_allowed=True,
                                kwargs=_cf("grant", "grant_id"), domain=_F),
    # Protective equipment: leaders and political staff manage their subtree, an officer sees their own.
    "care:equipment_list": Route(perm="care.view_equipment"),
    "care:equipment_expiring": Route(perm="care.view_equipment"),
    "care:equipment_export": Route(perm="care.export_equipment"),
    "care:equipment_issue_create": Route(perm="care.manage_equipment"),
    "care:equipment_issue_return": Route(perm="care.manage_equipment", obj="person", kwargs=_cf("issue"),
                                         method="post", ok=(302,), skip_allowed=True),
    "care:equipment_issue_replace": Route(perm="care.manage_equipment", obj="person", kwargs=_cf("issue"),
                                          method="post", ok=(302,), skip_allowed=True),
    "care:equipment_issue_delete": Route(perm="care.manage_equipment", obj="person", kwargs=_cf("issue"),
                                         method="post", ok=(302,), skip_allowed=True),
    "care:equipment_import": Route(perm="care.import_equipment"),
    "care:equipment_template": Route(perm="care.import_equipment"),
    "care:equipment_types": Route(perm="care.view_equipment"),
    "care:equipment_type_edit": Route(perm="care.manage_equipment_type", kwargs=_cf_type),
    "api:equipment_issues": Route(perm="care.view_equipment", api=True),
    "api:equipment_issue_detail": Route(perm="care.view_equipment", obj="person", api=True,
                                        kwargs=_cf("issue", "issue_id")),
    "api:equipment_issue_add": Route(perm="care.manage_equipment", api=True, method="post", skip_allowed=True,
                                     data={"person_id": 999999999, "type": "x", "issued_on": "2025-01-01"}),
    "api:equipment_issue_return_api": Route(perm="care.manage_equipment", obj="person", api=True, method="post",
                                            skip_allowed=True, kwargs=_cf("issue", "issue_id")),
    "api:equipment_types_api": Route(perm="care.view_equipment", api=True),
    # Six guarantees: leaders view, political staff also enter.
    "care:scorecard": Route(perm="care.view_scorecard"),
    "care:scorecard_export": Route(perm="care.export_scorecard"),
    "care:scorecard_enter": Route(perm="care.manage_scorecard", obj="station", kwargs=_cf_unit),
    "api:scorecard_get": Route(perm="care.view_scorecard", api=True),
    "api:scorecard_entry_put": Route(perm="care.manage_scorecard", api=True, method="post", skip_allowed=True,
                                     data={"unit_id": 999999999, "year": 2025, "guarantee": "living", "score": "50",
                                           "note": "x"}),
})
