"""Screening, crisis escalation and counselling services (issue 6 points 2–4)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from jingying.core.models import AuditEntry, Notification
from jingying.health.choices_psych import AlertOutcome, AlertStatus, ContactMethod, SessionStatus, Tier
from jingying.health.models import (
    AnonymousQuestion,
    BreakGlass,
    CounsellingSession,
    CrisisAlert,
    ScreeningResult,
)
from jingying.health.services import counselling, crisis, screening
from jingying.health.tests.factories_psych import (
    GAD7_LOW,
    PHQ9_SAFE,
    PHQ9_SAFETY,
    make_round,
    make_slot,
    psych_world,
    raw_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():  # type: ignore[no-untyped-def]
    return psych_world()


def _answer(w, rnd, code, answers, capture):  # type: ignore[no-untyped-def]
    link = rnd.campaigns.get(instrument_code=code)
    with capture(execute=True):
        screening.screening_answer(actor=w.officer, screening=rnd, link=link, raw=raw_for(rnd, code, answers))


# --- tier rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(("scores", "tier"), [
    ({"PHQ-9": {"total": 20, "flags": []}}, Tier.HIGH),
    ({"PHQ-9": {"total": 19, "flags": []}}, Tier.MEDIUM),
    ({"PHQ-9": {"total": 10, "flags": []}}, Tier.MEDIUM),
    ({"PHQ-9": {"total": 9, "flags": []}}, Tier.LOW),
    ({"PHQ-9": {"total": 3, "flags": ["safety_escalation"]}}, Tier.HIGH),
    ({"PCL-5": {"total": 33, "flags": []}}, Tier.HIGH),
    ({"PCL-5": {"total": 32, "flags": []}}, Tier.LOW),
    ({"GAD-7": {"total": 10, "flags": []}}, Tier.MEDIUM),
    ({"WHO-5": {"total": 28, "flags": []}}, Tier.MEDIUM),
    ({"WHO-5": {"total": 32, "flags": []}}, Tier.LOW),
    ({"AUDIT": {"total": 22, "band": "zone_4", "flags": []}}, Tier.HIGH),
    ({"CBI": {"total": None, "flags": []}}, Tier.LOW),
    ({}, Tier.LOW),
])
def test_tier_rules_as_data(scores, tier) -> None:  # type: ignore[no-untyped-def]
    assert screening.tier_of(scores)[0] == tier


def test_guidance_per_band_in_both_languages() -> None:
    for tier in Tier.values:
        assert screening.guidance(tier, "zh") and screening.guidance(tier, "en")


# --- rounds, consent, answers --------------------------------------------------------------


def test_round_creates_a_campaign_per_instrument(w) -> None:  # type: ignore[no-untyped-def]
    rnd = make_round(w.tree.county, actor=w.political)
    assert list(rnd.campaigns.values_list("instrument_code", flat=True)) == ["PHQ-9", "GAD-7"]
    assert all(link.campaign.kind == "identified" for link in rnd.campaigns.select_related("campaign"))
    assert AuditEntry.objects.filter(action="health.screening_round.create").exists()


def test_round_refuses_bad_input_and_outsiders(w) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        screening.round_create(actor=w.political, unit=w.tree.county, title="", year=2026, instruments=["ISI"],
                               opens_at=now, closes_at=now - dt.timedelta(days=1))
    assert {"instruments", "closes_at", "title"} <= set(exc.value.message_dict)
    with pytest.raises(PermissionDenied):
        make_round(w.tree.other_county, actor=w.political)
    with pytest.raises(PermissionDenied):
        make_round(w.tree.county, actor=w.leader)


def test_no_consent_no_answers(w, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    rnd = make_round(w.tree.county)
    link = rnd.campaigns.get(instrument_code="PHQ-9")
    with pytest.raises(PermissionDenied):
        screening.screening_answer(actor=w.officer, screening=rnd, link=link, raw=raw_for(rnd, "PHQ-9", PHQ9_SAFE))
    consent = screening.consent_give(actor=w.officer, screening=rnd)
    assert consent.text_version == screening.CONSENT_VERSION and consent.consented_at
    assert screening.consent_give(actor=w.officer, screening=rnd) == consent  # once
    _answer(w, rnd, "PHQ-9", PHQ9_SAFE, django_capture_on_commit_callbacks)
    result = ScreeningResult.objects.get(round=rnd, person=w.officer_person)
    assert not result.complete and result.tier == Tier.LOW


def test_consent_only_for_the_invited(w) -> None:  # type: ignore[no-untyped-def]
    rnd = make_round(w.tree.other_county)
    with pytest.raises(Http404):
        screening.consent_give(actor=w.officer, screening=rnd)
    with pytest.raises(PermissionDenied):
        screening.consent_give(actor=w.political, screening=rnd)


def test_complete_low_result_raises_no_alert(w, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    rnd = make_round(w.tree.county)
    screening.consent_give(actor=w.officer, screening=rnd)
    _answer(w, rnd, "PHQ-9", PHQ9_SAFE, django_capture_on_commit_callbacks)
    _answer(w, rnd, "GAD-7", GAD7_LOW, django_capture_on_commit_callbacks)
    result = ScreeningResult.objects.get(round=rnd, person=w.officer_person)
    assert result.complete and result.tier == Tier.LOW and set(result.scores) == {"PHQ-9", "GAD-7"}
    assert not CrisisAlert.objects.exists()


# --- crisis escalation ---------------------------------------------------------------------


def test_safety_item_alerts_responsible_counsellors_at_once(w, django_capture_on_commit_callbacks,
                                                            settings, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    settings.JINGYING_NOTIFY_CHANNELS = ["jingying.core.notifications.email_channel"]
    w.counsellor.email = "c@example.test"
    w.counsellor.save()
    rnd = make_round(w.tree.county)
    screening.consent_give(actor=w.officer, screening=rnd)
    _answer(w, rnd, "PHQ-9", PHQ9_SAFETY, django_capture_on_commit_callbacks)
    alert = CrisisAlert.objects.get()
    assert alert.reason == "safety" and alert.priority == "emergent" and alert.status == AlertStatus.OPEN
    assert alert.summary["phq9_total"] == 12
    told = set(Notification.objects.filter(kind="health.crisis").values_list("user_id", flat=True))
    # The city counsellor (nearest) and the region ones — never the station leader or political staff.
    assert w.counsellor.pk in told and w.leader.pk not in told and w.political.pk not in told
    assert Notification.objects.filter(kind="health.crisis", urgent=True).count() == len(told)
    assert [m.to for m in mailoutbox] == [["c@example.test"]]
    # A second instrument does not raise a second alert.
    _answer(w, rnd, "GAD-7", GAD7_LOW, django_capture_on_commit_callbacks)
    assert CrisisAlert.objects.count() == 1
    assert ScreeningResult.objects.get().tier == Tier.HIGH


def _alert(w, capture):  # type: ignore[no-untyped-def]
    rnd = make_round(w.tree.county)
    screening.consent_give(actor=w.officer, screening=rnd)
    _answer(w, rnd, "PHQ-9", PHQ9_SAFETY, capture)
    return CrisisAlert.objects.get()


def test_acknowledge_contact_close(w, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    alert = _alert(w, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDenied):
        crisis.alert_acknowledge(actor=w.leader, alert=alert)
    with pytest.raises(ValidationError):
        crisis.alert_close(actor=w.counsellor, alert=alert, outcome=AlertOutcome.SAFE_PLAN)
    alert = crisis.alert_acknowledge(actor=w.counsellor, alert=alert)
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == w.counsellor
    assert crisis.alert_acknowledge(actor=w.counsellor, alert=alert).status == AlertStatus.ACKNOWLEDGED
    with pytest.raises(ValidationError) as exc:
        crisis.alert_contact(actor=w.counsellor, alert=alert, at=timezone.now() + dt.timedelta(days=1), method="x")
    assert {"at", "method"} <= set(exc.value.message_dict)
    alert = crisis.alert_contact(actor=w.counsellor, alert=alert, at=timezone.now(), method=ContactMethod.PHONE,
                                 note="已电话联系，本人情绪稳定")
    assert alert.status == AlertStatus.CONTACTED and alert.contact_by == w.counsellor
    alert = crisis.alert_close(actor=w.counsellor, alert=alert, outcome=AlertOutcome.COUNSELLING, note="约好面谈")
    assert alert.status == AlertStatus.CLOSED and alert.closed_at and "约好面谈" in alert.outcome_note
    assert crisis.alert_close(actor=w.counsellor, alert=alert, outcome=AlertOutcome.COUNSELLING).is_closed
    with pytest.raises(ValidationError):
        crisis.alert_contact(actor=w.counsellor, alert=alert, at=timezone.now(), method=ContactMethod.PHONE)
    actions = set(AuditEntry.objects.filter(object_type="health.crisisalert").values_list("action", flat=True))
    assert {"health.crisis.raise", "health.crisis.acknowledge", "health.crisis.contact", "health.crisis.close"} <= actions


def test_unreachable_closes_without_contact(w, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    alert = _alert(w, django_capture_on_commit_callbacks)
    alert = crisis.alert_close(actor=w.counsellor, alert=alert, outcome=AlertOutcome.UNREACHABLE)
    assert alert.is_closed and alert.acknowledged_at


def test_overdue_alert_escalates_to_head_counsellor_once(w, django_capture_on_commit_callbacks,
                                                         settings) -> None:  # type: ignore[no-untyped-def]
    settings.JINGYING_CRISIS_ACK_MINUTES = 30
    alert = _alert(w, django_capture_on_commit_callbacks)
    # item 9 = 2 is emergent: a backup clinician after 15 minutes (instruments.md), not 30
    assert alert.priority == "emergent"
    assert (alert.ack_due_at - alert.created_at) == dt.timedelta(minutes=15)
    assert crisis.crisis_escalate_overdue(now=timezone.now()) == 0
    later = timezone.now() + dt.timedelta(minutes=16)
    with django_capture_on_commit_callbacks(execute=True):
        assert crisis.crisis_escalate_overdue(now=later) == 1
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ESCALATED and alert.escalated_at
    head_msgs = Notification.objects.filter(user=w.head, kind="health.crisis", title__startswith="【已升级】")
    assert head_msgs.count() == 1
    assert crisis.crisis_escalate_overdue(now=later) == 0
    assert crisis.alert_acknowledge(actor=w.head, alert=alert).status == AlertStatus.ACKNOWLEDGED


def test_acknowledged_alert_does_not_escalate(w, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    alert = _alert(w, django_capture_on_commit_callbacks)
    crisis.alert_acknowledge(actor=w.counsellor, alert=alert)
    assert crisis.crisis_escalate_overdue(now=timezone.now() + dt.timedelta(days=1)) == 0


def test_escalate_cli_and_task(w, django_capture_on_commit_callbacks, capsys) -> None:  # type: ignore[no-untyped-def]
    from jingying.health import cli_psych, tasks_psych

    alert = _alert(w, django_capture_on_commit_callbacks)
    CrisisAlert.objects.filter(pk=alert.pk).update(ack_due_at=timezone.now() - dt.timedelta(minutes=1))
    assert cli_psych.cli_escalate(None) == 0  # type: ignore[arg-type]
    assert "1" in capsys.readouterr().out
    assert tasks_psych.crisis_escalate.enqueue().return_value == 0


# --- counselling ---------------------------------------------------------------------------


def test_book_a_slot_once(w) -> None:  # type: ignore[no-untyped-def]
    slot = make_slot(w.counsellor_profile)
    session = counselling.session_book(actor=w.officer, slot_id=slot.pk)
    assert session.person == w.officer_person and session.counsellor == w.counsellor_profile
    assert Notification.objects.filter(user=w.counsellor, kind="health.booking").exists()
    with pytest.raises(ValidationError):
        counselling.session_book(actor=w.leader, slot_id=slot.pk)
    with pytest.raises(ValidationError):
        counselling.session_book(actor=w.officer, slot_id=999999)
    with pytest.raises(PermissionDenied):
        counselling.session_book(actor=w.political, slot_id=make_slot(w.counsellor_profile, hours=30).pk)
    counselling.session_cancel(actor=w.officer, session=session)
    slot.refresh_from_db()
    assert not slot.booked and CounsellingSession.objects.get().status == SessionStatus.CANCELLED
    with pytest.raises(ValidationError):
        counselling.session_cancel(actor=w.officer, session=session)


def test_slot_rules(w) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        counselling.slot_create(actor=w.counsellor, starts_at=now - dt.timedelta(hours=1), ends_at=now - dt.timedelta(hours=2),
                                mode="x")
    assert {"starts_at", "ends_at", "mode"} <= set(exc.value.message_dict)
    with pytest.raises(PermissionDenied):
        counselling.slot_create(actor=w.officer, starts_at=now + dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=2))
    slot = counselling.slot_create(actor=w.counsellor, starts_at=now + dt.timedelta(hours=1),
                                   ends_at=now + dt.timedelta(hours=2))
    assert not slot.booked


SECRET = "来访者谈到夜班后失眠，对家庭冲突感到无力（测试明文 PLAINTEXT-MARKER）"


def _session_with_notes(w):  # type: ignore[no-untyped-def]
    session = counselling.session_book(actor=w.officer, slot_id=make_slot(w.counsellor_profile).pk)
    return counselling.session_notes_write(actor=w.counsellor, session=session, text=SECRET)


def test_notes_are_unreadable_in_the_database_and_readable_by_their_author(w) -> None:  # type: ignore[no-untyped-def]
    session = _session_with_notes(w)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {CounsellingSession._meta.db_table}")  # noqa: S608 (our own table name)
        raw_rows = cursor.fetchall()
        cursor.execute(f"SELECT * FROM {AuditEntry._meta.db_table}")  # noqa: S608
        audit_rows = cursor.fetchall()
    dump = repr(raw_rows) + repr(audit_rows)
    for needle in ("PLAINTEXT-MARKER", "失眠", "家庭冲突"):
        assert needle not in dump
    assert any(str(cell).startswith("v1:") for row in raw_rows for cell in row)
    assert counselling.session_notes_read(actor=w.counsellor, session=session) == SECRET
    assert AuditEntry.objects.filter(action="psych.read", person_id=w.officer_person.pk).exists()


def test_other_counsellors_cannot_read_or_overwrite_notes(w) -> None:  # type: ignore[no-untyped-def]
    session = _session_with_notes(w)
    for actor in (w.other_counsellor, w.head, w.officer, w.leader):
        with pytest.raises(PermissionDenied):
            counselling.session_notes_read(actor=actor, session=session)
    with pytest.raises(PermissionDenied):
        counselling.session_notes_write(actor=w.other_counsellor, session=session, text="x")


def test_ciphertext_is_bound_to_its_session(w) -> None:  # type: ignore[no-untyped-def]
    from jingying.health import crypto_psych

    session = _session_with_notes(w)
    with pytest.raises(crypto_psych.NotesUnreadableError):
        crypto_psych.decrypt(session.notes, session_id=session.pk + 1)
    with pytest.raises(crypto_psych.NotesUnreadableError):
        crypto_psych.decrypt("plain", session_id=session.pk)
    assert crypto_psych.encrypt("", session_id=1) == "" and crypto_psych.decrypt("", session_id=1) == ""


def test_break_glass_by_the_head_counsellor_only_with_a_reason(w) -> None:  # type: ignore[no-untyped-def]
    session = _session_with_notes(w)
    with pytest.raises(PermissionDenied):
        counselling.session_break_glass(actor=w.other_counsellor, session=session, reason="需要了解情况以便处置")
    with pytest.raises(ValidationError):
        counselling.session_break_glass(actor=w.head, session=session, reason=" ")
    text = counselling.session_break_glass(actor=w.head, session=session, reason="本人失联，评估自伤风险")
    assert text == SECRET
    assert BreakGlass.objects.get().actor == w.head
    entry = AuditEntry.objects.get(action="psych.read", actor_id=w.head.pk)
    assert entry.person_id == w.officer_person.pk and "本人失联" in entry.reason
    assert Notification.objects.filter(user=w.counsellor, kind="health.break_glass").exists()


def test_referral(w) -> None:  # type: ignore[no-untyped-def]
    session = counselling.session_book(actor=w.officer, slot_id=make_slot(w.counsellor_profile).pk)
    with pytest.raises(ValidationError):
        counselling.session_refer(actor=w.counsellor, session=session, text="")
    with pytest.raises(PermissionDenied):
        counselling.session_refer(actor=w.other_counsellor, session=session, text="x")
    session = counselling.session_refer(actor=w.counsellor, session=session, text="转介市第四医院心理科")
    assert session.referral == "转介市第四医院心理科"


def test_anonymous_question_stores_no_person_and_only_a_code_hash(w) -> None:  # type: ignore[no-untyped-def]
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        counselling.question_ask(text="短")
    question, code = counselling.question_ask(text="最近总是睡不好，该怎么调整？")
    assert AuditEntry.objects.count() == before  # an audit entry would name the asker
    field_names = {f.name for f in AnonymousQuestion._meta.get_fields()}
    assert not field_names & {"person", "user", "created_by", "ip"}
    assert code.replace("-", "") not in question.code_hash and len(code) == 14
    assert counselling.question_follow(code=code.lower()) == question
    assert counselling.question_follow(code="AAAA-BBBB-CCCC") is None
    assert counselling.question_follow(code=" ") is None
    with pytest.raises(PermissionDenied):
        counselling.question_answer(actor=w.officer, question=question, text="x")
    with pytest.raises(ValidationError):
        counselling.question_answer(actor=w.counsellor, question=question, text=" ")
    counselling.question_answer(actor=w.counsellor, question=question, text="建议规律作息，可预约面谈。")
    assert counselling.question_follow(code=code).answer.startswith("建议")


def test_counsellor_save(w) -> None:  # type: ignore[no-untyped-def]
    from jingying.org.tests.factories import make_user

    user = make_user("newc")
    with pytest.raises(ValidationError):
        counselling.counsellor_save(actor=w.political, user=user, unit=w.tree.county, name="新", languages=["fr"])
    c = counselling.counsellor_save(actor=w.political, user=user, unit=w.tree.county, name="新咨询师",
                                    languages=["zh", "mn"], qualifications="二级")
    assert c.languages == ["zh", "mn"]
    c = counselling.counsellor_save(actor=w.political, user=user, unit=w.tree.county, name="新咨询师", is_head=True)
    assert c.is_head
    with pytest.raises(PermissionDenied):
        counselling.counsellor_save(actor=w.political, user=user, unit=w.tree.other_county, name="x")


def test_answers_without_consent_keep_no_result_but_safety_is_acted_on(w, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from jingying.health.models import ScreeningConsent
    from jingying.surveys import services as survey_services

    rnd = make_round(w.tree.county)
    for code, answers in (("GAD-7", GAD7_LOW), ("PHQ-9", PHQ9_SAFETY)):
        link = rnd.campaigns.get(instrument_code=code)
        with django_capture_on_commit_callbacks(execute=True):  # the general survey page, no consent
            survey_services.response_submit(actor=w.officer, campaign_id=link.campaign_id,
                                            raw=raw_for(rnd, code, answers))
    assert not ScreeningResult.objects.exists()
    alert = CrisisAlert.objects.get()
    assert alert.result is None and alert.priority == "emergent" and alert.summary["consent"] is False
    assert not ScreeningConsent.objects.exists()


def test_only_emergent_alerts_shorten_the_acknowledgement_deadline(settings) -> None:  # type: ignore[no-untyped-def]
    settings.JINGYING_CRISIS_ACK_MINUTES = 30
    assert crisis.ack_minutes("emergent") == 15 and crisis.ack_minutes("urgent") == 30
    assert crisis.ack_minutes("high") == 30
    settings.JINGYING_CRISIS_ACK_MINUTES = 10
    assert crisis.ack_minutes("emergent") == 10  # a stricter general deadline still wins
