"""Writes of counselling (issue 6 point 4): directory, availability, bookings, encrypted notes,
break-glass, outside referral and anonymous questions.

Notes are encrypted before they reach the database (jingying.health.crypto_psych) and never
appear in the audit trail; reading them is audited as a psych read, a break-glass read with the
reason, so the officer's own access log shows it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.core import audit
from jingying.core.notifications import notify
from jingying.core.scoping import covers, has_perm, require
from jingying.health import crypto_psych
from jingying.health.choices_psych import Language, SessionMode, SessionStatus
from jingying.health.models import (
    AnonymousQuestion,
    AvailabilitySlot,
    BreakGlass,
    CounsellingSession,
    Counsellor,
)
from jingying.org.models import Person, Unit

DOMAIN = "psych"
COUNSELLOR_FIELDS = ["name", "qualifications", "languages", "bio", "is_head", "active", "unit"]


def counsellor_of(actor: Any) -> Counsellor | None:
    if not getattr(actor, "pk", None):
        return None
    return Counsellor.objects.filter(user_id=actor.pk, active=True).first()


# --- directory -----------------------------------------------------------------------------


@transaction.atomic
def counsellor_save(*, actor: Any, user: Any, unit: Unit, name: str, qualifications: str = "",
                    languages: Sequence[str] = ("zh",), bio: str = "", is_head: bool = False,
                    active: bool = True) -> Counsellor:
    """Add a counsellor to the directory or update their entry (political department)."""
    require(actor, "health.manage_counsellor", unit.path)
    bad = [x for x in languages if x not in Language.values]
    if bad or not languages:
        raise ValidationError({"languages": [_("请选择咨询语言")]})
    counsellor = Counsellor.objects.filter(user=user).first() or Counsellor(user=user)
    before = audit.snapshot(counsellor, COUNSELLOR_FIELDS) if counsellor.pk else None
    counsellor.unit, counsellor.name, counsellor.qualifications = unit, name.strip(), qualifications.strip()
    counsellor.languages, counsellor.bio, counsellor.is_head, counsellor.active = list(languages), bio, is_head, active
    counsellor.full_clean()
    counsellor.save()
    audit.record(actor=actor, action="health.counsellor.save", obj=counsellor, before=before,
                 after=audit.snapshot(counsellor, COUNSELLOR_FIELDS))
    return counsellor


def _require_counsellor(actor: Any, perm: str) -> Counsellor:
    counsellor = counsellor_of(actor)
    if counsellor is None or not covers(actor, perm, counsellor.unit.path, domain=DOMAIN):
        raise PermissionDenied(perm)
    return counsellor


@transaction.atomic
def slot_create(*, actor: Any, starts_at: dt.datetime, ends_at: dt.datetime, mode: str = SessionMode.IN_PERSON,
                location: str = "") -> AvailabilitySlot:
    """A counsellor offers a time."""
    counsellor = _require_counsellor(actor, "health.manage_availability")
    errors: dict[str, list[str]] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = [_("结束时间须晚于开始时间")]
    if starts_at < timezone.now():
        errors["starts_at"] = [_("不能发布已经过去的时段")]
    if mode not in SessionMode.values:
        errors["mode"] = [_("请选择方式")]
    if errors:
        raise ValidationError(errors)
    slot = AvailabilitySlot(counsellor=counsellor, starts_at=starts_at, ends_at=ends_at, mode=mode, location=location)
    slot.full_clean()
    slot.save()
    audit.record(actor=actor, action="health.slot.create", obj=slot,
                 after={"starts_at": starts_at, "ends_at": ends_at, "mode": mode})
    return slot


# --- sessions ------------------------------------------------------------------------------


@transaction.atomic
def session_book(*, actor: Any, slot_id: int) -> CounsellingSession:
    """The officer books a free slot; the counsellor is told (not the officer's unit)."""
    person_id = getattr(actor, "person_id", None)
    if person_id is None or not has_perm(actor, "health.book_session"):
        raise PermissionDenied("health.book_session")  # the 三员 hold no self-service (decision 0014)
    slot = AvailabilitySlot.objects.select_for_update(of=("self",)).select_related("counsellor__user").filter(pk=slot_id).first()
    if slot is None or not slot.counsellor.active:
        raise ValidationError({"slot": [_("该时段不存在")]})
    if slot.booked:
        raise ValidationError({"slot": [_("该时段已被预约，请另选时间")]})
    if slot.starts_at <= timezone.now():
        raise ValidationError({"slot": [_("该时段已经过去，请另选时间")]})
    if slot.counsellor.user_id == actor.pk:
        raise ValidationError({"slot": [_("不能预约自己的时段")]})
    person = Person.objects.get(pk=person_id)
    updated = AvailabilitySlot.objects.filter(pk=slot.pk, booked=False).update(booked=True)
    if updated != 1:  # pragma: no cover - a concurrent booking won
        raise ValidationError({"slot": [_("该时段已被预约，请另选时间")]})
    session = CounsellingSession.objects.create(person=person, counsellor=slot.counsellor, slot=slot,
                                                unit_id=person.unit_id, starts_at=slot.starts_at, mode=slot.mode)
    notify(users=[slot.counsellor.user], kind="health.booking",
           title=_("新的心理咨询预约：%(when)s") % {"when": timezone.localtime(slot.starts_at).strftime("%Y-%m-%d %H:%M")},
           url=reverse("health:session_detail", kwargs={"pk": session.pk}))
    audit.record(actor=actor, action="health.session.book", obj=session, person_id=person.pk,
                 after={"counsellor": slot.counsellor_id, "starts_at": slot.starts_at})
    return session


@transaction.atomic
def session_cancel(*, actor: Any, session: CounsellingSession) -> CounsellingSession:
    """The officer (their own booking) or the session's counsellor cancels; the slot is freed."""
    own = session.person_id == getattr(actor, "person_id", None)
    if not own and session.counsellor.user_id != actor.pk:
        raise PermissionDenied("not yours")
    if session.status != SessionStatus.BOOKED:
        raise ValidationError(_("只有“已预约”的咨询可以取消"))
    session.status = SessionStatus.CANCELLED
    session.save(update_fields=["status"])
    if session.slot_id:
        AvailabilitySlot.objects.filter(pk=session.slot_id).update(booked=False)
        CounsellingSession.objects.filter(pk=session.pk).update(slot=None)
    audit.record(actor=actor, action="health.session.cancel", obj=session, person_id=session.person_id)
    return session


def _require_session_counsellor(actor: Any, session: CounsellingSession) -> None:
    require(actor, "health.change_session", session.person.unit.path, domain=DOMAIN)
    if session.counsellor.user_id != actor.pk:
        raise PermissionDenied(_("只有本次咨询的咨询师可以记录"))


@transaction.atomic
def session_notes_write(*, actor: Any, session: CounsellingSession, text: str,
                        status: str = SessionStatus.HELD) -> CounsellingSession:
    """Write (replace) the session notes, encrypted; only the session's counsellor, and once
    written only their author."""
    _require_session_counsellor(actor, session)
    if session.notes_author_id not in (None, actor.pk):
        raise PermissionDenied(_("只有记录人可以修改咨询记录"))
    if status not in SessionStatus.values:
        raise ValidationError({"status": [_("请选择状态")]})
    session.notes = crypto_psych.encrypt(text.strip(), session_id=session.pk)
    session.notes_author = actor
    session.status = status
    session.save(update_fields=["notes", "notes_author", "status"])
    # The audit entry says that notes were written, never what they say.
    audit.record(actor=actor, action="health.session.notes", obj=session, person_id=session.person_id,
                 after={"status": status, "notes_length": len(text.strip())})
    return session


def can_read_notes(actor: Any, session: CounsellingSession) -> bool:
    return bool(session.notes_author_id) and session.notes_author_id == getattr(actor, "pk", None)


@transaction.atomic
def session_notes_read(*, actor: Any, session: CounsellingSession) -> str:
    """The author reads their notes back (audited as a psych read)."""
    if not can_read_notes(actor, session):
        raise PermissionDenied(_("咨询记录只有记录人本人可以查看"))
    audit.record_read(actor=actor, obj=session, person_id=session.person_id, domain=DOMAIN)
    return crypto_psych.decrypt(session.notes, session_id=session.pk)


def is_head_counsellor(actor: Any) -> bool:
    counsellor = counsellor_of(actor)
    return counsellor is not None and counsellor.is_head


@transaction.atomic
def session_break_glass(*, actor: Any, session: CounsellingSession, reason: str) -> str:
    """The duty head counsellor reads another counsellor's notes in an emergency, with a reason;
    recorded, audited (the officer's access log shows it) and the author is told."""
    require(actor, "health.view_session", session.person.unit.path, domain=DOMAIN)
    if not is_head_counsellor(actor):
        raise PermissionDenied(_("只有值班的心理咨询负责人可以紧急查阅"))
    reason = reason.strip()
    if len(reason) < 4:
        raise ValidationError({"reason": [_("请写明紧急查阅的理由（至少 4 个字）")]})
    BreakGlass.objects.create(session=session, actor=actor, reason=reason[:500], at=timezone.now())
    audit.record_read(actor=actor, obj=session, person_id=session.person_id, domain=DOMAIN,
                      reason=_("紧急查阅：%(reason)s") % {"reason": reason[:400]})
    if session.notes_author_id and session.notes_author_id != actor.pk:
        notify(users=[session.notes_author], kind="health.break_glass",
               title=_("您的咨询记录被紧急查阅"), body=reason[:500],
               url=reverse("health:session_detail", kwargs={"pk": session.pk}))
    return crypto_psych.decrypt(session.notes, session_id=session.pk)


@transaction.atomic
def session_refer(*, actor: Any, session: CounsellingSession, text: str) -> CounsellingSession:
    """Referral to outside care (hospital, psychiatrist): the counsellor's note of where and why."""
    _require_session_counsellor(actor, session)
    if not text.strip():
        raise ValidationError({"referral": [_("请填写转介去向和原因")]})
    before = {"referral": session.referral}
    session.referral = text.strip()[:2000]
    session.save(update_fields=["referral"])
    audit.record(actor=actor, action="health.session.refer", obj=session, person_id=session.person_id,
                 before=before, after={"referral": session.referral})
    return session


# --- anonymous questions -------------------------------------------------------------------


def _code_hash(code: str) -> str:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hmac.new(settings.SECRET_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _i in range(12))
    return "-".join(raw[i:i + 4] for i in range(0, 12, 4))


@transaction.atomic
def question_ask(*, text: str) -> tuple[AnonymousQuestion, str]:
    """Store a question with no person, account, address or time (the day only); returns the
    one-time code to show once. Not audited: an audit entry would name the asker."""
    text = text.strip()
    if len(text) < 5:
        raise ValidationError({"text": [_("请把问题写清楚一些（至少 5 个字）")]})
    if len(text) > 2000:
        raise ValidationError({"text": [_("问题不能超过 2000 字")]})
    code = _new_code()
    question = AnonymousQuestion.objects.create(text=text, asked_on=timezone.localdate(), code_hash=_code_hash(code))
    counsellors = [c.user for c in Counsellor.objects.filter(active=True).select_related("user")]
    notify(users=counsellors, kind="health.question", title=_("有新的匿名提问"),
           url=reverse("health:question_list"))
    return question, code


def question_follow(*, code: str) -> AnonymousQuestion | None:
    if not code.strip():
        return None
    return AnonymousQuestion.objects.filter(code_hash=_code_hash(code)).first()


@transaction.atomic
def question_answer(*, actor: Any, question: AnonymousQuestion, text: str) -> AnonymousQuestion:
    counsellor = _require_counsellor(actor, "health.answer_question")
    if not text.strip():
        raise ValidationError({"answer": [_("请填写答复")]})
    before = {"answer": question.answer}
    question.answer, question.answered_by, question.answered_on = text.strip(), counsellor, timezone.localdate()
    question.save(update_fields=["answer", "answered_by", "answered_on"])
    audit.record(actor=actor, action="health.question.answer", obj=question, before=before,
                 after={"answer": question.answer})
    return question
