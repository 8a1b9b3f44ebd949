"""The care app's rows of the authorisation matrix (jingying/core/tests/test_authz_matrix.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jingying.core.tests.authz import Route

ROUTES: dict[str, Route] = {}

# --- care-support ---


def _support(w: Any) -> dict[str, Any]:
    """Objects of the care-support parts: inside under the station/county, outside under the others."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jingying.care.services import campaigns as campaign_services
    from jingying.care.services import childcare as childcare_services
    from jingying.care.services import rights as rights_services
    from jingying.care.tests.factories_support import (
        make_campaign,
        make_case,
        make_claim,
        make_policy,
        make_programme,
    )
    from jingying.core.scoping import SYSTEM

    t = w.tree
    objs: dict[str, Any] = {}
    for side, station, person in (("in", t.station, w.person_in), ("out", t.other_station, w.person_out)):
        case = make_case(station, [person], place=f"authz-{side}")
        objs[f"case_{side}"] = case
        objs[f"victim_{side}"] = case.victims.get()
        objs[f"action_{side}"] = rights_services.rights_action_add(actor=SYSTEM, case=case, kind="legal_aid",
                                                                   date=case.incident_date, handled_by="法制科")
        objs[f"evidence_{side}"] = rights_services.rights_evidence_add(
            actor=SYSTEM, case=case, upload=SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 16))
    for side, county, person in (("in", t.county, w.person_in), ("out", t.other_county, w.person_out)):
        campaign = make_campaign(county, [county], name=f"authz-{side}")
        objs[f"campaign_{side}"] = campaign
        objs[f"checklist_{side}"] = campaign.units.get().checklist.get(measure="visits")
        campaign_services.campaign_reach_unit(actor=SYSTEM, campaign=campaign, measure="visits", unit=county)
        objs[f"reach_{side}"] = campaign.reach.get(person=person)
    for side, county, dependent in (("in", t.county, w.dep_in), ("out", t.other_county, w.dep_out)):
        programme = make_programme(county, name=f"authz-{side}")
        objs[f"programme_{side}"] = programme
        objs[f"enrolment_{side}"] = childcare_services.childcare_enrol(actor=SYSTEM, programme=programme,
                                                                       child=dependent)
    for side, county, person in (("in", t.county, w.person_in), ("out", t.other_county, w.person_out)):
        policy = make_policy(county, number=f"AUTHZ-{side}", people=[person])
        objs[f"policy_{side}"] = policy
        objs[f"insured_{side}"] = policy.insured.get()
        objs[f"claim_{side}"] = make_claim(policy, person)
    return objs


def _kw(name: str, key: str = "pk") -> Callable[[Any, bool], dict[str, Any]]:
    def build(w: Any, inside: bool) -> dict[str, Any]:
        return {key: w.memo("care-support", _support)[f"{name}_{'in' if inside else 'out'}"].pk}

    return build


_POST = {"method": "post", "ok": (302,), "skip_allowed": True}

ROUTES.update({
    "care:rights_list": Route(perm="care.view_rightscase"),
    "care:rights_export": Route(perm="care.export_rightscase"),
    "care:rights_create": Route(perm="care.add_rightscase"),
    "care:rights_detail": Route(perm="care.view_rightscase", obj="person", kwargs=_kw("case")),
    "care:rights_edit": Route(perm="care.change_rightscase", obj="person", kwargs=_kw("case")),
    "care:rights_delete": Route(perm="care.delete_rightscase", obj="person", kwargs=_kw("case")),
    "care:rights_advance": Route(perm="care.change_rightscase", obj="person", kwargs=_kw("case"), **_POST),
    "care:rights_action_add": Route(perm="care.change_rightscase", obj="person", kwargs=_kw("case"), **_POST),
    "care:rights_action_delete": Route(perm="care.change_rightscase", obj="person", kwargs=_kw("action"), **_POST),
    "care:rights_evidence_add": Route(perm="care.change_rightscase", obj="person", kwargs=_kw("case"), **_POST),
    "care:rights_evidence_download": Route(perm="care.view_rightscase", obj="person", kwargs=_kw("evidence")),
    "care:rights_evidence_delete": Route(perm="care.change_rightscase", obj="person", kwargs=_kw("evidence"), **_POST),
    # The officer answers for themself; staff who manage the case may record the answer too.
    "care:rights_offer_answer": Route(perm="care.respond_rightscase", staff_perm="care.change_rightscase", obj="person", kwargs=_kw("victim"), **_POST),
    "care:campaign_list": Route(perm="care.view_carecampaign"),
    "care:campaign_create": Route(perm="care.add_carecampaign"),
    "care:campaign_detail": Route(perm="care.view_carecampaign", obj="county", kwargs=_kw("campaign")),
    "care:campaign_edit": Route(perm="care.change_carecampaign", obj="county", kwargs=_kw("campaign")),
    "care:campaign_delete": Route(perm="care.delete_carecampaign", obj="county", kwargs=_kw("campaign")),
    "care:campaign_reach": Route(perm="care.mark_carecampaign", obj="county", kwargs=_kw("campaign")),
    "care:campaign_reached": Route(perm="care.view_carecampaign", obj="county", kwargs=_kw("campaign")),
    "care:campaign_export": Route(perm="care.export_carecampaign", obj="county", kwargs=_kw("campaign")),
    "care:campaign_checklist_mark": Route(perm="care.mark_carecampaign", obj="county", kwargs=_kw("checklist"), **_POST),
    "care:campaign_reach_remove": Route(perm="care.mark_carecampaign", obj="station", kwargs=_kw("reach"), **_POST),
    "care:childcare_list": Route(perm="care.view_childcare"),
    "care:childcare_list_export": Route(perm="care.export_childcare"),
    "care:childcare_create": Route(perm="care.add_childcare"),
    "care:childcare_detail": Route(perm="care.view_childcare", obj="county", kwargs=_kw("programme")),
    "care:childcare_edit": Route(perm="care.change_childcare", obj="county", kwargs=_kw("programme")),
    "care:childcare_delete": Route(perm="care.delete_childcare", obj="county", kwargs=_kw("programme")),
    "care:childcare_export": Route(perm="care.export_childcare", obj="county", kwargs=_kw("programme")),
    "care:childcare_attendance": Route(perm="care.mark_childcare", obj="county", kwargs=_kw("programme")),
    # The officer's own page: programmes open to their unit, their own children.
    "care:childcare_mine": Route(perm="care.enrol_childcare"),
    "care:childcare_enrol": Route(perm="care.enrol_childcare", obj="person", kwargs=_kw("programme"), **_POST),
    # Staff who run the programme enrol a child for a parent (GET: the officer lookup form).
    "care:childcare_enrol_for": Route(perm="care.change_childcare", obj="county", kwargs=_kw("programme")),
    "care:childcare_cancel": Route(perm="care.enrol_childcare", staff_perm="care.change_childcare", obj="person", kwargs=_kw("enrolment"), **_POST),
    "care:policy_list": Route(perm="care.view_insurance"),
    "care:policy_list_export": Route(perm="care.export_insurance"),
    "care:policy_create": Route(perm="care.add_insurance"),
    "care:policy_detail": Route(perm="care.view_insurance", obj="county", kwargs=_kw("policy")),
    "care:policy_edit": Route(perm="care.change_insurance", obj="county", kwargs=_kw("policy")),
    "care:policy_delete": Route(perm="care.delete_insurance", obj="county", kwargs=_kw("policy")),
    "care:policy_insure": Route(perm="care.change_insurance", obj="county", kwargs=_kw("policy")),
    "care:policy_export": Route(perm="care.export_insurance", obj="county", kwargs=_kw("policy")),
    "care:policy_uninsure": Route(perm="care.change_insurance", obj="station", kwargs=_kw("insured"), **_POST),
    "care:claim_list": Route(perm="care.view_insurance"),
    "care:claim_list_export": Route(perm="care.export_insurance"),
    "care:claim_create": Route(perm="care.change_insurance"),
    "care:claim_detail": Route(perm="care.view_insurance", obj="person", kwargs=_kw("claim")),
    "care:claim_edit": Route(perm="care.change_insurance", obj="person", kwargs=_kw("claim")),
    "care:claim_delete": Route(perm="care.delete_insurance", obj="person", kwargs=_kw("claim")),
    "care:claim_review": Route(perm="care.change_insurance", obj="person", kwargs=_kw("claim"), **_POST),
    "care:claim_decide": Route(perm="care.change_insurance", obj="person", kwargs=_kw("claim"), **_POST),
    "care:insurance_mine": Route(perm="care.view_insurance"),
    # --- care-support API ---
    "api:rights_case_list": Route(perm="care.view_rightscase", api=True),
    "api:rights_case_detail": Route(perm="care.view_rightscase", obj="person", api=True, kwargs=_kw("case", "case_id")),
    "api:rights_case_create": Route(perm="care.add_rightscase", api=True, method="post", ok=(422,),
                                    data={"unit": "none", "officers": [], "incident_kind": "assault",
                                          "incident_date": "2026-01-01", "place": "x", "description": "x"}),
    "api:rights_case_update": Route(perm="care.change_rightscase", obj="person", api=True, method="patch",
                                    skip_allowed=True, kwargs=_kw("case", "case_id")),
    "api:rights_case_advance": Route(perm="care.change_rightscase", obj="person", api=True, method="post",
                                     data={"status": "bogus"}, ok=(422,), kwargs=_kw("case", "case_id")),
    "api:rights_case_add_action": Route(perm="care.change_rightscase", obj="person", api=True, method="post",
                                        data={"kind": "legal_aid", "date": "2026-01-01", "handled_by": ""},
                                        skip_allowed=True, ok=(201, 422), kwargs=_kw("case", "case_id")),
    # A multipart upload without a file: 422 for whoever may reach the case.
    "api:rights_case_add_evidence": Route(perm="care.change_rightscase", obj="person", api=True, method="post",
                                          skip_allowed=True, ok=(422,), kwargs=_kw("case", "case_id")),
    "api:rights_offer_respond": Route(perm="care.respond_rightscase", staff_perm="care.change_rightscase", obj="person", api=True, method="post",
                                      data={"answer": "bogus"}, skip_allowed=True, ok=(422,),
                                      kwargs=_kw("victim", "victim_id")),
    "api:rights_case_evidence_list": Route(perm="care.view_rightscase", obj="person", api=True,
                                           kwargs=_kw("case", "case_id")),
    # Downloading is a read (audited); anyone who may see the case may fetch its evidence.
    "api:rights_evidence_download": Route(perm="care.view_rightscase", obj="person", api=True,
                                          kwargs=_kw("evidence", "evidence_id")),
    "api:rights_evidence_delete": Route(perm="care.change_rightscase", obj="person", api=True, method="delete",
                                        skip_allowed=True, kwargs=_kw("evidence", "evidence_id")),
    "api:care_campaign_list": Route(perm="care.view_carecampaign", api=True),
    "api:care_campaign_detail": Route(perm="care.view_carecampaign", obj="county", api=True,
                                      kwargs=_kw("campaign", "campaign_id")),
    "api:care_campaign_create": Route(perm="care.add_carecampaign", api=True, method="post", ok=(422,),
                                      data={"name": "x", "unit": "none", "start": "2026-01-01", "end": "2026-01-02",
                                            "units": []}),
    "api:care_campaign_update": Route(perm="care.change_carecampaign", obj="county", api=True, method="patch",
                                      skip_allowed=True, kwargs=_kw("campaign", "campaign_id")),
    "api:care_campaign_checklist": Route(perm="care.mark_carecampaign", obj="county", api=True, method="post",
                                         data={"done": True}, skip_allowed=True, kwargs=_kw("checklist", "item_id")),
    "api:care_campaign_reach": Route(perm="care.mark_carecampaign", obj="county", api=True, method="post",
                                     data={"measure": "visits", "id_numbers": []}, ok=(422,),
                                     kwargs=_kw("campaign", "campaign_id")),
    "api:childcare_programme_list": Route(perm="care.view_childcare", api=True),
    "api:childcare_programme_detail": Route(perm="care.view_childcare", obj="county", api=True,
                                            kwargs=_kw("programme", "programme_id")),
    "api:childcare_programme_create": Route(perm="care.add_childcare", api=True, method="post", ok=(422,),
                                            data={"name": "x", "unit": "none", "centre": "x", "period": "x",
                                                  "start": "2026-01-01", "end": "2026-01-02", "capacity": 1,
                                                  "min_age": 1, "max_age": 2}),
    "api:childcare_programme_update": Route(perm="care.change_childcare", obj="county", api=True, method="patch",
                                            skip_allowed=True, kwargs=_kw("programme", "programme_id")),
    # Officers only (a person of their own): everyone else without a person gets 404.
    "api:childcare_mine": Route(perm="care.enrol_childcare", api=True, ok=(200, 404), refused=(403,)),
    "api:childcare_enrol": Route(perm="care.enrol_childcare", obj="person", api=True, method="post",
                                 data={"child": 0}, skip_allowed=True, ok=(422,), kwargs=_kw("programme", "programme_id")),
    "api:childcare_cancel": Route(perm="care.enrol_childcare", staff_perm="care.change_childcare", obj="person", api=True, method="post",
                                  skip_allowed=True, kwargs=_kw("enrolment", "enrolment_id")),
    "api:childcare_attendance": Route(perm="care.mark_childcare", obj="county", api=True, method="post",
                                      data={"day": "1999-01-01", "present": []}, ok=(422,),
                                      kwargs=_kw("programme", "programme_id")),
    "api:insurance_policy_list": Route(perm="care.view_insurance", api=True),
    "api:insurance_policy_detail": Route(perm="care.view_insurance", obj="county", api=True,
                                         kwargs=_kw("policy", "policy_id")),
    "api:insurance_policy_create": Route(perm="care.add_insurance", api=True, method="post", ok=(422,),
                                         data={"unit": "none", "insurer": "x", "policy_number": "x",
                                               "start": "2026-01-01", "end": "2026-01-02", "cover_per_person": "1.00"}),
    "api:insurance_policy_update": Route(perm="care.change_insurance", obj="county", api=True, method="patch",
                                         skip_allowed=True, kwargs=_kw("policy", "policy_id")),
    "api:insurance_policy_insure": Route(perm="care.change_insurance", obj="county", api=True, method="post",
                                         data={"id_numbers": []}, ok=(422,), kwargs=_kw("policy", "policy_id")),
    "api:insurance_claim_list": Route(perm="care.view_insurance", api=True),
    "api:insurance_claim_detail": Route(perm="care.view_insurance", obj="person", api=True,
                                        kwargs=_kw("claim", "claim_id")),
    "api:insurance_claim_create": Route(perm="care.change_insurance", api=True, method="post", ok=(422,),
                                        data={"policy": 0, "person": "x", "incident": "x", "incident_date": "2026-01-01",
                                              "amount_claimed": "1.00"}),
    "api:insurance_claim_update": Route(perm="care.change_insurance", obj="person", api=True, method="patch",
                                        skip_allowed=True, kwargs=_kw("claim", "claim_id")),
    "api:insurance_claim_review": Route(perm="care.change_insurance", obj="person", api=True, method="post",
                                        skip_allowed=True, kwargs=_kw("claim", "claim_id")),
    "api:insurance_claim_decide": Route(perm="care.change_insurance", obj="person", api=True, method="post",
                                        data={"paid": True}, ok=(422,), kwargs=_kw("claim", "claim_id")),
})
