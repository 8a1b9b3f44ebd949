"""Every write of the survey engine (style rule 2): keyword-only, one transaction, validated,
permission-checked and audited.

The anonymous submission (`response_submit`) is the heart of it; docs/anonymity.md says in
plain words what it stores. In short: the ledger row gets `answered = True` and nothing else;
the answers go to a pending pool and are moved into the response table in shuffled batches
of at least k (`campaign_flush`), with random keys and no time; the audit entry says "person X
answered campaign C" and nothing about the answers.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.core import audit
from jingying.core.i18n import join_list
from jingying.core.scoping import covers, require
from jingying.org.choices import SERVING_STATUSES, Category
from jingying.org.models import Person, Unit
from jingying.org.tables import age_on
from jingying.surveys import logic
from jingying.surveys.choices import CampaignKind, CampaignPurpose, QuestionKind, VersionStatus, age_band
from jingying.surveys.models import (
    Answer,
    Campaign,
    Invitation,
    PendingResponse,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Reminder,
    Response,
)

QUESTION_FIELDS = ["code", "kind", "text", "help_text", "required", "options", "rows", "min_value", "max_value",
                   "show_if", "instrument_item"]
_shuffle = random.SystemRandom().shuffle


class AlreadyAnsweredError(ValidationError):
    """The one-response rule: a second submission is refused with this message."""


def k_min() -> int:
    return max(5, int(getattr(settings, "JINGYING_K_ANONYMITY", 5)))


# --- questionnaires ------------------------------------------------------------------------


def _require_q(actor: Any, questionnaire: Questionnaire) -> None:
    require(actor, "surveys.manage_questionnaire", questionnaire.unit.path)


def _require_draft(version: QuestionnaireVersion) -> None:
    if version.frozen:
        raise ValidationError(_("已发布的版本不能修改；请先“新建修订版”，在新版本上修改。"))


@transaction.atomic
def questionnaire_create(*, actor: Any, unit: Unit, code: str, title: str, intro: str = "",
                         instrument_code: str = "") -> QuestionnaireVersion:
    """A new questionnaire with its first (draft) version."""
    require(actor, "surveys.manage_questionnaire", unit.path)
    questionnaire = Questionnaire(code=code.strip(), unit=unit, instrument_code=instrument_code,
                                  created_by=actor if getattr(actor, "pk", None) else None)
    questionnaire.full_clean(exclude=["created_by"])
    questionnaire.save()
    version = QuestionnaireVersion(questionnaire=questionnaire, number=1, title=title.strip(), intro=intro)
    version.full_clean()
    version.save()
    audit.record(actor=actor, action="surveys.questionnaire.create", obj=version,
                 after={"code": questionnaire.code, "title": version.title, "unit": unit.pk})
    return version


@transaction.atomic
def version_update(*, actor: Any, version: QuestionnaireVersion, title: str, intro: str = "") -> QuestionnaireVersion:
    _require_q(actor, version.questionnaire)
    _require_draft(version)
    before = {"title": version.title, "intro": version.intro}
    version.title, version.intro = title.strip(), intro
    version.full_clean()
    version.save(update_fields=["title", "intro"])
    audit.record(actor=actor, action="surveys.version.update", obj=version, before=before,
                 after={"title": version.title, "intro": version.intro})
    return version


def _specs(version: QuestionnaireVersion, *, replace: Question | None = None, drop: Question | None = None,
           add: Question | None = None) -> list[Question]:
    questions = [q for q in version.questions.order_by("position") if drop is None or q.pk != drop.pk]
    if replace is not None:
        questions = [replace if q.pk == replace.pk else q for q in questions]
    if add is not None:
        questions.append(add)
    return questions


def _check_questions(questions: Sequence[Question], focus: Question | None = None) -> None:
    specs = [logic.Spec.of(q) for q in questions]
    errors = logic.questionnaire_errors(specs)
    if not errors:
        return
    if focus is not None and focus.code in errors:
        raise ValidationError(errors[focus.code])
    first_code, first = next(iter(errors.items()))
    message = "；".join(m for ms in first.values() for m in ms)
    raise ValidationError(_("题目 %(code)s：%(message)s") % {"code": first_code, "message": message})


def _normalise_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(QUESTION_FIELDS)
    if unknown:
        raise ValueError(f"question: unknown fields {sorted(unknown)}")
    out = dict(fields)
    if out.get("show_if") in ({}, ""):
        out["show_if"] = None
    return out


@transaction.atomic
def question_create(*, actor: Any, version: QuestionnaireVersion, **fields: Any) -> Question:
    _require_q(actor, version.questionnaire)
    _require_draft(version)
    position = (version.questions.aggregate(m=Max("position"))["m"] or 0) + 1
    question = Question(version=version, position=position, **_normalise_fields(fields))
    question.full_clean(exclude=["version"])
    _check_questions(_specs(version, add=question), focus=question)
    question.save()
    audit.record(actor=actor, action="surveys.question.create", obj=question,
                 after=audit.snapshot(question, QUESTION_FIELDS))
    return question


@transaction.atomic
def question_update(*, actor: Any, question: Question, **fields: Any) -> Question:
    version = question.version
    _require_q(actor, version.questionnaire)
    _require_draft(version)
    before = audit.snapshot(question, QUESTION_FIELDS)
    for key, value in _normalise_fields(fields).items():
        setattr(question, key, value)
    question.full_clean(exclude=["version"])
    _check_questions(_specs(version, replace=question), focus=question)
    question.save()
    audit.record(actor=actor, action="surveys.question.update", obj=question, before=before,
                 after=audit.snapshot(question, QUESTION_FIELDS))
    return question


@transaction.atomic
def question_delete(*, actor: Any, question: Question) -> None:
    version = question.version
    _require_q(actor, version.questionnaire)
    _require_draft(version)
    dependants = [q.code for q in version.questions.all() if (q.show_if or {}).get("question") == question.code]
    if dependants:
        raise ValidationError(_("题目 %(codes)s 的显示条件引用了本题，请先修改它们") % {"codes": join_list(dependants)})
    audit.record(actor=actor, action="surveys.question.delete", obj=question,
                 before=audit.snapshot(question, QUESTION_FIELDS))
    question.delete()


@transaction.atomic
def question_move(*, actor: Any, question: Question, offset: int) -> Question:
    """Move a question up (−1) or down (+1); refused when a show-if would then look forward."""
    version = question.version
    _require_q(actor, version.questionnaire)
    _require_draft(version)
    questions = list(version.questions.order_by("position"))
    index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
    target = index + offset
    if not 0 <= target < len(questions) or offset not in (-1, 1):
        return question
    questions[index], questions[target] = questions[target], questions[index]
    _check_questions(questions)
    for position, q in enumerate(questions, start=1):
        if q.position != position:
            Question.objects.filter(pk=q.pk).update(position=position)
    audit.record(actor=actor, action="surveys.question.move", obj=question, after={"offset": offset})
    question.refresh_from_db()
    return question


@transaction.atomic
def version_publish(*, actor: Any, version: QuestionnaireVersion) -> QuestionnaireVersion:
    """Freeze a draft: from now on it can be sent, and never changes."""
    _require_q(actor, version.questionnaire)
    _require_draft(version)
    questions = list(version.questions.order_by("position"))
    if not any(q.answerable for q in questions):
        raise ValidationError(_("问卷至少要有一道题才能发布"))
    _check_questions(questions)
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    audit.record(actor=actor, action="surveys.version.publish", obj=version)
    return version


@transaction.atomic
def version_index_save(*, actor: Any, version: QuestionnaireVersion, code: str, name: str,
                       items: Sequence[Mapping[str, Any]], replace: str | None = None) -> QuestionnaireVersion:
    """Add an index to a version, or replace the one coded `replace`. Indices are analysis, not
    questions: a published version may get them too (its questions stay frozen)."""
    from jingying.surveys import indices

    _require_q(actor, version.questionnaire)
    locked = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    before = list(locked.indices or [])
    current = [i for i in before if i.get("code") != replace] if replace else list(before)
    entry = {"code": code.strip(), "name": name.strip(), "items": list(items)}
    if replace:
        position = next((n for n, i in enumerate(before) if i.get("code") == replace), len(current))
        current.insert(position, entry)
    else:
        current.append(entry)
    checked = indices.build(current, list(locked.questions.all()))
    locked.indices = indices.normalise(checked)
    locked.save(update_fields=["indices"])
    version.indices = locked.indices
    audit.record(actor=actor, action="surveys.version.indices", obj=version, before={"indices": before},
                 after={"indices": locked.indices})
    return version


@transaction.atomic
def version_index_delete(*, actor: Any, version: QuestionnaireVersion, code: str) -> QuestionnaireVersion:
    _require_q(actor, version.questionnaire)
    locked = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    before = list(locked.indices or [])
    locked.indices = [i for i in before if i.get("code") != code]
    if len(locked.indices) == len(before):
        raise ValidationError(_("没有指数“%(code)s”") % {"code": code})
    locked.save(update_fields=["indices"])
    version.indices = locked.indices
    audit.record(actor=actor, action="surveys.version.indices", obj=version, before={"indices": before},
                 after={"indices": locked.indices})
    return version


def _copy_questions(source: QuestionnaireVersion, target: QuestionnaireVersion) -> None:
    Question.objects.bulk_create([
        Question(version=target, position=q.position, **{f: getattr(q, f) for f in QUESTION_FIELDS})
        for q in source.questions.order_by("position")
    ])


@transaction.atomic
def version_revise(*, actor: Any, version: QuestionnaireVersion) -> QuestionnaireVersion:
    """The draft to edit instead of a published version: the existing draft, or a new copy."""
    questionnaire = version.questionnaire
    _require_q(actor, questionnaire)
    draft = questionnaire.versions.filter(status=VersionStatus.DRAFT).order_by("-number").first()
    if draft is not None:
        return draft
    number = (questionnaire.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    draft = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=number, title=version.title,
                                                intro=version.intro, indices=version.indices)
    _copy_questions(version, draft)
    audit.record(actor=actor, action="surveys.version.revise", obj=draft, after={"from": version.pk})
    return draft


@transaction.atomic
def questionnaire_import(*, actor: Any, unit: Unit, data: Mapping[str, Any], publish: bool = False) -> QuestionnaireVersion:
    """A questionnaire from the exchange format (jingying.surveys.transfer): a new questionnaire,
    or a new draft version when the code exists and the actor may edit it. All or nothing."""
    from jingying.surveys import transfer

    parsed = transfer.parse(data)
    existing = Questionnaire.objects.select_related("unit").filter(code=parsed.code).first()
    if existing is not None:
        if not covers(actor, "surveys.manage_questionnaire", existing.unit.path):
            raise ValidationError({"code": [_("问卷代码“%(code)s”已被其他单位使用，请改用其他代码") % {"code": parsed.code}]})
        number = (existing.versions.aggregate(m=Max("number"))["m"] or 0) + 1
        version = QuestionnaireVersion.objects.create(questionnaire=existing, number=number, title=parsed.title,
                                                      intro=parsed.intro)
    else:
        version = questionnaire_create(actor=actor, unit=unit, code=parsed.code, title=parsed.title,
                                       intro=parsed.intro, instrument_code=parsed.instrument_code)
    Question.objects.bulk_create([Question(version=version, position=n, **q) for n, q in enumerate(parsed.questions, 1)])
    if parsed.indices:
        from jingying.surveys import indices

        checked = indices.build(parsed.indices, list(version.questions.all()))
        version.indices = indices.normalise(checked)
        version.save(update_fields=["indices"])
    audit.record(actor=actor, action="surveys.questionnaire.import", obj=version,
                 after={"code": parsed.code, "questions": len(parsed.questions), "indices": len(parsed.indices)})
    if publish:
        version_publish(actor=actor, version=version)
    return version


# --- campaigns -----------------------------------------------------------------------------


def _anonymous_allowed(version: QuestionnaireVersion) -> bool:
    code = version.questionnaire.instrument_code
    if not code:
        return True
    from jingying.instruments import get

    return bool(get(code).definition.get("administration", {}).get("anonymous_allowed", True))


@transaction.atomic
def campaign_create(*, actor: Any, version: QuestionnaireVersion, unit: Unit, title: str, kind: str,
                    opens_at: dt.datetime, closes_at: dt.datetime, categories: Sequence[str] = (),
                    k_threshold: int | None = None, intro: str = "",
                    purpose: str = CampaignPurpose.SURVEY) -> Campaign:
    """Send a published version to everyone serving in the unit's subtree (of these categories).

    `kind` and `purpose` are fixed here for good: no service changes them afterwards. A module
    that runs its own answering pages (health's screening rounds) passes purpose="screening".
    """
    require(actor, "surveys.manage_campaign", unit.path)
    errors: dict[str, list[str]] = {}
    if not version.frozen:
        errors["version"] = [_("只能发送已发布的问卷版本")]
    if kind not in CampaignKind.values:
        errors["kind"] = [_("请选择实名、匿名或公开评价")]
    if purpose not in CampaignPurpose.values:
        errors["purpose"] = [_("不认识的问卷用途")]
    elif purpose == CampaignPurpose.SCREENING and kind != CampaignKind.IDENTIFIED:
        errors["purpose"] = [_("心理筛查只能实名进行")]
    elif kind == CampaignKind.ANONYMOUS and not _anonymous_allowed(version):
        errors["kind"] = [_("此量表含安全题（如 PHQ-9 第 9 题），不能匿名使用；匿名问卷请用 PHQ-8。")]
    k = k_min() if k_threshold is None else int(k_threshold)
    if k < k_min():
        errors["k_threshold"] = [_("最小公布人数不能低于 %(k)d") % {"k": k_min()}]
    bad = [c for c in categories if c not in Category.values]
    if bad:
        errors["categories"] = [_("不认识的人员类别：%(c)s") % {"c": join_list(bad)}]
    if opens_at >= closes_at:
        errors["closes_at"] = [_("截止时间须晚于开始时间")]
    if errors:
        raise ValidationError(errors)
    campaign = Campaign(title=title.strip(), version=version, unit=unit, kind=kind, purpose=purpose, opens_at=opens_at,
                        closes_at=closes_at, categories=sorted(set(categories)), k_threshold=k, intro=intro,
                        created_by=actor if getattr(actor, "pk", None) else None)
    campaign.full_clean(exclude=["created_by"])
    campaign.save()
    invited = 0
    if kind != CampaignKind.PUBLIC:
        people = Person.objects.filter(unit__path__startswith=unit.path, status__in=SERVING_STATUSES)
        if campaign.categories:
            people = people.filter(category__in=campaign.categories)
        rows = [Invitation(campaign=campaign, person_id=pid, unit_id=uid)
                for pid, uid in people.order_by("id").values_list("id", "unit_id")]
        Invitation.objects.bulk_create(rows, batch_size=2000)
        invited = len(rows)
    audit.record(actor=actor, action="surveys.campaign.create", obj=campaign,
                 after={"kind": kind, "purpose": purpose, "unit": unit.pk, "version": version.pk, "categories": campaign.categories,
                        "invited": invited, "opens_at": opens_at, "closes_at": closes_at, "k": k})
    return campaign


@transaction.atomic
def campaign_update(*, actor: Any, campaign: Campaign, title: str | None = None, intro: str | None = None,
                    closes_at: dt.datetime | None = None) -> Campaign:
    """Title, note and deadline only: the questionnaire, scope and kind never change."""
    require(actor, "surveys.manage_campaign", campaign.unit.path)
    before = {"title": campaign.title, "intro": campaign.intro, "closes_at": campaign.closes_at}
    if title is not None:
        campaign.title = title.strip()
    if intro is not None:
        campaign.intro = intro
    if closes_at is not None:
        if campaign.finalised:
            raise ValidationError({"closes_at": [_("已结束汇总的问卷不能再延期")]})
        if closes_at <= campaign.opens_at:
            raise ValidationError({"closes_at": [_("截止时间须晚于开始时间")]})
        campaign.closes_at = closes_at
    campaign.full_clean(exclude=["created_by"])
    campaign.save(update_fields=["title", "intro", "closes_at"])
    audit.record(actor=actor, action="surveys.campaign.update", obj=campaign, before=before,
                 after={"title": campaign.title, "intro": campaign.intro, "closes_at": campaign.closes_at})
    return campaign


def campaign_has_answers(campaign: Campaign) -> bool:
    """Whether anyone has answered (or a public submission arrived): from then on the campaign
    is evidence and can only be closed, never deleted."""
    return (Invitation.objects.filter(campaign=campaign, answered=True).exists()
            or Response.objects.filter(campaign=campaign).exists()
            or PendingResponse.objects.filter(campaign=campaign).exists()
            or campaign.public_submissions.exists())


@transaction.atomic
def campaign_delete(*, actor: Any, campaign: Campaign) -> None:
    """Withdraw a campaign nobody has answered yet (its invitations and reminders go with it).

    Used by modules that own campaigns (a screening round rebuilt or deleted before it started).
    """
    require(actor, "surveys.manage_campaign", campaign.unit.path)
    if campaign_has_answers(campaign):
        raise ValidationError(_("已有人作答的问卷调查不能删除，只能结束。"))
    before = {"title": campaign.title, "kind": campaign.kind, "purpose": campaign.purpose, "unit": campaign.unit_id,
              "version": campaign.version_id, "opens_at": campaign.opens_at, "closes_at": campaign.closes_at}
    audit.record(actor=actor, action="surveys.campaign.delete", obj=campaign, before=before)
    campaign.delete()  # invitations and reminders cascade


@transaction.atomic
def campaign_close(*, actor: Any, campaign: Campaign) -> Campaign:
    """End now (if still open) and put the last pending answers into the results."""
    require(actor, "surveys.manage_campaign", campaign.unit.path)
    now = timezone.now()
    if campaign.closes_at > now:
        campaign.closes_at = max(now, campaign.opens_at + dt.timedelta(seconds=1))
        campaign.save(update_fields=["closes_at"])
        audit.record(actor=actor, action="surveys.campaign.close", obj=campaign)
    campaign_finalise(campaign=campaign)
    return campaign


@transaction.atomic
def campaign_finalise(*, campaign: Campaign) -> None:
    """After the deadline: flush what is still pending (mixed with earlier answers). Idempotent."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.finalised or locked.closes_at > timezone.now():
        return
    campaign_flush(campaign=locked, final=True)
    Campaign.objects.filter(pk=locked.pk).update(finalised=True)
    campaign.finalised = True


@transaction.atomic
def campaign_remind(*, actor: Any, campaign: Campaign) -> int:
    """An in-app reminder to everyone in scope who has not answered yet; returns how many."""
    require(actor, "surveys.manage_campaign", campaign.unit.path)
    if not campaign.is_open():
        raise ValidationError(_("问卷不在作答期内，不能发送提醒"))
    pending = Invitation.objects.filter(campaign=campaign, answered=False)
    person_ids = list(pending.values_list("person_id", flat=True))
    Reminder.objects.bulk_create([Reminder(person_id=pid, campaign=campaign) for pid in person_ids], batch_size=2000)
    pending.update(reminders=F("reminders") + 1)
    audit.record(actor=actor, action="surveys.campaign.remind", obj=campaign, after={"reminded": len(person_ids)})
    return len(person_ids)


@transaction.atomic
def reminders_mark_read(*, actor: Any) -> int:
    person_id = getattr(actor, "person_id", None)
    if person_id is None:
        return 0
    return Reminder.objects.filter(person_id=person_id, read=False).update(read=True)


# --- answering -----------------------------------------------------------------------------


def _rows(questions: Mapping[str, Question], clean: Mapping[str, Any]) -> list[list[Any]]:
    """Answer rows [question id, row, choice, number, text] for the clean answers."""
    rows: list[list[Any]] = []
    for code, value in clean.items():
        q = questions[code]
        if q.kind in (QuestionKind.SINGLE, QuestionKind.RATING):
            rows.append([q.pk, "", value, None, ""])
        elif q.kind == QuestionKind.MULTIPLE:
            rows.extend([q.pk, "", v, None, ""] for v in value)
        elif q.kind == QuestionKind.MATRIX:
            rows.extend([q.pk, r, v, None, ""] for r, v in value.items())
        elif q.kind == QuestionKind.NUMBER:
            rows.append([q.pk, "", "", str(value), ""])
        else:
            rows.append([q.pk, "", "", None, value])
    return rows


def _score(version: QuestionnaireVersion, questions: Sequence[Question], clean: Mapping[str, Any],
           person: Person | None) -> Any:
    code = version.questionnaire.instrument_code
    if not code:
        return None
    from jingying.instruments import InstrumentError, score

    answers = {q.instrument_item: (int(clean[q.code]) if q.code in clean else None)
               for q in questions if q.instrument_item}
    sex = None
    if person is not None:
        sex = {"1": "male", "2": "female"}.get(person.gender)
    try:
        return score(code, answers, sex=sex)
    except InstrumentError as exc:  # pragma: no cover - questions are built from the definition: a bug, not input
        raise ValidationError(str(exc)) from exc


def _score_json(result: Any) -> dict[str, Any] | None:
    if result is None:
        return None
    data = result.as_json()
    data["safety_priority"] = result.safety_priority
    return data


@transaction.atomic
def response_submit(*, actor: Any, campaign_id: Any, raw: Mapping[str, Any]) -> Response | None:
    """The actor answers a campaign they were invited to, once.

    Returns the Response for an identified campaign and None for an anonymous one (nothing the
    caller could keep would point at the answers).
    """
    person_id = getattr(actor, "person_id", None)
    if person_id is None:
        raise PermissionDenied("no person")
    invitation = (Invitation.objects.select_for_update().select_related("campaign__version__questionnaire", "person")
                  .filter(campaign_id=campaign_id, person_id=person_id).first())
    if invitation is None:
        raise Http404
    campaign = invitation.campaign
    now = timezone.now()
    if invitation.answered:
        raise AlreadyAnsweredError(_("您已经提交过这份问卷，每人只能提交一次。"))
    if now < campaign.opens_at:
        raise ValidationError(_("这份问卷还没有开始。"))
    if now >= campaign.closes_at:
        raise ValidationError(_("这份问卷已经截止。"))
    questions = list(campaign.version.questions.order_by("position"))
    clean, errors = logic.clean_answers([logic.Spec.of(q) for q in questions], raw)
    if errors:
        raise ValidationError({code: [message] for code, message in errors.items()})
    person = invitation.person
    by_code = {q.code: q for q in questions}
    rows = _rows(by_code, clean)
    result = _score(campaign.version, questions, clean, person if not campaign.anonymous else None)
    groups: dict[str, Any] = {"unit": invitation.unit_id, "category": person.category, "age_band": age_band(age_on(person.birth_date))}
    # The ledger: the only trace an anonymous submission leaves next to the person.
    updated = Invitation.objects.filter(pk=invitation.pk, answered=False).update(
        answered=True, answered_on=None if campaign.anonymous else timezone.localdate(now))
    if updated != 1:  # pragma: no cover - a concurrent submit won (SQLite has no row locks to stop it earlier)
        raise AlreadyAnsweredError(_("您已经提交过这份问卷，每人只能提交一次。"))
    if campaign.anonymous:
        PendingResponse.objects.create(campaign=campaign, payload={**groups, "rows": rows, "score": _score_json(result)})
        audit.record(actor=actor, action="surveys.campaign.answer", object_type="surveys.campaign",
                     object_id=str(campaign.pk), object_repr=campaign.title[:200], person_id=person.pk)
        campaign_flush(campaign=campaign)
        return None
    response = Response.objects.create(campaign=campaign, person=person, submitted_on=timezone.localdate(now),
                                       score=_score_json(result), unit_id=groups["unit"],
                                       category=groups["category"], age_band=groups["age_band"])
    _write_answers(response, rows)
    audit.record(actor=actor, action="surveys.campaign.answer", obj=response, person_id=person.pk,
                 object_repr=campaign.title[:200], after={"campaign": campaign.pk, "score": _score_json(result)})
    if result is not None:
        from jingying.surveys.signals import instrument_scored

        transaction.on_commit(lambda: instrument_scored.send(sender=Response, response=response, person=person,
                                                             campaign=campaign, result=result))
    return response


def _write_answers(response: Response, rows: Sequence[Sequence[Any]]) -> None:
    Answer.objects.bulk_create([
        Answer(response=response, question_id=qid, row=row, choice=choice,
               number=None if number is None else Decimal(number), text=text)
        for qid, row, choice, number, text in rows
    ])


def _payload_of(response: Response) -> dict[str, Any]:
    return {
        "unit": response.unit_id, "category": response.category, "age_band": response.age_band,
        "score": response.score,
        "rows": [[a.question_id, a.row, a.choice, None if a.number is None else str(a.number), a.text]
                 for a in response.answers.all()],
    }


@transaction.atomic
def campaign_flush(*, campaign: Campaign, final: bool = False) -> int:
    """Move pending anonymous answers into the results, shuffled, once there are at least k of
    them (or, at the end, all that are left — mixed with as many earlier responses, rewritten
    with new keys, so the last few are never a group of their own). Returns how many moved."""
    pending = list(PendingResponse.objects.select_for_update().filter(campaign=campaign))
    batch = max(campaign.k_threshold, k_min())
    if not pending or (not final and len(pending) < batch):
        return 0
    payloads = [p.payload for p in pending]
    if len(payloads) < batch:
        earlier = list(Response.objects.filter(campaign=campaign).prefetch_related("answers").order_by("?")[:batch])
        payloads.extend(_payload_of(r) for r in earlier)
        Response.objects.filter(pk__in=[r.pk for r in earlier]).delete()
    _shuffle(payloads)
    responses = [Response(campaign=campaign, unit_id=p["unit"], category=p["category"], age_band=p["age_band"],
                          score=p.get("score")) for p in payloads]
    Response.objects.bulk_create(responses)
    answers: list[Answer] = []
    for response, payload in zip(responses, payloads, strict=True):
        answers.extend(Answer(response=response, question_id=qid, row=row, choice=choice,
                              number=None if number is None else Decimal(number), text=text)
                       for qid, row, choice, number, text in payload["rows"])
    Answer.objects.bulk_create(answers, batch_size=2000)
    PendingResponse.objects.filter(pk__in=[p.pk for p in pending]).delete()
    return len(pending)


# --- instruments ---------------------------------------------------------------------------


def _instrument_questions(instrument: Any, language: str) -> list[dict[str, Any]]:
    items = [*instrument.items, *instrument.unscored_items]
    out = []
    for item in items:
        text = item.text_zh if language == "zh" else item.text_en
        if not text:
            continue
        options = [{"value": str(o.value), "label": (o.zh if language == "zh" else o.en) or o.en or str(o.value)}
                   for o in item.options]
        out.append({"code": f"i{item.id}".replace(" ", "_"), "kind": QuestionKind.RATING, "text": text,
                    "required": item.scored, "options": options, "instrument_item": item.id})
    return out


@transaction.atomic
def instruments_load(*, actor: Any, unit: Unit) -> list[QuestionnaireVersion]:
    """A frozen questionnaire for every instrument whose item texts are included (Chinese, else
    English); idempotent — an instrument already loaded is left as it is."""
    from jingying.instruments import all_instruments

    loaded = []
    for instrument in all_instruments():
        language = "zh" if instrument.texts_included("zh") else "en" if instrument.texts_included("en") else ""
        if not language:
            continue  # licence not settled: the licensee enters the texts (instruments.md §19)
        code = "instrument-" + instrument.code.lower()
        if Questionnaire.objects.filter(code=code).exists():
            continue
        definition = instrument.definition
        title = instrument.name_zh if language == "zh" else instrument.name_en
        intro = str(definition.get("instructions", {}).get(language, ""))
        licence = definition.get("licence", {})
        note = licence.get("attribution") or definition.get("source", "")
        version = questionnaire_create(actor=actor, unit=unit, code=code, title=title,
                                       intro="\n\n".join(x for x in (intro, note) if x),
                                       instrument_code=instrument.code)
        Question.objects.bulk_create([Question(version=version, position=n, **q)
                                      for n, q in enumerate(_instrument_questions(instrument, language), 1)])
        version_publish(actor=actor, version=version)
        loaded.append(version)
    return loaded
