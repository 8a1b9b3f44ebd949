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
from jingying.core.scoping import SYSTEM, require
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


@transaction.atomic
def round_create(*, actor: Any, unit: Unit, title: str, year: int, instruments: Sequence[str],
                 opens_at: dt.datetime, closes_at: dt.datetime) -> ScreeningRound:
    """A screening of everyone serving in the unit's subtree: one identified campaign per
    instrument, linked to the round."""
    from jingying.surveys import services as survey_services
    from jingying.surveys.choices import CampaignKind

    require(actor, "health.manage_round", unit.path)
    errors: dict[str, list[str]] = {}
    codes = list(dict.fromkeys(c.strip().upper() for c in instruments if c.strip()))
    if not codes:
        errors["instruments"] = [_("请至少选择一个量表")]
    if opens_at >= closes_at:
        errors["closes_at"] = [_("截止时间须晚于开始时间")]
    if not title.strip():
        errors["title"] = [_("请填写名称")]
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first() or unit
    versions = {}
    for code in codes:
        version = _instrument_version(code, root)
        if version is None:
            errors.setdefault("instruments", []).append(
                _("量表 %(code)s 没有可用的题目（题目须由持证方录入），不能用于筛查") % {"code": code})
        versions[code] = version
    if errors:
        raise ValidationError(errors)
    screening = ScreeningRound(title=title.strip(), unit=unit, year=year, instruments=codes, opens_at=opens_at,
                               closes_at=closes_at, consent_version=CONSENT_VERSION,
                               created_by=actor if getattr(actor, "pk", None) else None)
    screening.full_clean(exclude=["created_by"])
    screening.save()
    intro = _("本量表属于心理筛查“%(title)s”，请从“心理筛查”页面阅读知情同意后作答。") % {"title": screening.title}
    for position, code in enumerate(codes, start=1):
        campaign = survey_services.campaign_create(
            actor=actor if actor is not SYSTEM else SYSTEM, version=versions[code], unit=unit,
            title=f"{screening.title}·{code}", kind=CampaignKind.IDENTIFIED, opens_at=opens_at, closes_at=closes_at,
            intro=intro)
        RoundCampaign.objects.create(round=screening, campaign=campaign, instrument_code=code, position=position)
    audit.record(actor=actor, action="health.screening_round.create", obj=screening,
                 after={"unit": unit.pk, "year": year, "instruments": codes, "opens_at": opens_at,
                        "closes_at": closes_at})
    return screening


def _my_invited(actor: Any, screening: ScreeningRound) -> Person:
    from jingying.surveys.models import Invitation

    person_id = getattr(actor, "person_id", None)
    if person_id is None:
        raise PermissionDenied("no person")
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
