"""Demo activity for the care-support parts (`jingying demo`): three years of rights cases,
care campaigns with their checklists and coverage, childcare programmes with enrolments and
attendance, and accident insurance with claims, across the demo force.

Deterministic for the seed and written in bulk (no audit entries: the demo's history is
synthetic). The `officer` login gets a rights case of their own and an insured policy; the
running campaign leaves people not yet visited so `jingying care remind` has work to do.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from jingying.care.choices import (
    CareMeasure,
    ClaimStatus,
    EnrolmentStatus,
    OfferAnswer,
    RightsActionKind,
    RightsIncident,
    RightsStatus,
)
from jingying.care.models.campaigns import CampaignChecklistItem, CampaignReach, CampaignUnit, CareCampaign
from jingying.care.models.childcare import ChildcareAttendance, ChildcareEnrolment, ChildcareProgramme
from jingying.care.models.insurance import InsuranceClaim, InsurancePolicy, InsuredPerson
from jingying.care.models.rights import RightsAction, RightsCase, RightsCaseOfficer
from jingying.org.choices import SERVING_STATUSES, Category, Relation, UnitKind
from jingying.org.models import Dependent, Person, Unit

YEARS = 3
BATCH = 2000

PLACES = ["夜市", "火车站广场", "交通路口", "小区门口", "网吧", "KTV 门前", "医院急诊室", "集贸市场", "工地", "烧烤店"]
STORIES = {
    RightsIncident.ASSAULT: "处置纠纷警情时，醉酒男子拒不配合并挥拳击打民警面部，致民警软组织挫伤。",
    RightsIncident.OBSTRUCTION: "查处违法行为时，当事人及亲属围堵执法车辆、抢夺执法记录仪，阻碍依法执行职务。",
    RightsIncident.THREAT: "处理交通事故后，当事人多次电话威胁民警及其家属人身安全。",
    RightsIncident.DEFAMATION: "当事人将执法视频断章取义剪辑后发布到短视频平台，捏造“暴力执法”，造成不良影响。",
    RightsIncident.MALICIOUS_COMPLAINT: "当事人对依法作出的处罚不满，反复以捏造事实向多个部门投诉民警。",
    RightsIncident.OTHER: "民警下班途中被违法行为人跟踪、在住所附近滋扰。",
}
OUTCOMES = ["行为人被依法刑事拘留，民警获赔医疗费。", "行为人被行政拘留十日，并当面向民警赔礼道歉。",
            "经调查投诉不实，已向投诉人反馈并为民警澄清正名。", "平台已删除不实视频，发布澄清通报，阅读量逾十万。",
            "移送检察机关审查起诉，法院以妨害公务罪判处有期徒刑八个月。"]
HANDLERS = ["法制大队", "政治处", "督察支队", "宣传科", "警务保障室", "法律顾问"]
ACTION_RESULTS = {
    RightsActionKind.LEGAL_AID: "联系法律顾问为民警提供诉讼代理。",
    RightsActionKind.CLARIFICATION: "通过官方账号发布警情通报，澄清事实。",
    RightsActionKind.PROSECUTION: "案件移送法制部门，依法追究行为人责任。",
    RightsActionKind.COMPENSATION: "协调行为人赔偿医疗费、误工费。",
    RightsActionKind.OTHER: "安排民警调整勤务、落实家属安全防护。",
}
# (name, month it starts, days it lasts)
CAMPAIGNS = [("春节安保", 1, 30), ("全国两会安保", 3, 15), ("夏季治安打击整治“百日行动”", 6, 100), ("国庆安保", 9, 25),
             ("冬季严打整治", 11, 45)]
CHECK_NOTES = {
    CareMeasure.COMMENDATION: "对表现突出的民警通报表扬、火线立功",
    CareMeasure.VISITS: "领导班子分片走访一线民警和家属",
    CareMeasure.MEDICAL: "协作医院医疗队到卡点送医送药",
    CareMeasure.CHILDCARE: "开设民警子女临时托管班",
    CareMeasure.COUNSELLING: "心理咨询师到岗开展团体心理疏导",
    CareMeasure.INSURANCE: "为参战民警补充办理意外伤害保险",
}
INSURERS = ["中国人民财产保险", "中国平安财产保险", "中国人寿保险", "中国太平洋财产保险"]
INJURIES = ["抓捕犯罪嫌疑人时右手腕骨折", "夜间巡逻摔伤膝盖", "处置警情被犬咬伤", "交通事故现场被过往车辆剐蹭",
            "训练中踝关节扭伤", "制止斗殴时被利器划伤手臂"]


def _insert(model: Any, columns: list[str], rows: list[list[Any]]) -> None:
    """Plain rows straight into the table (jingying.core.bulk): model instances cost more than the INSERT."""
    from django.db import connection

    from jingying.core.bulk import insert_rows

    date = connection.ops.adapt_datefield_value
    stamp = connection.ops.adapt_datetimefield_value
    adapted = [[date(v) if type(v) is dt.date else stamp(v) if isinstance(v, dt.datetime) else v for v in row]
               for row in rows]
    insert_rows(model._meta.db_table, columns, adapted)


def _days_ago(today: dt.date, rng: random.Random, low: int, high: int) -> dt.date:
    return today - dt.timedelta(days=rng.randint(low, high))


def _aware(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(8, 18), rng.randint(0, 59)), tzinfo=timezone.get_current_timezone())


def _officer_person_id() -> int | None:
    from jingying.accounts.models import User

    return User.objects.filter(username="officer").values_list("person_id", flat=True).first()


def load_demo_care_support(*, seed: int = 2026) -> dict[str, int]:
    """Idempotent: does nothing when the demo already has rights cases or care campaigns."""
    if RightsCase.objects.exists() or CareCampaign.objects.exists():
        return {}
    root = Unit.objects.filter(parent__isnull=True).first()
    if root is None:
        return {}
    rng = random.Random(seed * 7 + 5)
    today = timezone.localdate()
    people = list(Person.objects.filter(status__in=SERVING_STATUSES).select_related("unit")
                  .only("id", "unit__path", "unit__id", "unit__kind", "category", "name").order_by("id"))
    if not people:
        return {}
    with transaction.atomic():
        summary = {"rights": _rights(rng, today, people), "campaigns": _campaigns(rng, today, root, people),
                   "childcare": _childcare(rng, today, root), "insurance": _insurance(rng, today, people)}
    return summary


# --- rights --------------------------------------------------------------------------------


def _rights(rng: random.Random, today: dt.date, people: list[Person]) -> int:
    police = [p for p in people if p.category == Category.POLICE and p.unit.kind == UnitKind.STATION]
    if not police:
        police = [p for p in people if p.category == Category.POLICE] or people
    by_unit: dict[int, list[Person]] = defaultdict(list)
    for p in police:
        by_unit[p.unit_id].append(p)
    per_year = max(6, len(people) // 150)
    kinds = list(RightsIncident)
    weights = [30, 25, 12, 15, 13, 5]
    cases: list[RightsCase] = []
    victims: list[list[Person]] = []
    officer_id = _officer_person_id()
    officer = next((p for p in people if p.pk == officer_id), None)
    for i in range(per_year * YEARS):
        day = _days_ago(today, rng, 1, 365 * YEARS)
        main = officer if (i == 0 and officer is not None) else rng.choice(police)
        if i == 0:
            day = today - dt.timedelta(days=12)
        colleagues = [p for p in by_unit[main.unit_id] if p.pk != main.pk]
        group = [main, *rng.sample(colleagues, min(len(colleagues), rng.choice((0, 0, 0, 1, 2))))]
        kind = rng.choices(kinds, weights)[0]
        age = (today - day).days
        if age > 120:
            status = RightsStatus.CLOSED
        else:
            status = rng.choice([RightsStatus.REGISTERED, RightsStatus.INVESTIGATING, RightsStatus.ACTIONS,
                                 RightsStatus.CLOSED if age > 40 else RightsStatus.ACTIONS])
        closed = status == RightsStatus.CLOSED
        cases.append(RightsCase(unit_id=main.unit_id, incident_kind=kind, incident_date=day,
                                place=f"{main.unit.short_name or main.unit.name}辖区{rng.choice(PLACES)}", description=STORIES[kind],
                                status=status, outcome=rng.choice(OUTCOMES) if closed else "",
                                closed_on=min(today, day + dt.timedelta(days=rng.randint(20, 100))) if closed else None))
        victims.append(group)
    RightsCase.objects.bulk_create(cases, batch_size=BATCH)
    officers: list[RightsCaseOfficer] = []
    actions: list[RightsAction] = []
    for case, group in zip(cases, victims, strict=True):
        offered = _aware(case.incident_date + dt.timedelta(days=1), rng)
        for person in group:
            if (today - case.incident_date).days < 20:
                answer = rng.choice([OfferAnswer.PENDING, OfferAnswer.ACCEPTED])
            else:
                answer = rng.choices([OfferAnswer.ACCEPTED, OfferAnswer.DECLINED, OfferAnswer.NO_ANSWER], [40, 45, 15])[0]
            officers.append(RightsCaseOfficer(case=case, person=person, offer_at=offered, offer_answer=answer,
                                              offer_answered_at=None if answer == OfferAnswer.PENDING
                                              else offered + dt.timedelta(days=rng.randint(0, 5))))
        if case.status in (RightsStatus.ACTIONS, RightsStatus.CLOSED):
            for action_kind in rng.sample(list(RightsActionKind)[:4], rng.randint(1, 3)):
                actions.append(RightsAction(case=case, kind=action_kind,
                                            date=min(today, case.incident_date + dt.timedelta(days=rng.randint(1, 30))),
                                            handled_by=rng.choice(HANDLERS), result=ACTION_RESULTS[action_kind]))
    RightsCaseOfficer.objects.bulk_create(officers, batch_size=BATCH)
    RightsAction.objects.bulk_create(actions, batch_size=BATCH)
    return len(cases)


# --- campaigns -----------------------------------------------------------------------------


def _campaigns(rng: random.Random, today: dt.date, root: Unit, people: list[Person]) -> int:
    cities = list(Unit.objects.filter(parent=root, kind=UnitKind.CITY_BUREAU).order_by("path"))
    if not cities:
        return 0
    counties = defaultdict(list)
    for unit in Unit.objects.filter(parent__in=cities).exclude(kind=UnitKind.INTERNAL).order_by("path"):
        counties[unit.parent_id].append(unit)
    demo_city = next((c for c in cities if c.code == "150100"), cities[0])
    specs: list[tuple[str, Unit, dt.date, dt.date, list[Unit]]] = []
    for year in range(today.year - YEARS + 1, today.year + 1):
        for name, month, days in rng.sample(CAMPAIGNS[:4], 3):
            city = demo_city if rng.random() < 0.5 else rng.choice(cities)
            start = dt.date(year, month, rng.randint(1, 20))
            if start >= today - dt.timedelta(days=10):
                continue
            end = start + dt.timedelta(days=days)
            units = rng.sample(counties[city.pk], min(len(counties[city.pk]), rng.randint(2, 4))) or [city]
            specs.append((f"{year}年{city.short_name or city.name}{name}从优待警", city, start, min(end, today - dt.timedelta(days=1)), units))
    # One running now for the demo city, with the demo county in it.
    demo_county = Unit.objects.filter(code="150102").first()
    running_units = list(counties[demo_city.pk][:3])
    if demo_county is not None and demo_county not in running_units:
        running_units.append(demo_county)
    specs.append((f"{today.year}年{demo_city.short_name or demo_city.name}冬季严打整治从优待警", demo_city,
                  today - dt.timedelta(days=12), today + dt.timedelta(days=30), running_units or [demo_city]))
    campaigns = [CareCampaign(name=name, unit=city, start=start, end=end, measures=[m.value for m in CareMeasure],
                              category=Category.POLICE if rng.random() < 0.3 else "",
                              notes="战时从优待警六项措施同步启动。") for name, city, start, end, _u in specs]
    CareCampaign.objects.bulk_create(campaigns)
    cus = [CampaignUnit(campaign=c, unit=u) for c, spec in zip(campaigns, specs, strict=True) for u in spec[4]]
    CampaignUnit.objects.bulk_create(cus)
    items = []
    for cu in cus:
        running = cu.campaign.end >= today
        for m in CareMeasure:
            done = rng.random() < (0.45 if running else 0.92)
            items.append(CampaignChecklistItem(
                campaign_unit=cu, measure=m, done=done, note=CHECK_NOTES[m] if done else "",
                done_on=min(today, cu.campaign.start + dt.timedelta(days=rng.randint(1, 14))) if done else None))
    CampaignChecklistItem.objects.bulk_create(items, batch_size=BATCH)
    by_path = sorted(people, key=lambda p: p.unit.path)
    reach: list[list[Any]] = []
    share = {CareMeasure.COMMENDATION: 0.15, CareMeasure.VISITS: 0.9, CareMeasure.MEDICAL: 0.6,
             CareMeasure.CHILDCARE: 0.1, CareMeasure.COUNSELLING: 0.35, CareMeasure.INSURANCE: 0.95}
    for cu in cus:
        campaign = cu.campaign
        running = campaign.end >= today
        members = [p for p in by_path if p.unit.path.startswith(cu.unit.path)
                   and (not campaign.category or p.category == campaign.category)]
        for m, ratio in share.items():
            for p in members:
                if rng.random() < ratio * (0.5 if running else 1):
                    span = max(1, (min(campaign.end, today) - campaign.start).days)
                    reach.append([campaign.pk, p.pk, str(m), campaign.start + dt.timedelta(days=rng.randint(0, span)), None])
    seen: set[tuple[int, int, str]] = set()
    unique = []
    for r in reach:
        key = (r[0], r[1], r[2])
        if key not in seen:  # nested participating units reach the same person once
            seen.add(key)
            unique.append(r)
    _insert(CampaignReach, ["campaign_id", "person_id", "measure", "reached_on", "recorded_by_id"], unique)
    return len(campaigns)


# --- childcare -----------------------------------------------------------------------------


def _childcare(rng: random.Random, today: dt.date, root: Unit) -> int:
    cities = list(Unit.objects.filter(parent=root, kind=UnitKind.CITY_BUREAU).order_by("path"))
    demo_city = next((c for c in cities if c.code == "150100"), cities[0] if cities else root)
    hosts = [demo_city, *rng.sample([c for c in cities if c != demo_city], min(2, max(0, len(cities) - 1)))]
    children = list(Dependent.objects.filter(relation=Relation.CHILD, birth_date__isnull=False,
                                             person__status__in=SERVING_STATUSES)
                    .values_list("id", "birth_date", "person_id", "person__unit__path"))
    programmes = []
    # Three years back and the next one to come (open for enrolment now).
    for year in range(today.year - YEARS + 1, today.year + 2):
        for host in hosts:
            for season, start, days in (("暑期", dt.date(year, 7, 10), 40), ("寒假", dt.date(year, 1, 20), 21)):
                if start > today + dt.timedelta(days=180):
                    continue
                programmes.append(ChildcareProgramme(
                    name=f"{host.short_name or host.name}民警子女{season}托管班", unit=host,
                    centre=f"{host.short_name or host.name}警营文化活动中心", period=f"{year}年{season}",
                    start=start, end=start + dt.timedelta(days=days), capacity=rng.choice((20, 30, 40)),
                    min_age=4, max_age=12, open=start + dt.timedelta(days=days) >= today,
                    contact="政治处 张老师 0471-6601234"))
    ChildcareProgramme.objects.bulk_create(programmes)
    enrolments = []
    for programme in programmes:
        eligible = [c for c in children if c[3].startswith(programme.unit.path)
                    and c[1] is not None and programme.min_age <= _age(c[1], programme.start) <= programme.max_age]
        # Past programmes filled up (some with a waiting list); the coming one is half full.
        size = programme.capacity + rng.randint(0, 8) if programme.start <= today else programme.capacity // 2
        wanted = rng.sample(eligible, min(len(eligible), size))
        opened = min(programme.start - dt.timedelta(days=30), today - dt.timedelta(days=21))
        for i, child in enumerate(wanted):
            requested = _aware(opened + dt.timedelta(days=i % 20), rng) + dt.timedelta(minutes=i)
            status = EnrolmentStatus.ENROLLED if i < programme.capacity else EnrolmentStatus.WAITING
            if programme.end < today and status == EnrolmentStatus.WAITING:
                status = EnrolmentStatus.CANCELLED
            enrolments.append(ChildcareEnrolment(programme=programme, person_id=child[2], child_id=child[0],
                                                 status=status, requested_at=requested,
                                                 cancelled_at=_aware(programme.start, rng)
                                                 if status == EnrolmentStatus.CANCELLED else None))
    ChildcareEnrolment.objects.bulk_create(enrolments, batch_size=BATCH)
    attendance: list[list[Any]] = []
    for e in enrolments:
        if e.status != EnrolmentStatus.ENROLLED:
            continue
        day = e.programme.start
        last = min(e.programme.end, today - dt.timedelta(days=1))
        while day <= last:
            if day.weekday() < 5:
                attendance.append([e.pk, day, rng.random() < 0.93, "", None])
            day += dt.timedelta(days=1)
    _insert(ChildcareAttendance, ["enrolment_id", "day", "present", "note", "marked_by_id"], attendance)
    return len(programmes)


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# --- insurance -----------------------------------------------------------------------------


def _insurance(rng: random.Random, today: dt.date, people: list[Person]) -> int:
    cities = list(Unit.objects.filter(kind=UnitKind.CITY_BUREAU).order_by("path"))
    policies = []
    for city in cities:
        for k in range(YEARS):
            # Yearly group policies; the current one ends within a month for the demo city, so the
            # expiry reminder has something to say.
            end = today + dt.timedelta(days=20 if city.code == "150100" else rng.randint(40, 300)) \
                - dt.timedelta(days=365 * k)
            start = end - dt.timedelta(days=364)
            policies.append(InsurancePolicy(
                unit=city, insurer=rng.choice(INSURERS), policy_number=f"GA{city.code}{start:%Y%m%d}{k}",
                name="公安民警团体意外伤害保险", start=start, end=end,
                cover_per_person=Decimal(rng.choice(("300000.00", "500000.00", "800000.00")))))
    InsurancePolicy.objects.bulk_create(policies)
    insured: list[list[Any]] = []
    claims = []
    now = timezone.now()
    police_paths = [(p.pk, p.unit.path) for p in people if p.category == Category.POLICE]
    for policy in policies:
        members = [pk for pk, path in police_paths if path.startswith(policy.unit.path)]
        insured += [[policy.pk, pk, now] for pk in members]
        for pk in rng.sample(members, min(len(members), max(1, len(members) // 60))):
            incident_date = policy.start + dt.timedelta(days=rng.randint(0, max(0, (min(policy.end, today) - policy.start).days)))
            if incident_date > today:
                continue
            amount = Decimal(rng.randint(800, 60000)) + Decimal(rng.randint(0, 99)) / 100
            age = (today - incident_date).days
            status = ClaimStatus.SUBMITTED if age < 10 else ClaimStatus.REVIEWING if age < 40 else \
                rng.choices([ClaimStatus.PAID, ClaimStatus.REJECTED], [88, 12])[0]
            paid = (amount * Decimal(rng.choice(("1", "0.9", "0.8")))).quantize(Decimal("0.01")) \
                if status == ClaimStatus.PAID else None
            claims.append(InsuranceClaim(
                policy=policy, person_id=pk, incident=rng.choice(INJURIES), incident_date=incident_date,
                amount_claimed=amount, amount_paid=paid, status=status,
                reject_reason="不属于保险责任范围（既往病症）" if status == ClaimStatus.REJECTED else "",
                submitted_on=min(today, incident_date + dt.timedelta(days=rng.randint(1, 7))),
                decided_on=min(today, incident_date + dt.timedelta(days=rng.randint(30, 60)))
                if status in (ClaimStatus.PAID, ClaimStatus.REJECTED) else None))
    _insert(InsuredPerson, ["policy_id", "person_id", "added_at"], insured)
    InsuranceClaim.objects.bulk_create(claims, batch_size=BATCH)
    return len(policies)


