"""Demo screening, crisis alerts and counselling on top of the demo force (`jingying demo`).

- counsellors in the directory (the `counsellor` login is a head counsellor; three more at city
  bureaus, one speaking Mongolian), with free slots over the next two weeks;
- three annual screenings (PHQ-9 + GAD-7) of the whole force: the two past ones closed, this
  year's open; about 85 % take part in past years, 55 % so far this year (never the `officer`
  login, who takes it in the demo); PHQ-9 ≥ 10 in about 12 %, ≥ 20 in about 1.5 %, item 9
  positive in about 1.5 %;
- an alert for every safety / high-tier result: past ones closed with contact and outcome,
  this year's acknowledged and contacted, one left open;
- past counselling sessions (held) and some future bookings.

Results are written in bulk (scored by the real engine) rather than through the survey
engine's per-response submit, to keep the demo fast.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from jingying.accounts.models import Grant, User
from jingying.accounts.roles import Role
from jingying.core.scoping import SYSTEM
from jingying.health.choices_psych import (
    AlertOutcome,
    AlertPriority,
    AlertReason,
    AlertStatus,
    ContactMethod,
    SessionMode,
    SessionStatus,
)
from jingying.health.models import (
    AvailabilitySlot,
    CounsellingSession,
    Counsellor,
    CrisisAlert,
    ScreeningConsent,
    ScreeningResult,
    ScreeningRound,
)
from jingying.health.services import screening as screening_services
from jingying.instruments import score
from jingying.org.models import Person, Unit

SEED = 20260606
TITLE = "【演示】%(year)d 年度全警心理健康筛查"
PHQ_POOL = 800


def _phq9(rng: random.Random) -> list[int]:
    """Item answers with PHQ-9 ≥ 10 in ~12 % and ≥ 20 in ~1.5 % of people."""
    u = rng.random()
    target = rng.randint(20, 24) if u < 0.015 else rng.randint(10, 19) if u < 0.12 else min(9, int(rng.expovariate(0.35)))
    items = [0] * 8
    while sum(items) < target:
        i = rng.randrange(8)
        if items[i] < 3:
            items[i] += 1
    item9 = 0
    if (target >= 20 and rng.random() < 0.5) or (target >= 10 and rng.random() < 0.06) or rng.random() < 0.003:
        item9 = rng.choice([1, 1, 2])
    return [*items, item9]


def _gad7(rng: random.Random, phq: int) -> list[int]:
    target = max(0, min(21, int(phq * 0.8 + rng.gauss(0, 2.5))))
    items = [0] * 7
    while sum(items) < target:
        i = rng.randrange(7)
        if items[i] < 3:
            items[i] += 1
    return items


def _json(result: Any) -> dict[str, Any]:
    data = result.as_json()
    data["safety_priority"] = result.safety_priority
    return data


def _counsellors(rng: random.Random) -> list[Counsellor]:
    region = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    assert region is not None
    out = []
    main = User.objects.filter(username="counsellor").first()
    if main is not None:
        out.append(Counsellor.objects.update_or_create(user=main, defaults={
            "unit": region, "name": (main.person.name if main.person is not None else "心理咨询师"),
            "qualifications": "国家二级心理咨询师；危机干预培训", "languages": ["zh", "mn"],
            "bio": "从事警察心理健康服务十年，擅长压力管理、创伤后应激和危机干预。", "is_head": True})[0])
    cities = list(Unit.objects.filter(parent=region, kind="city_bureau").order_by("path")[:3])
    extra = [("心理咨询师（呼和浩特）", ["zh"], "心理治疗师（中级）"), ("心理咨询师（包头）", ["zh", "en"], "国家三级心理咨询师"),
             ("心理咨询师（呼伦贝尔）", ["zh", "mn"], "国家二级心理咨询师；蒙汉双语")]
    for n, (city, (name, languages, quals)) in enumerate(zip(cities, extra, strict=False), start=1):
        user, _c = User.objects.get_or_create(username=f"demo_counsellor{n}", defaults={"display_name": name})
        user.set_unusable_password()
        user.save()
        Grant.objects.get_or_create(user=user, role=Role.COUNSELLOR, unit=city,
                                    defaults={"domains": ["psych"], "reason": "演示"})
        out.append(Counsellor.objects.update_or_create(user=user, defaults={
            "unit": city, "name": name, "qualifications": quals, "languages": languages,
            "bio": "心理健康服务骨干。"})[0])
    return out


def _slots(rng: random.Random, counsellors: list[Counsellor], now: dt.datetime) -> None:
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = []
    for c in counsellors:
        for day in range(1, 15):
            start = today + dt.timedelta(days=day)
            if start.weekday() >= 5:
                continue
            for hour in (9, 15):
                at = start.replace(hour=hour)
                rows.append(AvailabilitySlot(counsellor=c, starts_at=at, ends_at=at + dt.timedelta(minutes=50),
                                             mode=rng.choice([SessionMode.IN_PERSON, SessionMode.VIDEO, SessionMode.PHONE]),
                                             location="心理咨询室"))
    AvailabilitySlot.objects.bulk_create(rows)


def _sessions(rng: random.Random, counsellors: list[Counsellor], people: list[tuple[int, int]], now: dt.datetime,
              skip: int | None) -> int:
    rows = []
    for days_ago in range(3 * 365, 0, -1):
        if rng.random() < 0.45:
            continue
        for _i in range(rng.choice([1, 1, 2, 3])):
            pid, uid = rng.choice(people)
            if pid == skip:
                continue
            at = (now - dt.timedelta(days=days_ago)).replace(hour=rng.choice([9, 10, 14, 15, 16]), minute=0,
                                                             second=0, microsecond=0)
            rows.append(CounsellingSession(person_id=pid, unit_id=uid, counsellor=rng.choice(counsellors), starts_at=at,
                                           mode=rng.choice(SessionMode.values),
                                           status=rng.choice([SessionStatus.HELD] * 8 + [SessionStatus.NO_SHOW,
                                                                                           SessionStatus.CANCELLED])))
    CounsellingSession.objects.bulk_create(rows, batch_size=2000)
    # A few future bookings of this week's slots.
    free = list(AvailabilitySlot.objects.filter(booked=False, starts_at__gt=now).order_by("starts_at")[:20])
    booked = []
    for slot in rng.sample(free, min(6, len(free))):
        pid, uid = rng.choice(people)
        if pid == skip:
            continue
        booked.append(CounsellingSession(person_id=pid, unit_id=uid, counsellor_id=slot.counsellor_id, slot=slot,
                                         starts_at=slot.starts_at, mode=slot.mode))
        slot.booked = True
    AvailabilitySlot.objects.bulk_update([s for s in free if s.booked], ["booked"])
    CounsellingSession.objects.bulk_create(booked)
    return len(rows) + len(booked)


def _round(year: int, root: Unit, opens: dt.datetime, closes: dt.datetime) -> ScreeningRound:
    return screening_services.round_create(actor=SYSTEM, unit=root, title=TITLE % {"year": year}, year=year,
                                           instruments=["PHQ-9", "GAD-7"], opens_at=opens, closes_at=closes)


def _results(rng: random.Random, screening: ScreeningRound, people: list[tuple[int, int]], share: float,
             skip: int | None, now: dt.datetime, counsellors: list[Counsellor], leave_open: bool) -> dict[str, int]:
    from jingying.surveys.models import Invitation

    chosen = [p for p in people if p[0] != skip and rng.random() < share]
    consents, results = [], []
    day = screening.opens_at + (min(now, screening.closes_at) - screening.opens_at) / 2
    rules_version = screening_services.tier_rules()["version"]
    # Scoring every person with the engine costs ~2 ms each; people draw from pools of scored
    # answer vectors generated the same way instead (the prevalence is the pool's).
    phq_pool = [_json(score("PHQ-9", _phq9(rng))) for _i in range(PHQ_POOL)]
    gad_pool: dict[tuple[int, int], dict[str, Any]] = {}
    for pid, uid in chosen:
        phq = rng.choice(phq_pool)
        key = (int(phq["total"] or 0), rng.randrange(4))
        if key not in gad_pool:
            gad_pool[key] = _json(score("GAD-7", _gad7(rng, key[0])))
        scores = {"PHQ-9": phq, "GAD-7": gad_pool[key]}
        tier, reasons = screening_services.tier_of(scores)
        consents.append(ScreeningConsent(round=screening, person_id=pid, consented_at=day,
                                         text_version=screening.consent_version))
        results.append(ScreeningResult(round=screening, person_id=pid, unit_id=uid, scores=scores, tier=tier,
                                       reasons=reasons, rules_version=rules_version, complete=True,
                                       safety="safety_escalation" in scores["PHQ-9"]["flags"]))
    ScreeningConsent.objects.bulk_create(consents, batch_size=2000)
    ScreeningResult.objects.bulk_create(results, batch_size=2000)
    answered = [pid for pid, _uid in chosen]
    for start in range(0, len(answered), 900):
        Invitation.objects.filter(campaign__screening_link__round=screening, person_id__in=answered[start:start + 900]
                                  ).update(answered=True, answered_on=timezone.localdate(day))
    saved = list(ScreeningResult.objects.filter(round=screening).filter(tier="high") | ScreeningResult.objects.filter(
        round=screening, safety=True))
    alerts = []
    head = counsellors[0].user if counsellors else None
    for n, r in enumerate(saved):
        created = day + dt.timedelta(hours=rng.randint(0, 48))
        priority = (AlertPriority.EMERGENT if r.scores["PHQ-9"].get("safety_priority") == "emergent" else
                    AlertPriority.URGENT if r.safety else AlertPriority.HIGH)
        alert = CrisisAlert(person_id=r.person_id, result=r, reason=AlertReason.SAFETY if r.safety else AlertReason.HIGH_TIER,
                            priority=priority, created_at=created, ack_due_at=created + dt.timedelta(minutes=60),
                            summary={"tier": r.tier, "reasons": r.reasons, "phq9_total": r.scores["PHQ-9"]["total"],
                                     "round": screening.title})
        if leave_open and n == 0:
            alert.created_at = now - dt.timedelta(minutes=20)
            alert.ack_due_at = alert.created_at + dt.timedelta(minutes=60)
        else:
            alert.acknowledged_at, alert.acknowledged_by = created + dt.timedelta(minutes=rng.randint(3, 50)), head
            alert.contact_at = created + dt.timedelta(minutes=rng.randint(55, 240))
            alert.contact_method, alert.contact_by = rng.choice(ContactMethod.values[:3]), head
            if leave_open:
                alert.status = AlertStatus.CONTACTED
            else:
                alert.status, alert.closed_at, alert.closed_by = AlertStatus.CLOSED, alert.contact_at, head
                alert.outcome = rng.choice([AlertOutcome.SAFE_PLAN, AlertOutcome.COUNSELLING, AlertOutcome.COUNSELLING,
                                            AlertOutcome.REFERRED, AlertOutcome.NO_RISK])
        alerts.append(alert)
    CrisisAlert.objects.bulk_create(alerts)
    return {"results": len(results), "alerts": len(alerts)}


@transaction.atomic
def load_demo_health_psych(*, seed: int = SEED) -> dict[str, Any]:
    """Idempotent: does nothing when the demo screenings exist."""
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    if root is None or ScreeningRound.objects.filter(title__startswith="【演示】").exists():
        return {"rounds": 0}
    rng = random.Random(seed)
    now = timezone.now()
    officer = User.objects.filter(username="officer").first()
    skip = officer.person_id if officer else None
    from jingying.org.choices import SERVING_STATUSES

    people = list(Person.objects.filter(status__in=SERVING_STATUSES).order_by("id").values_list("id", "unit_id"))
    counsellors = _counsellors(rng)
    _slots(rng, counsellors, now)
    summary: dict[str, Any] = {"rounds": 0, "results": 0, "alerts": 0}
    this_year = timezone.localdate(now).year
    for back in (2, 1, 0):
        year = this_year - back
        if back:
            opens = now - dt.timedelta(days=365 * back + 30)
            closes = opens + dt.timedelta(days=30)
        else:
            opens, closes = now - dt.timedelta(days=10), now + dt.timedelta(days=20)
        screening = _round(year, root, opens, closes)
        counts = _results(rng, screening, people, 0.85 if back else 0.55, skip, now, counsellors, leave_open=not back)
        summary["rounds"] += 1
        summary["results"] += counts["results"]
        summary["alerts"] += counts["alerts"]
    summary["sessions"] = _sessions(rng, counsellors, people, now, skip)
    return summary
