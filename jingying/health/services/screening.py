"""Writes of psychological screening (issue 6 point 2): rounds, consent, answers, results.

The survey engine stores and scores the answers; `result_record` is called (through the
`instrument_scored` signal, after commit) with each scored instrument, keeps the scores, applies
the tier rules (jingying/health/data/psych_tiers.json) and raises a crisis alert when the
safety item is positive or the tier is high.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.core import audit
from jingying.core.scoping import SYSTEM, has_perm, require
from jingying.health.choices_psych import AlertPriority, AlertReason, Tier
from jingying.health.models import RoundCampaign, ScreeningConsent, ScreeningResult, ScreeningRound
from jingying.org.models import Person, Unit

TIERS_FILE = Path(__file__).resolve().parents[1] / "data" / "psych_tiers.json"
# The consent text the officer reads (templates/health/partials/screening_consent_text.html);
# change the version whenever its wording changes, so each consent names what was shown.
CONSENT_VERSION = "2026-1"


@functools.cache
def tier_rules() -> dict[str, Any]:
    return dict(json.loads(TIERS_FILE.read_text(encoding="utf-8")))


def _matches(rule: Mapping[str, Any], scores: Mapping[str, Mapping[str, Any]]) -> bool:
    code = str(rule.get("instrument") or "")
    candidates = [scores[code]] if code in scores else [] if code else list(scores.values())
    for data in candidates:
        total = data.get("total")
        if "min" in rule and (total is None or total < rule["min"]):
            continue
        if "max" in rule and (total is None or total > rule["max"]):
            continue
        if "flag" in rule and rule["flag"] not in (data.get("flags") or []):
            continue
        if "band" in rule and data.get("band") != rule["band"]:
            continue
        return True
    return False


def tier_of(scores: Mapping[str, Mapping[str, Any]]) -> tuple[str, list[str]]:
    """The risk tier and the labels of the rules that decided it; the first matching tier wins."""
    rules = tier_rules()
    for tier in rules["tiers"]:
        reasons = [str(r["label"]) for r in tier["rules"] if _matches(r, scores)]
        if reasons:
            return str(tier["tier"]), reasons
    return str(rules["default"]), []


def guidance(tier: str, language: str = "zh") -> str:
    text = tier_rules()["guidance"].get(tier, {})
    return str(text.get("en" if language.startswith("en") else "zh", ""))


# --- rounds --------------------------------------------------------------------------------


def _instrument_version(code: str, root: Unit) -> Any:
    from jingying.surveys import services as survey_services
    from jingying.surveys.models import QuestionnaireVersion

    def find() -> Any:
        return (QuestionnaireVersion.objects.filter(questionnaire__instrument_code=code, status="published")
                .select_related("questionnaire").order_by("-number").first())

    version = find()
    if version is None:
        survey_services.instruments_load(actor=SYSTEM, unit=root)
        version = find()
    return version


ROUND_FIELDS = ["title", "description", "year", "unit_id", "instruments", "opens_at", "closes_at"]


def _clean_codes(instruments: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(c.strip().upper() for c in instruments if c.strip()))


def _check_round(*, title: str, codes: list[str], opens_at: dt.datetime, closes_at: dt.datetime,
                 root: Unit, errors: dict[str, list[str]]) -> dict[str, Any]:
    """Validate a round's fields into `errors`; the published instrument versions by code."""
    if not codes:
        errors["instruments"] = [_("请至少选择一个量表")]
    if opens_at >= closes_at:
        errors["closes_at"] = [_("截止时间须晚于开始时间")]
    if not title.strip():
        errors["title"] = [_("请填写名称")]
    versions = {}
    for code in codes:
        version = _instrument_version(code, root)
        if version is None:
            errors.setdefault("instruments", []).append(
                _("量表 %(code)s 没有可用的题目（题目须由持证方录入），不能用于筛查") % {"code": code})
        versions[code] = version
    return versions


def _campaign_intro(screening: ScreeningRound) -> str:
    return _("本量表属于心理筛查“%(title)s”，请从“心理筛查”页面阅读知情同意后作答。") % {"title": screening.title}


def _create_campaigns(*, actor: Any, screening: ScreeningRound, versions: Mapping[str, Any]) -> None:
    """One identified campaign per instrument, marked as a screening so the survey engine never
    offers it among ordinary surveys (answered only here, after consent)."""
    from jingying.surveys import services as survey_services
    from jingying.surveys.choices import CampaignKind, CampaignPurpose

    for position, code in enumerate(screening.instruments, start=1):
        campaign = survey_services.campaign_create(
            actor=actor, version=versions[code], unit=screening.unit, title=f"{screening.title}·{code}",
            kind=CampaignKind.IDENTIFIED, opens_at=screening.opens_at, closes_at=screening.closes_at,
            intro=_campaign_intro(screening), purpose=CampaignPurpose.SCREENING)
        RoundCampaign.objects.create(round=screening, campaign=campaign, instrument_code=code, position=position)


def _delete_campaigns(*, actor: Any, screening: ScreeningRound) -> None:
    from jingying.surveys import services as survey_services

    for link in list(RoundCampaign.objects.filter(round=screening).select_related("campaign__unit")):
        campaign = link.campaign
        link.delete()  # the link protects the campaign
        survey_services.campaign_delete(actor=actor, campaign=campaign)


def _root(unit: Unit) -> Unit:
    return Unit.objects.filter(parent__isnull=True).order_by("path").first() or unit


@transaction.atomic
def round_create(*, actor: Any, unit: Unit, title: str, year: int, instruments: Sequence[str],
                 opens_at: dt.datetime, closes_at: dt.datetime, description: str = "") -> ScreeningRound:
    """A screening of everyone serving in the unit's subtree: one identified campaign per
    instrument, linked to the round."""
    require(actor, "health.manage_round", unit.path)
    errors: dict[str, list[str]] = {}
    codes = _clean_codes(instruments)
    versions = _check_round(title=title, codes=codes, opens_at=opens_at, closes_at=closes_at, root=_root(unit),
                            errors=errors)
    if errors:
        raise ValidationError(errors)
    screening = ScreeningRound(title=title.strip(), unit=unit, year=year, instruments=codes, opens_at=opens_at,
                               closes_at=closes_at, consent_version=CONSENT_VERSION, description=description.strip(),
                               created_by=actor if getattr(actor, "pk", None) else None)
    screening.full_clean(exclude=["created_by"])
    screening.save()
    _create_campaigns(actor=actor, screening=screening, versions=versions)
    audit.record(actor=actor, action="health.screening_round.create", obj=screening,
                 after={"unit": unit.pk, "year": year, "instruments": codes, "opens_at": opens_at,
                        "closes_at": closes_at})
    return screening


def round_started(screening: ScreeningRound) -> bool:
    """Whether anyone has consented to or answered the round: from then on its instruments,
    scope and start are fixed (consent was given to them) and it can no longer be deleted."""
    from jingying.surveys.models import Invitation

    return (ScreeningConsent.objects.filter(round=screening).exists()
            or ScreeningResult.objects.filter(round=screening).exists()
            or Invitation.objects.filter(campaign__screening_link__round=screening, answered=True).exists())


@transaction.atomic
def round_update(*, actor: Any, screening: ScreeningRound, title: str | None = None,
                 description: str | None = None, year: int | None = None, unit: Unit | None = None,
                 instruments: Sequence[str] | None = None, opens_at: dt.datetime | None = None,
                 closes_at: dt.datetime | None = None) -> ScreeningRound:
    """Change a round; None leaves a field as it is.

    Before anyone has consented or answered, everything may change (a new scope, instrument set
    or start rebuilds the round's campaigns and invitations). After that only the name, the
    description and the closing date: the officers consented to these instruments.
    """
    require(actor, "health.manage_round", screening.unit.path)
    screening = ScreeningRound.objects.select_for_update().select_related("unit").get(pk=screening.pk)
    before = audit.snapshot(screening, ROUND_FIELDS)
    new_title = screening.title if title is None else title.strip()
    new_unit = screening.unit if unit is None else unit
    codes = list(screening.instruments) if instruments is None else _clean_codes(instruments)
    new_opens = screening.opens_at if opens_at is None else opens_at
    new_closes = screening.closes_at if closes_at is None else closes_at
    new_year = screening.year if year is None else int(year)
    errors: dict[str, list[str]] = {}
    fixed = {"unit": new_unit.pk != screening.unit_id, "instruments": codes != list(screening.instruments),
             "opens_at": new_opens != screening.opens_at, "year": new_year != screening.year}
    rebuild = fixed["unit"] or fixed["instruments"] or fixed["opens_at"]
    if any(fixed.values()) and round_started(screening):
        for name, changed in fixed.items():
            if changed:
                errors[name] = [_("已有人同意或作答，量表、范围、年度和开始时间不能再改；只能修改名称、说明和截止时间。")]
        raise ValidationError(errors)
    if fixed["unit"]:
        require(actor, "health.manage_round", new_unit.path)
    versions = _check_round(title=new_title, codes=codes, opens_at=new_opens, closes_at=new_closes,
                            root=_root(new_unit), errors=errors) if rebuild else {}
    if not rebuild:
        if not new_title:
            errors["title"] = [_("请填写名称")]
        if new_opens >= new_closes:
            errors["closes_at"] = [_("截止时间须晚于开始时间")]
    if errors:
        raise ValidationError(errors)
    closes_changed = new_closes != screening.closes_at
    screening.title, screening.unit, screening.instruments = new_title, new_unit, codes
    screening.opens_at, screening.closes_at, screening.year = new_opens, new_closes, new_year
    if description is not None:
        screening.description = description.strip()
    screening.full_clean(exclude=["created_by"])
    screening.save()
    if rebuild:
        _delete_campaigns(actor=actor, screening=screening)
        _create_campaigns(actor=actor, screening=screening, versions=versions)
    else:
        from jingying.surveys import services as survey_services

        for link in RoundCampaign.objects.filter(round=screening).select_related("campaign__unit"):
            survey_services.campaign_update(actor=actor, campaign=link.campaign,
                                            title=f"{screening.title}·{link.instrument_code}",
                                            intro=_campaign_intro(screening),
                                            closes_at=new_closes if closes_changed else None)
    audit.record(actor=actor, action="health.screening_round.update", obj=screening, before=before,
                 after=audit.snapshot(screening, ROUND_FIELDS))
    return screening


@transaction.atomic
def round_delete(*, actor: Any, screening: ScreeningRound) -> None:
    """Delete a round (with its campaigns and invitations) that nobody has consented to or
    answered yet; afterwards it is a record of who took part, so it can only be closed early."""
    require(actor, "health.manage_round", screening.unit.path)
    screening = ScreeningRound.objects.select_for_update().get(pk=screening.pk)
    if round_started(screening):
        raise ValidationError(_("已有人同意或作答，这次筛查不能删除。如需提前结束，请把截止时间改为现在。"))
    before = audit.snapshot(screening, ROUND_FIELDS)
    audit.record(actor=actor, action="health.screening_round.delete", obj=screening, before=before)
    _delete_campaigns(actor=actor, screening=screening)
    screening.delete()


def _my_invited(actor: Any, screening: ScreeningRound) -> Person:
    from jingying.surveys.models import Invitation

    person_id = getattr(actor, "person_id", None)
    if person_id is None or not has_perm(actor, "health.take_screening"):
        raise PermissionDenied("health.take_screening")  # the 三员 hold no self-service (decision 0014)
    if not Invitation.objects.filter(campaign__screening_link__round=screening, person_id=person_id).exists():
        raise Http404
    return Person.objects.select_related("unit").get(pk=person_id)


@transaction.atomic
def consent_give(*, actor: Any, screening: ScreeningRound) -> ScreeningConsent:
    """The officer agrees to the identified screening after reading who sees what."""
    person = _my_invited(actor, screening)
    existing = ScreeningConsent.objects.filter(round=screening, person=person).first()
    if existing is not None:
        return existing
    if not screening.is_open():
        raise ValidationError(_("这次筛查不在作答期内。"))
    consent = ScreeningConsent.objects.create(round=screening, person=person, consented_at=timezone.now(),
                                              text_version=screening.consent_version)
    audit.record(actor=actor, action="health.screening.consent", obj=consent, person_id=person.pk,
                 after={"round": screening.pk, "text_version": consent.text_version})
    return consent


def has_consented(*, person_id: int | None, screening: ScreeningRound) -> bool:
    return person_id is not None and ScreeningConsent.objects.filter(round=screening, person_id=person_id).exists()


def screening_answer(*, actor: Any, screening: ScreeningRound, link: RoundCampaign, raw: Mapping[str, Any]) -> Any:
    """One instrument of the round, answered through the survey engine — only after consent."""
    from jingying.surveys import services as survey_services

    person = _my_invited(actor, screening)
    if link.round_id != screening.pk:
        raise Http404
    if not has_consented(person_id=person.pk, screening=screening):
        raise PermissionDenied(_("请先阅读并同意知情同意书，再作答。"))
    return survey_services.response_submit(actor=actor, campaign_id=link.campaign_id, raw=raw)


# --- results (from the survey engine's signal) ----------------------------------------------


@transaction.atomic
def result_record(*, person: Person, campaign: Any, result: Any) -> ScreeningResult | None:
    """Keep one scored instrument of a round, re-tier the person and raise an alert when needed.

    Returns None for campaigns that are not part of a screening round.
    """
    from jingying.health.services import crisis

    link = RoundCampaign.objects.select_related("round").filter(campaign_id=campaign.pk).first()
    if link is None:
        return None
    screening = link.round
    if not has_consented(person_id=person.pk, screening=screening):
        # Answered through the general survey page without the screening's consent: no result,
        # no tier is kept here. A positive safety item is still acted on (duty of care).
        if result.safety_priority:
            from jingying.health.services import crisis

            crisis.alert_raise(person=person, result=None, reason=AlertReason.SAFETY,
                               priority=AlertPriority.EMERGENT if result.safety_priority == "emergent"
                               else AlertPriority.URGENT,
                               summary={"tier": "", "reasons": [], "phq9_total": result.total,
                                        "safety_priority": result.safety_priority, "round": screening.title,
                                        "consent": False})
        return None
    row, _created = ScreeningResult.objects.select_for_update(of=("self",)).get_or_create(
        round=screening, person=person,
        defaults={"unit_id": person.unit_id, "rules_version": tier_rules()["version"]})
    data = result.as_json()
    data["safety_priority"] = result.safety_priority
    scores = dict(row.scores)
    scores[link.instrument_code] = data
    tier, reasons = tier_of(scores)
    before = {"tier": row.tier}
    row.scores, row.tier, row.reasons = scores, tier, reasons
    row.rules_version = tier_rules()["version"]
    row.safety = any("safety_escalation" in (s.get("flags") or []) for s in scores.values())
    row.complete = set(screening.instruments) <= set(scores)
    row.save()
    audit.record(actor=SYSTEM, action="health.screening.result", obj=row, person_id=person.pk, before=before,
                 after={"instrument": link.instrument_code, "tier": tier})
    if (row.safety or tier == Tier.HIGH) and not row.alerts.exists():
        priorities = [s.get("safety_priority") for s in scores.values()]
        if row.safety:
            priority = AlertPriority.EMERGENT if "emergent" in priorities else AlertPriority.URGENT
            reason = AlertReason.SAFETY
        else:
            priority, reason = AlertPriority.HIGH, AlertReason.HIGH_TIER
        phq9 = scores.get("PHQ-9", {})
        crisis.alert_raise(person=person, result=row, reason=reason, priority=priority,
                           summary={"tier": tier, "reasons": reasons, "phq9_total": phq9.get("total"),
                                    "safety_priority": next((p for p in priorities if p), None),
                                    "round": screening.title})
    return row


def on_instrument_scored(sender: Any, *, response: Any, person: Person, campaign: Any, result: Any,
                         **kwargs: Any) -> None:
    """Receiver of jingying.surveys.signals.instrument_scored (connected in apps.py)."""
    result_record(person=person, campaign=campaign, result=result)
