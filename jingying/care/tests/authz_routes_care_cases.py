"""The care app's rows of the authorisation matrix (jingying/core/tests/test_authz_matrix.py)."""

from __future__ import annotations

from typing import Any

from jingying.core.tests.authz import Route, World

ROUTES: dict[str, Route] = {}

# --- care-cases ---


def _cases(w: World) -> dict[str, Any]:
    from jingying.care.tests.factories_cases import make_care_visit, make_concern, make_field_visit, make_plan

    t = w.tree
    plan_in, plan_out = make_plan(t.station, people=(w.person_in,)), make_plan(t.other_station, people=(w.person_out,))
    return {
        "concern": (make_concern(w.person_in), make_concern(w.person_out)),
        "field_visit": (make_field_visit(t.station), make_field_visit(t.other_station)),
        "care_visit": (make_care_visit(w.person_in, money="500.00"), make_care_visit(w.person_out, money="500.00")),
        "plan": (plan_in, plan_out),
        "target": (plan_in.targets.get(), plan_out.targets.get()),
    }


def _kw(kind: str, key: str = "pk") -> Any:
    def build(w: World, inside: bool) -> dict[str, Any]:
        pair = w.memo("care-cases", _cases)[kind]
        return {key: (pair[0] if inside else pair[1]).pk}

    return build


_C = _kw("concern")
_FV = _kw("field_visit")
_CV = _kw("care_visit")
_PL = _kw("plan")

ROUTES.update({
    "care:concern_list": Route(perm="care.view_concern"),
    "care:concern_export": Route(perm="care.export_concern"),
    "care:concern_mine": Route(perm="care.rate_concern"),
    "care:concern_create": Route(perm="care.add_concern"),
    "care:concern_detail": Route(perm="care.view_concern", obj="person", kwargs=_C),
    **{f"care:concern_{step}": Route(perm="care.handle_concern", obj="station", kwargs=_C, method="post",
                                     ok=(302,), skip_allowed=True)
       for step in ("accept", "start", "resolve", "refer", "unsolvable")},
    "care:concern_reassign": Route(perm="care.handle_concern", obj="station", kwargs=_C),
    "care:concern_rate": Route(perm="care.rate_concern", obj="person", kwargs=_C, method="post", ok=(302,),
                               skip_allowed=True),
    "care:concern_from_visit": Route(perm="care.manage_fieldvisit", obj="station", kwargs=_FV),
    "care:field_visit_list": Route(perm="care.view_fieldvisit"),
    "care:field_visit_export": Route(perm="care.export_fieldvisit"),
    "care:field_visit_create": Route(perm="care.manage_fieldvisit"),
    "care:field_visit_detail": Route(perm="care.view_fieldvisit", obj="station", kwargs=_FV),
    "care:field_visit_edit": Route(perm="care.manage_fieldvisit", obj="station", kwargs=_FV),
    "care:field_visit_delete": Route(perm="care.manage_fieldvisit", obj="station", kwargs=_FV),
    "care:care_visit_list": Route(perm="care.view_carevisit"),
    "care:care_visit_export": Route(perm="care.export_carevisit"),
    "care:care_visit_create": Route(perm="care.manage_carevisit"),
    "care:care_visit_detail": Route(perm="care.view_carevisit", obj="station", kwargs=_CV),
    "care:care_visit_edit": Route(perm="care.manage_carevisit", obj="station", kwargs=_CV),
    "care:care_visit_delete": Route(perm="care.manage_carevisit", obj="station", kwargs=_CV),
    "care:care_visit_approve": Route(perm="care.approve_carevisit", obj="station", kwargs=_CV, method="post",
                                     ok=(302,), skip_allowed=True),
    "care:care_visit_reject": Route(perm="care.approve_carevisit", obj="station", kwargs=_CV, method="post",
                                    ok=(302,), skip_allowed=True),
    "care:care_plan_list": Route(perm="care.view_carevisit"),
    "care:care_plan_create": Route(perm="care.manage_carevisit"),
    "care:care_plan_detail": Route(perm="care.view_carevisit", obj="station", kwargs=_PL),
    "care:care_plan_generate": Route(perm="care.manage_carevisit", obj="station", kwargs=_PL, method="post",
                                     ok=(302,), skip_allowed=True),
    "care:care_plan_add": Route(perm="care.manage_carevisit", obj="station", kwargs=_PL, method="post",
                                ok=(302,), skip_allowed=True),
    "care:care_plan_remove": Route(perm="care.manage_carevisit", obj="station", kwargs=_kw("target"), method="post",
                                   ok=(302,), skip_allowed=True),
    "care:care_not_visited": Route(perm="care.view_carevisit"),
    "care:care_not_visited_export": Route(perm="care.export_carevisit"),
    "api:concern_list": Route(perm="care.view_concern", api=True),
    "api:concern_detail": Route(perm="care.view_concern", obj="person", api=True, kwargs=_kw("concern", "concern_id")),
    "api:concern_create": Route(perm="care.add_concern", api=True, method="post", skip_allowed=True, ok=(201,),
                                data={"category": "family", "title": "家中老人需要照顾"}),
    "api:concern_transition": Route(perm="care.handle_concern", obj="station", api=True, method="post",
                                    kwargs=_kw("concern", "concern_id"), data={"step": "accept"}, skip_allowed=True),
    "api:concern_rate": Route(perm="care.rate_concern", obj="person", api=True, method="post",
                              kwargs=_kw("concern", "concern_id"), data={"rating": 5}, skip_allowed=True),
    "api:field_visit_list": Route(perm="care.view_fieldvisit", api=True),
    "api:field_visit_detail": Route(perm="care.view_fieldvisit", obj="station", api=True,
                                    kwargs=_kw("field_visit", "visit_id")),
    "api:field_visit_create": Route(perm="care.manage_fieldvisit", api=True, method="post", skip_allowed=True, ok=(201,),
                                    data={"unit": "150102001", "visit_date": "2026-03-01", "topic": "调研"}),
    "api:field_visit_update": Route(perm="care.manage_fieldvisit", obj="station", api=True, method="patch",
                                    kwargs=_kw("field_visit", "visit_id"), data={"topic": "调研（修改）"}),
    "api:field_visit_delete": Route(perm="care.manage_fieldvisit", obj="station", api=True, method="delete",
                                    kwargs=_kw("field_visit", "visit_id"), ok=(204,), skip_allowed=True),
    "api:care_visit_list": Route(perm="care.view_carevisit", api=True),
    "api:care_not_visited": Route(perm="care.view_carevisit", api=True,
                                  data={"unit": "150102001"}, refused=(403,)),
    "api:care_visit_detail": Route(perm="care.view_carevisit", obj="station", api=True,
                                   kwargs=_kw("care_visit", "visit_id")),
    "api:care_visit_create": Route(perm="care.manage_carevisit", api=True, method="post", skip_allowed=True, ok=(201,),
                                   data={"person": "x", "visit_date": "2026-03-01", "reason": "illness",
                                         "visitors": "所长"}),
    "api:care_visit_approve": Route(perm="care.approve_carevisit", obj="station", api=True, method="post",
                                    kwargs=_kw("care_visit", "visit_id"), skip_allowed=True),
    "api:care_visit_reject": Route(perm="care.approve_carevisit", obj="station", api=True, method="post",
                                   kwargs=_kw("care_visit", "visit_id"), data={"note": "不符合条件"}, skip_allowed=True),
})
