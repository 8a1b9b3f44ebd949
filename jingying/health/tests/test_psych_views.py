"""Screens and API of screening, crisis escalation and counselling: the officer's flow on the
pages, the counsellor's, what units see (counts only), pinned query counts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jingying.core.models import AuditEntry
from jingying.core.testing import login_client
from jingying.health.choices_psych import AlertStatus, Tier
from jingying.health.models import CounsellingSession, CrisisAlert, ScreeningResult
from jingying.health.selectors import psych as selectors
from jingying.health.services import counselling
from jingying.health.tests.factories_psych import (
    GAD7_LOW,
    PHQ9_SAFETY,
    make_round,
    make_slot,
    psych_world,
    raw_for,
)
from jingying.org.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():  # type: ignore[no-untyped-def]
    return psych_world()


def _post_answers(client, rnd, code, answers, capture):  # type: ignore[no-untyped-def]
    data = {f"q_{k}": v for k, v in raw_for(rnd, code, answers).items()}
    with capture(execute=True):
        return client.post(reverse("health:screening_answer", args=[rnd.pk]), data)


def test_officer_screening_flow_shows_crisis_resources(w, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    rnd = make_round(w.tree.county)
    client = login_client(w.officer)
    mine = client.get(reverse("health:screening_mine"))
    assert mine.status_code == 200 and "开始筛查" in mine.content.decode()
    assert client.get(reverse("health:screening_answer", args=[rnd.pk])).status_code == 302  # consent first
    page = client.get(reverse("health:screening_consent", args=[rnd.pk])).content.decode()
    assert "只有本单位指定的心理咨询师" in page
    assert client.post(reverse("health:screening_consent", args=[rnd.pk]), {}).status_code == 400
    assert client.post(reverse("health:screening_consent", args=[rnd.pk]), {"agree": "yes"}).status_code == 302
    first = client.get(reverse("health:screening_answer", args=[rnd.pk]))
    assert first.status_code == 200 and "1/2" in first.content.decode()
    bad = client.post(reverse("health:screening_answer", args=[rnd.pk]), {})
    assert bad.status_code == 400 and "此题为必答题" in bad.content.decode()
    assert _post_answers(client, rnd, "PHQ-9", PHQ9_SAFETY, django_capture_on_commit_callbacks).status_code == 302
    assert CrisisAlert.objects.filter(person=w.officer_person).exists()
    done = _post_answers(client, rnd, "GAD-7", GAD7_LOW, django_capture_on_commit_callbacks)
    assert done["Location"] == reverse("health:screening_done", args=[rnd.pk])
    page = client.get(done["Location"]).content.decode()
    assert "12356" in page and "我们很关心您" in page and "高风险" in page and "心理咨询师会主动与您联系" in page
    assert client.get(reverse("health:screening_answer", args=[rnd.pk])).status_code == 302  # nothing left
    me = client.get("/api/v1/health/psych/me").json()
    assert me["rounds"][0]["tier"] == Tier.HIGH
    # Crisis resources for everyone, whatever the score.
    assert "12356" in client.get(reverse("health:crisis_resources")).content.decode()


def test_officer_cannot_open_another_round_or_results(w) -> None:  # type: ignore[no-untyped-def]
    rnd = make_round(w.tree.other_county)
    client = login_client(w.officer)
    assert client.get(reverse("health:screening_consent", args=[rnd.pk])).status_code == 404
    assert client.get(reverse("health:result_list")).status_code == 403
    assert client.get("/api/v1/health/psych/results").status_code == 403


def _alert(w, capture):  # type: ignore[no-untyped-def]
    from jingying.health.services import screening

    rnd = make_round(w.tree.county)
    screening.consent_give(actor=w.officer, screening=rnd)
    link = rnd.campaigns.get(instrument_code="PHQ-9")
    with capture(execute=True):
        screening.screening_answer(actor=w.officer, screening=rnd, link=link, raw=raw_for(rnd, "PHQ-9", PHQ9_SAFETY))
    return rnd, CrisisAlert.objects.get()


def test_counsellor_handles_the_alert_on_the_pages(w, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    _rnd, alert = _alert(w, django_capture_on_commit_callbacks)
    client = login_client(w.counsellor)
    listing = client.get(reverse("health:alert_list")).content.decode()
    assert w.officer_person.name in listing
    detail = client.get(reverse("health:alert_detail", args=[alert.pk]))
    assert detail.status_code == 200 and "13800000000" in detail.content.decode()
    assert AuditEntry.objects.filter(action="psych.read", actor_id=w.counsellor.pk, person_id=w.officer_person.pk).exists()
    assert client.post(reverse("health:alert_acknowledge", args=[alert.pk])).status_code == 302
    assert client.post(reverse("health:alert_contact", args=[alert.pk]), {"at": "", "method": "phone"}).status_code == 400
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert client.post(reverse("health:alert_contact", args=[alert.pk]),
                       {"at": now, "method": "phone", "note": "已联系"}).status_code == 302
    assert client.post(reverse("health:alert_close", args=[alert.pk]), {"outcome": "bad"}).status_code == 400
    assert client.post(reverse("health:alert_close", args=[alert.pk]), {"outcome": "counselling"}).status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED and alert.contact_method == "phone"
    api = client.get("/api/v1/health/psych/alerts?status=all").json()
    assert api["count"] == 1 and api["items"][0]["status"] == "closed"
    assert client.get(f"/api/v1/health/psych/alerts/{alert.pk}").status_code == 200
    assert client.post(f"/api/v1/health/psych/alerts/{alert.pk}/acknowledge").status_code == 200
    results = client.get(reverse("health:result_list")).content.decode()
    assert w.officer_person.name in results
    result = ScreeningResult.objects.get()
    assert client.get(reverse("health:result_detail", args=[result.pk])).status_code == 200
    assert client.get("/api/v1/health/psych/results").json()["items"][0]["tier"] == Tier.HIGH


def test_leader_sees_counts_only(w, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    rnd, _alert_obj = _alert(w, django_capture_on_commit_callbacks)
    client = login_client(w.leader)
    for name in ("health:alert_list", "health:result_list", "health:session_list"):
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("health:alert_detail", args=[_alert_obj.pk])).status_code in (403, 404)
    assert client.get("/api/v1/health/psych/alerts").status_code == 403
    page = login_client(w.political).get(reverse("health:round_detail", args=[rnd.pk])).content.decode()
    assert w.officer_person.name not in page and "人数不足" in page


def test_round_pages_create_and_export(w) -> None:  # type: ignore[no-untyped-def]
    client = login_client(w.political)
    assert client.get(reverse("health:round_create")).status_code == 200
    bad = client.post(reverse("health:round_create"), {"title": "x", "unit": w.tree.county.pk})
    assert bad.status_code == 400
    opens = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    closes = (timezone.localtime() + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    outside = client.post(reverse("health:round_create"), {"title": "x", "unit": w.tree.other_county.pk,
                                                           "opens_at": opens, "closes_at": closes,
                                                           "instruments": ["PHQ-9"]})
    assert outside.status_code == 400
    made = client.post(reverse("health:round_create"), {"title": "2026 年度筛查", "unit": w.tree.county.pk,
                                                        "opens_at": opens, "closes_at": closes,
                                                        "instruments": ["PHQ-9", "GAD-7"]})
    assert made.status_code == 302
    assert "2026 年度筛查" in client.get(reverse("health:round_list")).content.decode()
    rnd_pk = int(made["Location"].rstrip("/").split("/")[-1])
    export = client.get(reverse("health:round_export", args=[rnd_pk]))
    assert export.status_code == 200
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "2026 年度筛查"
    assert client.get("/api/v1/health/psych/rounds").json()["count"] == 1
    stats = client.get(f"/api/v1/health/psych/rounds/{rnd_pk}/stats").json()
    assert stats["unit"]["shown"] is False and stats["k"] == 10


def _results(rnd, unit, tiers):  # type: ignore[no-untyped-def]
    for tier in tiers:
        person = PersonFactory(unit=unit)
        ScreeningResult.objects.create(round=rnd, person=person, unit=unit, tier=tier, complete=True, rules_version="t")


def test_round_stats_suppress_small_units_and_cells(w) -> None:  # type: ignore[no-untyped-def]
    rnd = make_round(w.tree.region)
    # city: 20 respondents in its station (3 high), other city 12 in its station.
    _results(rnd, w.tree.station, [Tier.LOW] * 14 + [Tier.MEDIUM] * 3 + [Tier.HIGH] * 3)
    _results(rnd, w.tree.other_station, [Tier.LOW] * 12)
    stats = selectors.round_stats(actor=w.political, screening=rnd, unit=w.tree.city)
    assert stats.shown and stats.answered == 20
    # medium 3 and high 3 are below 5: both hidden; low shown.
    assert stats.tiers == {Tier.LOW: 14, Tier.MEDIUM: None, Tier.HIGH: None}
    region = selectors.round_stats(actor=w.head, screening=rnd, unit=w.tree.region)
    assert region.shown and region.answered == 32
    shown_rows = {r.unit.pk: r.shown for r in region.rows if r.unit is not None}
    assert shown_rows[w.tree.city.pk] and shown_rows[w.tree.other_city.pk]
    # One city with fewer than k: hidden, and its sibling hidden with it (complementary).
    _results(rnd, w.tree.other_station, [])
    rnd2 = make_round(w.tree.region)
    _results(rnd2, w.tree.station, [Tier.LOW] * 20)
    _results(rnd2, w.tree.other_station, [Tier.LOW] * 4)
    region2 = selectors.round_stats(actor=w.head, screening=rnd2, unit=w.tree.region)
    hidden = {r.unit.pk for r in region2.rows if r.unit is not None and not r.shown}
    assert w.tree.other_city.pk in hidden and w.tree.city.pk in hidden
    with pytest.raises(Exception):  # noqa: B017,PT011 (Http404 outside the leader's grant)
        selectors.round_stats(actor=w.leader, screening=rnd, unit=w.tree.city)


def test_counselling_pages(w) -> None:  # type: ignore[no-untyped-def]
    slot = make_slot(w.counsellor_profile)
    officer = login_client(w.officer)
    home = officer.get(reverse("health:counselling_home") + "?language=mn").content.decode()
    assert "李咨询师" in home and "赵咨询师" not in home
    assert officer.post(reverse("health:session_book", args=[slot.pk])).status_code == 302
    assert officer.post(reverse("health:session_book", args=[slot.pk])).status_code == 302  # refused, message
    session = CounsellingSession.objects.get()
    assert "李咨询师" in officer.get(reverse("health:counselling_home")).content.decode()
    assert officer.get(reverse("health:session_detail", args=[session.pk])).status_code == 404
    c = login_client(w.counsellor)
    assert c.get(reverse("health:session_list")).status_code == 200
    assert c.get(reverse("health:session_detail", args=[session.pk])).status_code == 200
    assert c.post(reverse("health:session_notes", args=[session.pk]), {"notes": "机密记录XYZ", "status": "held"}).status_code == 302
    assert "机密记录XYZ" in c.get(reverse("health:session_notes", args=[session.pk])).content.decode()
    other = login_client(w.other_counsellor)
    assert other.get(reverse("health:session_notes", args=[session.pk])).status_code == 403
    head = login_client(w.head)
    assert head.post(reverse("health:session_break_glass", args=[session.pk]), {"reason": ""}).status_code == 400
    glass = head.post(reverse("health:session_break_glass", args=[session.pk]), {"reason": "本人失联，需评估风险"})
    assert glass.status_code == 200 and "机密记录XYZ" in glass.content.decode()
    assert other.post(reverse("health:session_break_glass", args=[session.pk]), {"reason": "想看看内容"}).status_code == 403
    assert c.post(reverse("health:session_refer", args=[session.pk]), {"referral": "转介市精神卫生中心"}).status_code == 302
    assert c.post(reverse("health:session_refer", args=[session.pk]), {"referral": ""}).status_code == 302
    assert officer.post(reverse("health:my_session_cancel", args=[session.pk])).status_code == 302
    assert c.post(reverse("health:session_cancel", args=[session.pk])).status_code == 302  # already cancelled
    # The officer's access log shows the break-glass read.
    log = officer.get(reverse("core:my_access_log")).content.decode()
    assert "本人失联" in log or "head1" in log


def test_slots_and_questions_pages(w) -> None:  # type: ignore[no-untyped-def]
    c = login_client(w.counsellor)
    start = timezone.localtime() + dt.timedelta(days=1)
    ok = c.post(reverse("health:slot_list"), {"starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                                              "ends_at": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                                              "mode": "phone"})
    assert ok.status_code == 302
    assert c.post(reverse("health:slot_list"), {"starts_at": ""}).status_code == 400
    assert login_client(w.other_counsellor).get(reverse("health:slot_list")).status_code == 200
    officer = login_client(w.officer)
    assert officer.post(reverse("health:question_ask"), {"text": "短"}).status_code == 400
    asked = officer.post(reverse("health:question_ask"), {"text": "值夜班后总是睡不着怎么办？"})
    assert asked.status_code == 200 and asked["Cache-Control"] == "no-store"
    code = asked.content.decode().split('id="question-code">')[1].split("<")[0]
    assert officer.post(reverse("health:question_follow"), {"code": "XXXX"}).status_code == 404
    assert "还没有答复" in officer.post(reverse("health:question_follow"), {"code": code}).content.decode()
    assert "睡不着" in c.get(reverse("health:question_list")).content.decode()
    from jingying.health.models import AnonymousQuestion

    q = AnonymousQuestion.objects.get()
    assert c.post(reverse("health:question_answer", args=[q.pk]), {"answer": ""}).status_code == 302
    assert c.post(reverse("health:question_answer", args=[q.pk]), {"answer": "建议规律作息"}).status_code == 302
    assert "建议规律作息" in officer.post(reverse("health:question_follow"), {"code": code}).content.decode()
    assert login_client(w.officer).get(reverse("health:question_follow")).status_code == 200


def test_counselling_stats_are_k_safe(w) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    for n in range(7):
        CounsellingSession.objects.create(person=w.officer_person, counsellor=w.counsellor_profile, unit=w.tree.station,
                                          starts_at=now - dt.timedelta(hours=n), mode="phone", status="held")
    page = login_client(w.political).get(reverse("health:counselling_stats")).content.decode()
    assert w.officer_person.name not in page
    _kinds, rows, _k = selectors.counselling_stats(actor=w.political, unit=w.tree.city)
    assert rows[0].total == 7
    CounsellingSession.objects.filter(pk__in=list(CounsellingSession.objects.values_list("pk", flat=True)[:4])).delete()
    _kinds, rows, _k = selectors.counselling_stats(actor=w.political, unit=w.tree.city)
    assert rows[0].total is None


def test_counselling_stats_export_keeps_small_months_hidden(w) -> None:  # type: ignore[no-untyped-def]
    import openpyxl

    now = timezone.localtime().replace(day=10, hour=12)  # mid-month, whatever day the test runs
    for n in range(7):
        CounsellingSession.objects.create(person=w.officer_person, counsellor=w.counsellor_profile, unit=w.tree.station,
                                          starts_at=now - dt.timedelta(hours=n), mode="phone", status="held")
    CounsellingSession.objects.create(person=w.officer_person, counsellor=w.counsellor_profile, unit=w.tree.station,
                                      starts_at=now - dt.timedelta(days=62), mode="phone", status="held")
    response = login_client(w.political).get(reverse("health:counselling_stats_export"), {"unit": w.tree.city.pk})
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "月份" and rows[0][-1] == "合计"
    assert rows[1][-1] == 7  # this month: 7 sessions, shown
    assert rows[2][-1] == "不显示（人数不足）"  # one session two months ago: hidden
    assert all(w.officer_person.name not in str(v) for r in rows for v in r)
    assert AuditEntry.objects.filter(action="health.counselling_stats.export").exists()


@pytest.mark.parametrize("name", ["health:alert_list", "health:result_list", "health:session_list"])
def test_list_query_counts_do_not_grow_with_rows(w, name) -> None:  # type: ignore[no-untyped-def]
    rnd = make_round(w.tree.county)
    client = login_client(w.counsellor)

    def add(n: int) -> None:
        now = timezone.now()
        for _i in range(n):
            person = PersonFactory(unit=w.tree.station)
            result = ScreeningResult.objects.create(round=rnd, person=person, unit=w.tree.station, tier="high",
                                                    rules_version="t", complete=True)
            CrisisAlert.objects.create(person=person, result=result, reason="high_tier", priority="high",
                                       created_at=now, ack_due_at=now)
            CounsellingSession.objects.create(person=person, counsellor=w.counsellor_profile, unit=w.tree.station,
                                              starts_at=now, mode="phone")

    def count() -> int:
        client.get(reverse(name))  # warm the session and grants
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200
        return len(ctx.captured_queries)

    add(3)
    small = count()
    add(20)
    assert count() == small
    assert small <= 12, small


def test_me_context_for_the_health_page(w, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    make_round(w.tree.county)
    counselling.session_book(actor=w.officer, slot_id=make_slot(w.counsellor_profile).pk)
    context = selectors.me_psych_context(actor=w.officer)
    assert len(context["rounds"]) == 1 and len(context["sessions"]) == 1
    assert selectors.me_psych_context(actor=w.political) == {"rounds": [], "sessions": []}


def test_station_leader_follows_a_wider_round_from_their_own_unit(w) -> None:  # type: ignore[no-untyped-def]
    rnd = make_round(w.tree.region)
    outside = make_round(w.tree.other_county)
    client = login_client(w.leader)
    listing = client.get(reverse("health:round_list")).content.decode()
    assert rnd.title in listing
    assert client.get(reverse("health:round_detail", args=[outside.pk])).status_code == 404
    page = client.get(reverse("health:round_detail", args=[rnd.pk])).content.decode()
    assert w.tree.station.name in page and "人数不足" in page and w.officer_person.name not in page
    stats = client.get(f"/api/v1/health/psych/rounds/{rnd.pk}/stats").json()
    assert stats["unit"]["unit"] == w.tree.station.pk and stats["unit"]["shown"] is False
    assert client.get(f"/api/v1/health/psych/rounds/{rnd.pk}/stats?unit={w.tree.county.pk}").status_code == 404


def test_directory_is_kept_by_the_political_department(w) -> None:  # type: ignore[no-untyped-def]
    from jingying.health.models import Counsellor
    from jingying.org.tests.factories import make_user

    make_user("newcounsellor")
    client = login_client(w.political)
    assert "李咨询师" in client.get(reverse("health:counsellor_list")).content.decode()
    data = {"username": "newcounsellor", "name": "新咨询师", "unit_code": w.tree.county.code, "languages": ["zh", "mn"],
            "active": "on"}
    assert client.post(reverse("health:counsellor_list"), {**data, "username": "nobody"}).status_code == 400
    assert client.post(reverse("health:counsellor_list"), {**data, "unit_code": "x"}).status_code == 400
    assert client.post(reverse("health:counsellor_list"), {**data, "unit_code": w.tree.other_county.code}).status_code == 400
    assert client.post(reverse("health:counsellor_list"), {**data, "languages": []}).status_code == 400
    assert client.post(reverse("health:counsellor_list"), data).status_code == 302
    assert Counsellor.objects.get(name="新咨询师").languages == ["zh", "mn"]
    assert login_client(w.leader).get(reverse("health:counsellor_list")).status_code == 403


def test_own_health_page_shows_the_screening_and_counselling_sections(w) -> None:  # type: ignore[no-untyped-def]
    rnd = make_round(w.tree.county)
    page = login_client(w.officer).get(reverse("health:me")).content.decode()
    assert 'id="me-screening"' in page and rnd.title in page
    assert 'id="me-counselling"' in page


def test_screening_campaigns_are_not_offered_among_ordinary_surveys(w) -> None:  # type: ignore[no-untyped-def]
    """Consent first: a screening campaign is answered only through the screening pages."""
    from jingying.surveys import selectors as survey_selectors

    rnd = make_round(w.tree.county)
    campaign_ids = list(rnd.campaigns.values_list("campaign_id", flat=True))
    assert campaign_ids
    mine = survey_selectors.my_invitations(actor=w.officer)
    assert not mine.filter(campaign_id__in=campaign_ids).exists()
    client = login_client(w.officer)
    assert client.get(reverse("surveys:answer", args=[campaign_ids[0]])).status_code == 404
