"""Demo annual checkups: three years for every city bureau of the demo force, at its partner
hospital, with realistic prevalence by age and sex, follow-ups (recent ones open, some overdue,
some referred through the green channel) — written in bulk, deterministic for the seed.

Prevalence used (Chinese police checkup surveys report figures of this order): hypertension
~22% of officers over 40 (~8% under), dyslipidaemia ~30%, fatty liver ~30% (men more),
diabetes ~8% over 40, abnormal ECG ~8%, hyperuricaemia ~15%, thyroid nodules ~12% (women more).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from jingying.care.models import PartnerHospital, Referral
from jingying.core.scoping import subtree_q
from jingying.health.checkup_codes import BY_CODE
from jingying.health.models import CheckupFinding, CheckupPlan, CheckupRecord, CheckupStatus, FollowUp
from jingying.org.choices import PersonStatus, UnitKind
from jingying.org.models import Person, Unit

# code → (rate under 40, rate 40 and over); women get the rate × the factor in SEX_FACTOR.
PREVALENCE: dict[str, tuple[float, float]] = {
    "HTN": (0.08, 0.22), "DLP": (0.24, 0.34), "FLD": (0.25, 0.33), "DM": (0.025, 0.08), "ECG": (0.06, 0.10),
    "HUA": (0.14, 0.16), "THN": (0.09, 0.14), "LFT": (0.05, 0.07), "OB": (0.10, 0.14), "LUNG": (0.05, 0.10),
    "ANM": (0.02, 0.03), "CERV": (0.12, 0.20),
}
SEX_FACTOR = {"FLD": 0.5, "HUA": 0.4, "THN": 2.0, "ANM": 3.0, "HTN": 0.7, "OB": 0.6}
CONCLUSIONS = {(): "本次体检各项指标未见明显异常，建议保持健康生活方式，每年定期体检。"}
CHUNK = 2000


def _conclusion(codes: list[str]) -> str:
    if not codes:
        return CONCLUSIONS[()]
    names = "、".join(str(BY_CODE[c].name) for c in codes)
    return f"本次体检发现：{names}。请按随访建议复查或就诊，注意饮食、运动和作息。"


@transaction.atomic
def load_demo_checkups(*, seed: int) -> dict[str, Any]:
    if CheckupPlan.objects.exists():
        return {"plans": 0}
    rng = random.Random(seed + 6)
    today = timezone.localdate()
    years = [today.year - 2, today.year - 1, today.year]
    hospitals = {h.unit_id: h for h in PartnerHospital.objects.order_by("-id")}  # the first one per city wins
    cities = list(Unit.objects.filter(kind=UnitKind.CITY_BUREAU).order_by("code"))
    plans: list[CheckupPlan] = []
    for city in cities:
        for year in years:
            plans.append(CheckupPlan(unit=city, year=year, hospital=hospitals.get(city.pk),
                                     start_date=dt.date(year, 4, 1), end_date=dt.date(year, 10, 31),
                                     note="全体在职民警、辅警参加年度健康体检"))
    CheckupPlan.objects.bulk_create(plans)
    plan_by = {(p.unit_id, p.year): p for p in CheckupPlan.objects.all()}
    officer_person = _officer_person_id()
    records: list[CheckupRecord] = []
    planned: list[tuple[int, int, dt.date | None, str, int]] = []  # (plan, person, done_on, sex, age)
    for city in cities:
        people = list(Person.objects.filter(subtree_q("unit__path", city.path), status=PersonStatus.ACTIVE)
                      .values_list("pk", "gender", "birth_date"))
        for year in years:
            plan = plan_by[(city.pk, year)]
            window_end = min(plan.end_date, today)
            span = max(1, (window_end - plan.start_date).days)
            for pid, gender, birth in people:
                age = year - birth.year
                if plan.start_date > today:
                    status, done_on = CheckupStatus.DUE, None
                else:
                    roll = rng.random()
                    finished = today > plan.end_date
                    if pid == officer_person or roll < (0.93 if finished else 0.8):
                        status, done_on = CheckupStatus.DONE, plan.start_date + dt.timedelta(days=rng.randrange(span))
                    elif finished:
                        status, done_on = CheckupStatus.MISSED, None
                    else:
                        status, done_on = (CheckupStatus.BOOKED if roll < 0.9 else CheckupStatus.DUE), None
                booked = today + dt.timedelta(days=rng.randrange(1, 20)) if status == CheckupStatus.BOOKED else None
                records.append(CheckupRecord(plan=plan, person_id=pid, status=status, done_on=done_on,
                                             booked_on=booked, imported=status == CheckupStatus.DONE))
                planned.append((plan.pk, pid, done_on, gender, age))
    # Findings decided before insert so each record's conclusion names them.
    codes_for: list[list[str]] = []
    for _plan, pid, done_on, gender, age in planned:
        codes: list[str] = []
        if done_on is not None:
            for code, (young, old) in PREVALENCE.items():
                rate = old if age >= 40 else young
                if gender == "2":
                    rate *= SEX_FACTOR.get(code, 1.0)
                if rng.random() < rate or (pid == officer_person and code in ("HTN", "DLP")):
                    codes.append(code)
        codes_for.append(codes)
    for record, codes in zip(records, codes_for, strict=True):
        if record.status == CheckupStatus.DONE:
            record.conclusion = _conclusion(codes)
    CheckupRecord.objects.bulk_create(records, batch_size=CHUNK)
    ids = {(plan, person): pk for pk, plan, person in CheckupRecord.objects.values_list("pk", "plan_id", "person_id")}
    findings: list[CheckupFinding] = []
    followups: list[FollowUp] = []
    latest = today.year
    for (plan_id, pid, done_on, _g, _a), codes in zip(planned, codes_for, strict=True):
        if not codes or done_on is None:
            continue
        rid = ids[(plan_id, pid)]
        for code in codes:
            findings.append(CheckupFinding(record_id=rid, code=code))
            spec = BY_CODE[code]
            if spec.action == "none":
                continue
            due = done_on + dt.timedelta(days=spec.days)
            recent = done_on.year == latest
            if not recent or (due < today and rng.random() < 0.7):
                fu_status, note, closed = "closed", "已按期复查，医生建议继续观察", min(due, today)
            else:
                fu_status, note, closed = "open", "", None
            followups.append(FollowUp(person_id=pid, record_id=rid, code=code, action=spec.action, due_date=due,
                                      status=fu_status, note=note, closed_on=closed))
    CheckupFinding.objects.bulk_create(findings, batch_size=CHUNK)
    FollowUp.objects.bulk_create(followups, batch_size=CHUNK)
    referred = _refer_some(rng, today, hospitals)
    _officer_record_read()
    return {"plans": len(plans), "records": len(records), "findings": len(findings), "followups": len(followups),
            "referrals": referred}


def _refer_some(rng: random.Random, today: dt.date, hospitals: dict[int, PartnerHospital]) -> int:
    """Specialist follow-ups of this year: a third referred through the green channel."""
    city_paths = {u.pk: u.path for u in Unit.objects.filter(kind=UnitKind.CITY_BUREAU)}
    candidates = list(FollowUp.objects.filter(status="open", action="specialist")
                      .values_list("pk", "person_id", "person__unit__path", "code", "record__done_on"))
    chosen = [c for c in candidates if rng.random() < 0.35 or c[1] == _officer_person_id()]
    referrals, links = [], []
    for fid, pid, path, code, done_on in chosen:
        city = next((cid for cid, cpath in city_paths.items() if path.startswith(cpath)), None)
        hospital = hospitals.get(city) if city else None
        if hospital is None:
            continue
        day = min(today, (done_on or today) + dt.timedelta(days=rng.randrange(3, 20)))
        status = rng.choices(["referred", "seen"], [1, 2])[0]
        referrals.append(Referral(person_id=pid, hospital=hospital, reason=f"体检发现：{BY_CODE[code].name}",
                                  source="checkup", source_ref=f"FU{fid}", referred_on=day, status=status,
                                  seen_on=day + dt.timedelta(days=2) if status == "seen" else None))
        links.append(fid)
    created = Referral.objects.bulk_create(referrals)
    for fid, referral in zip(links, created, strict=True):
        FollowUp.objects.filter(pk=fid).update(status="referred", referral_id=referral.pk)
    return len(created)


def _officer_person_id() -> int | None:
    from jingying.accounts.models import User

    return User.objects.filter(username="officer").values_list("person_id", flat=True).first()


def _officer_record_read() -> None:
    """The doctor opened the demo officer's latest checkup once, so their page shows who looked."""
    from jingying.accounts.models import User
    from jingying.health.selectors.checkups import checkup_record_read

    doctor = User.objects.filter(username="doctor").first()
    person_id = _officer_person_id()
    record = (CheckupRecord.objects.filter(person_id=person_id, status=CheckupStatus.DONE).order_by("-plan__year").first()
              if person_id is not None else None)
    if doctor is not None and record is not None:
        checkup_record_read(actor=doctor, pk=record.pk)
