"""The health app's rows of the authorisation matrix (jingying/core/tests/test_authz_matrix.py)."""

from __future__ import annotations

from jingying.core.tests.authz import Route

ROUTES: dict[str, Route] = {}

# --- health-psych ---
# Screening rounds sit at the county (inside) / other county (outside); results, alerts and
# sessions are about person_in / person_out; the officer's own screening pages answer only the
# invited officer ("invitation": 404 for everyone else).


def _psych_objects(w):  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone

    from jingying.core.scoping import SYSTEM
    from jingying.health.models import (
        AnonymousQuestion,
        AvailabilitySlot,
        CounsellingSession,
        Counsellor,
        CrisisAlert,
        ScreeningResult,
    )
    from jingying.health.services import screening
    from jingying.org.tests.factories import make_user

    t = w.tree
    now = timezone.now()
    o: dict[str, object] = {}
    for side, unit in (("in", t.county), ("out", t.other_county)):
        o[f"round_{side}"] = screening.round_create(
            actor=SYSTEM, unit=unit, title=f"筛查{side}", year=now.year, instruments=["PHQ-9"],
            opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=5))
    c_user = make_user("psych_matrix_c")
    counsellor = Counsellor.objects.create(user=c_user, unit=t.region, name="矩阵咨询师", languages=["zh"])
    for side, person in (("in", w.person_in), ("out", w.person_out)):
        rnd = o[f"round_{side}"]
        result = ScreeningResult.objects.create(round=rnd, person=person, unit=person.unit, scores={},
                                                tier="high", rules_version="t")
        o[f"result_{side}"] = result
        o[f"alert_{side}"] = CrisisAlert.objects.create(person=person, result=result, reason="high_tier",
                                                        priority="high", created_at=now,
                                                        ack_due_at=now + dt.timedelta(hours=1))
        o[f"session_{side}"] = CounsellingSession.objects.create(person=person, counsellor=counsellor,
                                                                 unit=person.unit, starts_at=now + dt.timedelta(days=1),
                                                                 mode="phone")
    o["slot"] = AvailabilitySlot.objects.create(counsellor=counsellor, starts_at=now + dt.timedelta(days=2),
                                                ends_at=now + dt.timedelta(days=2, hours=1))
    o["question"] = AnonymousQuestion.objects.create(text="匿名问题", asked_on=now.date(), code_hash="x" * 64)
    return o


def _kw(name, key="pk"):  # type: ignore[no-untyped-def]
    return lambda w, inside: {key: w.memo("health-psych", _psych_objects)[f"{name}_{'in' if inside else 'out'}"].pk}


def _kw_one(name):  # type: ignore[no-untyped-def]
    return lambda w, inside: {"pk": w.memo("health-psych", _psych_objects)[name].pk}


_P = "psych"
ROUTES.update({
    "health:screening_mine": Route(perm="health.take_screening"),
    "health:screening_consent": Route(perm="health.take_screening", obj="invitation", kwargs=_kw("round")),
    "health:screening_answer": Route(perm="health.take_screening", obj="invitation", kwargs=_kw("round"), ok=(302,)),
    "health:screening_done": Route(perm="health.take_screening", obj="invitation", kwargs=_kw("round")),
    "health:crisis_resources": Route(perm=None),
    "health:round_list": Route(perm="health.view_round"),
    "health:round_create": Route(perm="health.manage_round"),
    "health:round_detail": Route(perm="health.view_round", obj="county", kwargs=_kw("round")),
    "health:round_export": Route(perm="health.export_psych_stats", obj="county", kwargs=_kw("round")),
    "health:round_edit": Route(perm="health.manage_round", obj="county", kwargs=_kw("round")),
    "health:round_delete": Route(perm="health.manage_round", obj="county", kwargs=_kw("round")),
    "health:result_list": Route(perm="health.view_screening", domain=_P),
    "health:result_detail": Route(perm="health.view_screening", obj="person", kwargs=_kw("result"), domain=_P),
    "health:alert_list": Route(perm="health.view_alert", domain=_P),
    "health:alert_detail": Route(perm="health.view_alert", obj="person", kwargs=_kw("alert"), domain=_P),
    "health:alert_acknowledge": Route(perm="health.view_alert", obj="person", kwargs=_kw("alert"), domain=_P,
                                      method="post", ok=(302,), skip_allowed=True),
    "health:alert_contact": Route(perm="health.view_alert", obj="person", kwargs=_kw("alert"), domain=_P,
                                  method="post", ok=(400,), skip_allowed=True),
    "health:alert_close": Route(perm="health.view_alert", obj="person", kwargs=_kw("alert"), domain=_P,
                                method="post", ok=(400,), skip_allowed=True),
    "health:counselling_home": Route(perm="health.book_session"),
    "health:session_book": Route(perm="health.book_session", kwargs=_kw_one("slot"), method="post", ok=(302,),
                                 skip_allowed=True),
    "health:question_ask": Route(perm="health.ask_question"),
    "health:question_follow": Route(perm="health.ask_question"),
    "health:counselling_stats": Route(perm="health.view_psych_stats"),
    "health:counselling_stats_export": Route(perm="health.export_psych_stats"),
    "health:counsellor_list": Route(perm="health.manage_counsellor"),
    "health:slot_list": Route(perm="health.manage_availability", domain=_P),
    "health:question_list": Route(perm="health.answer_question", domain=_P),
    "health:question_answer": Route(perm="health.answer_question", kwargs=_kw_one("question"), domain=_P,
                                    method="post", ok=(302,), skip_allowed=True),
    "health:session_list": Route(perm="health.view_session", domain=_P),
    "health:session_detail": Route(perm="health.view_session", obj="person", kwargs=_kw("session"), domain=_P),
    "health:session_cancel": Route(perm="health.view_session", obj="person", kwargs=_kw("session"), domain=_P,
                                   method="post", ok=(302,), skip_allowed=True),
    "health:my_session_cancel": Route(perm="health.book_session", obj="invitation", kwargs=_kw("session"),
                                      method="post", ok=(302,), skip_allowed=True),
    "health:session_notes": Route(perm="health.view_session", obj="person", kwargs=_kw("session"), domain=_P),
    "health:session_break_glass": Route(perm="health.view_session", obj="person", kwargs=_kw("session"), domain=_P),
    "health:session_refer": Route(perm="health.view_session", obj="person", kwargs=_kw("session"), domain=_P,
                                  method="post", ok=(302,), skip_allowed=True),
    "api:psych_round_list": Route(perm="health.view_round", api=True),
    "api:psych_round_stats": Route(perm="health.view_psych_stats", obj="county", api=True,
                                   kwargs=_kw("round", "round_id")),
    "api:psych_round_detail": Route(perm="health.view_round", obj="county", api=True,
                                    kwargs=_kw("round", "round_id")),
    # A PATCH without changes answers the round (200) for a permitted caller.
    "api:psych_round_update": Route(perm="health.manage_round", obj="county", api=True, method="patch",
                                    kwargs=_kw("round", "round_id")),
    "api:psych_round_delete": Route(perm="health.manage_round", obj="county", api=True, method="delete",
                                    skip_allowed=True, kwargs=_kw("round", "round_id")),
    "api:psych_result_list": Route(perm="health.view_screening", api=True, domain=_P),
    "api:psych_alert_list": Route(perm="health.view_alert", api=True, domain=_P),
    "api:psych_alert_detail": Route(perm="health.view_alert", obj="person", api=True, domain=_P,
                                    kwargs=_kw("alert", "alert_id")),
    "api:psych_alert_acknowledge": Route(perm="health.view_alert", obj="person", api=True, domain=_P, method="post",
                                         skip_allowed=True, kwargs=_kw("alert", "alert_id")),
    "api:psych_me": Route(perm="health.take_screening", api=True),
})
