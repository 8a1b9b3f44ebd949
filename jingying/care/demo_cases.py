"""Demo activity for concerns, field visits and care visits: three years across the demo force,
deterministic for the seed, written in bulk (no audit entries: this is generated history)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from jingying.care.choices import CONCERN_DEADLINE_DAYS
from jingying.care.models import CareVisit, CareVisitPlan, CareVisitTarget, Concern, ConcernEvent, FieldVisit
from jingying.org.choices import SERVING_STATUSES, UnitKind
from jingying.org.models import Dependent, Person, Unit

SEED = 20260501

CONCERN_TEXTS: dict[str, list[tuple[str, str]]] = {
    "family": [("父母年迈无人照料", "父母均已七十多岁，常年在老家，自己值班多无法照顾，希望协调调休或就近调整岗位。"),
               ("爱人工作调动问题", "爱人在外地工作，两地分居多年，希望帮助协调爱人随调。"),
               ("家中老人住院需陪护", "母亲近期住院手术，需要请假陪护一周。")],
    "health": [("颈椎腰椎劳损", "长期伏案和值班，颈椎腰椎疼痛，希望安排理疗。"),
               ("体检发现指标异常需复查", "体检血压偏高，希望协调警医协作医院复查。"),
               ("睡眠不好", "连续加班后睡眠很差，希望安排休息。")],
    "housing": [("租房距离单位太远", "租住房屋离所里较远，夜班后回家不便，希望解决周转房。"),
                ("周转房漏水", "单位周转房卫生间漏水，希望尽快维修。")],
    "schooling": [("孩子入学需协调", "孩子今年上小学，户籍与居住地不一致，希望协调就近入学。"),
                  ("子女假期无人照看", "寒暑假孩子无人照看，希望单位组织托管。")],
    "workload": [("连续值班休息不足", "所里警力紧张，连续多周每周值班三次以上，希望调整排班。"),
                 ("辅助性工作过多", "各类报表和台账较多，挤占一线工作时间。")],
    "finances": [("家属重病经济困难", "爱人患重病，医疗费用较高，家庭经济困难，申请困难补助。"),
                 ("房贷压力大", "刚购房，房贷压力较大，希望了解单位相关帮扶政策。")],
    "legal": [("被当事人恶意投诉", "执法中被当事人恶意投诉，希望单位出面澄清。"),
              ("家庭纠纷需法律咨询", "老家宅基地纠纷，需要法律咨询。")],
    "other": [("食堂饭菜单一", "所里食堂饭菜种类少，希望改善。"), ("执勤装备老化", "单警装备老化，希望更换。")],
}
CATEGORY_WEIGHTS = {"family": 20, "health": 14, "housing": 10, "schooling": 14, "workload": 18, "finances": 10,
                    "legal": 6, "other": 8}
OUTCOMES = ["已协调解决，本人表示满意。", "经所务会研究，已调整排班。", "已协调相关部门办理完毕。",
            "已发放困难补助。", "已联系警医协作医院安排就诊。"]
FIELD_TOPICS = ["基层所队警务保障情况调研", "民警思想状况和实际困难走访", "警务室建设和辅警待遇调研",
                "夏季治安严打期间一线走访", "春节前走访慰问和调研", "派出所执法规范化建设调研"]
FINDINGS = ["警力不足，民警值班频次较高；食堂和宿舍条件有待改善。",
            "部分民警反映子女入学和家属就业困难；辅警待遇偏低。",
            "警务装备基本齐全，但部分单警装备老化。", "民警工作热情较高，但休假落实不到位。"]
VISITORS = ["局党委书记、局长", "政治部主任", "政治处主任", "分管副局长", "局领导和政治处负责同志"]


def _walkthrough_overdue(rng: random.Random, officer_pid: int | None, units: dict[int, Unit],
                         today: dt.date) -> list[Concern]:
    """A few open concerns past their deadline in the demo officer's station (one already with
    the county), so the station and county leaders see overdue work when they sign in."""
    if officer_pid is None:
        return []
    station_id = Person.objects.filter(pk=officer_pid).values_list("unit_id", flat=True).first()
    if station_id is None:
        return []
    station = units.get(station_id)
    from jingying.accounts.models import User

    with_accounts = User.objects.filter(person_id__isnull=False).values("person_id")
    colleagues = list(Person.objects.filter(unit_id=station_id, status__in=SERVING_STATUSES)
                      .exclude(pk__in=with_accounts).values_list("id", flat=True)[:10])
    if station is None or not colleagues:
        return []
    rows = [("workload", "urgent", 6, station), ("housing", "normal", 20, station),
            ("family", "normal", 25, units.get(station.parent_id or 0, station))]
    out = []
    for category, urgency, age, unit in rows:
        title, text = rng.choice(CONCERN_TEXTS[category])
        day = today - dt.timedelta(days=age)
        out.append(Concern(person_id=rng.choice(colleagues), unit=unit, category=category, urgency=urgency,
                           title=title, description=text, status="accepted", raised_at=_aware(day, rng),
                           deadline=day + dt.timedelta(days=CONCERN_DEADLINE_DAYS[urgency]),
                           escalations=1 if unit is not station else 0))
    return out


def _when(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))


def _aware(day: dt.date, rng: random.Random) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 21), rng.randint(0, 59))))


@transaction.atomic
def load_demo_care_cases(*, seed: int = SEED) -> dict[str, Any]:
    """Idempotent: does nothing when demo concerns exist."""
    if Concern.objects.exists() or not Unit.objects.exists():
        return {"concerns": 0}
    rng = random.Random(seed)
    today = timezone.localdate()
    start = today.replace(year=today.year - 3)
    from jingying.accounts.models import User

    officer_pid = User.objects.filter(username="officer").values_list("person_id", flat=True).first()
    people = list(Person.objects.filter(status__in=SERVING_STATUSES).values_list("id", "unit_id"))
    if not people:
        return {"concerns": 0}
    units = {u.pk: u for u in Unit.objects.only("id", "parent_id", "path", "name", "kind")}
    weights = list(CATEGORY_WEIGHTS.values())
    categories = list(CATEGORY_WEIGHTS)

    # Concerns: about one in eight people raise one a year.
    concerns: list[Concern] = []
    n_concerns = min(6000, max(30, len(people) * 3 // 8))
    for _i in range(n_concerns):
        pid, unit_id = rng.choice(people)
        if pid == officer_pid:
            continue  # the demo officer starts with a clean page for the walkthrough
        category = rng.choices(categories, weights)[0]
        title, text = rng.choice(CONCERN_TEXTS[category])
        urgency = rng.choices(["urgent", "normal", "low"], [1, 6, 2])[0]
        day = _when(rng, start, today)
        raised = _aware(day, rng)
        deadline = day + dt.timedelta(days=CONCERN_DEADLINE_DAYS[urgency])
        age = (today - day).days
        if age > 40:
            status = rng.choices(["resolved", "referred", "unsolvable"], [85, 10, 5])[0]
        elif age > 10:
            status = rng.choices(["resolved", "in_progress", "accepted", "submitted"], [50, 25, 15, 10])[0]
        else:
            status = rng.choices(["submitted", "accepted", "in_progress", "resolved"], [40, 30, 20, 10])[0]
        closed = status in ("resolved", "referred", "unsolvable")
        closed_at = _aware(min(today, day + dt.timedelta(days=rng.randint(1, CONCERN_DEADLINE_DAYS[urgency] + 5))),
                           rng) if closed else None
        rating = rng.choices([5, 4, 3, 2, 1], [55, 28, 10, 5, 2])[0] if closed and rng.random() < 0.7 else None
        concerns.append(Concern(
            person_id=pid, unit=units[unit_id], category=category, urgency=urgency, title=title, description=text,
            source=rng.choices(["self", "field_visit", "survey", "recorded"], [70, 12, 10, 8])[0], status=status,
            raised_at=raised, deadline=deadline, closed_at=closed_at,
            outcome=(rng.choice(OUTCOMES) if status == "resolved" else
                     "已转市局政治部统筹解决。" if status == "referred" else
                     "受政策限制暂无法解决，已向本人解释。" if closed else ""),
            rating=rating, rated_at=closed_at + dt.timedelta(days=1) if rating and closed_at else None,
            rating_comment="感谢组织关心" if rating == 5 else ""))
    concerns += _walkthrough_overdue(rng, officer_pid, units, today)
    Concern.objects.bulk_create(concerns, batch_size=1000)
    events: list[ConcernEvent] = []
    for c in Concern.objects.only("id", "status", "raised_at", "closed_at", "unit_id", "outcome", "rating",
                                  "rated_at", "escalations", "deadline"):
        events.append(ConcernEvent(concern_id=c.pk, kind="raised", at=c.raised_at, unit_id=c.unit_id, note="本人提出"))
        if c.status != "submitted":
            events.append(ConcernEvent(concern_id=c.pk, kind="accepted", at=c.raised_at + dt.timedelta(hours=20),
                                       unit_id=c.unit_id, actor_name="所长"))
        if c.status in ("in_progress", "resolved"):
            events.append(ConcernEvent(concern_id=c.pk, kind="started", at=c.raised_at + dt.timedelta(days=2),
                                       unit_id=c.unit_id, actor_name="所长"))
        if c.escalations:
            events.append(ConcernEvent(concern_id=c.pk, kind="escalated", unit_id=c.unit_id, note="超过办理期限，上报上级单位",
                                       at=timezone.make_aware(dt.datetime.combine(c.deadline, dt.time(6)))))
        if c.closed_at:
            events.append(ConcernEvent(concern_id=c.pk, kind=c.status, at=c.closed_at, unit_id=c.unit_id,
                                       actor_name="所长", note=c.outcome))
        if c.rating and c.rated_at:
            events.append(ConcernEvent(concern_id=c.pk, kind="rated", at=c.rated_at, unit_id=c.unit_id,
                                       note=f"{c.rating}/5"))
    ConcernEvent.objects.bulk_create(events, batch_size=2000)

    # Field visits: leaders visit stations a few times a year per county.
    stations = [u for u in units.values() if u.kind in (UnitKind.STATION, UnitKind.POST)]
    rng.shuffle(stations)
    visits = [FieldVisit(unit=u, visit_date=_when(rng, start, today), topic=rng.choice(FIELD_TOPICS),
                         visitors_text=rng.choice(VISITORS), met_text="所长、教导员、社区民警和辅警代表",
                         findings=rng.choice(FINDINGS)) for u in stations[: min(600, max(10, len(stations)))]]
    FieldVisit.objects.bulk_create(visits, batch_size=1000)
    # Link some field-visit concerns to a visit of their unit.
    by_unit = {v.unit_id: v.pk for v in FieldVisit.objects.only("id", "unit_id")}
    linked = [c for c in Concern.objects.filter(source="field_visit").only("id", "unit_id") if c.unit_id in by_unit]
    for c in linked:
        c.field_visit_id = by_unit[c.unit_id]
    Concern.objects.bulk_update(linked, ["field_visit"], batch_size=1000)

    # Care visits: festivals for a share of people, illness/bereavement/hardship for a few.
    dependents = dict(Dependent.objects.filter(hardship=True).values_list("person_id", "id"))
    care: list[CareVisit] = []
    reasons = ["festival", "illness", "injury", "bereavement", "hardship", "campaign"]
    for _i in range(min(8000, max(30, len(people) // 2))):
        pid, _unit_id = rng.choice(people)
        reason = rng.choices(reasons, [45, 18, 6, 8, 15, 8])[0]
        money = Decimal(rng.choice([0, 300, 500, 800, 1000, 2000])) if reason != "festival" else Decimal(
            rng.choice([0, 200, 300]))
        day = _when(rng, start, today)
        recent = (today - day).days < 20
        care.append(CareVisit(
            person_id=pid, dependent_id=dependents.get(pid) if reason == "hardship" else None, visit_date=day,
            reason=reason, visitors=rng.choice(VISITORS), money=money.quantize(Decimal("0.01")),
            goods=rng.choice(["米、面、油", "慰问品一份", "水果、牛奶", ""]),
            help_given=rng.choice(["", "协调警医协作医院就诊", "帮助解决子女入学", "申请困难补助"]),
            approval=("not_required" if money == 0 else "pending" if recent else
                      rng.choices(["approved", "rejected"], [95, 5])[0])))
    CareVisit.objects.bulk_create(care, batch_size=1000)

    # This year's plans: every county-level unit, targets from hardship dependents and recent visits.
    counties = [u for u in units.values() if u.kind in (UnitKind.COUNTY_BUREAU, UnitKind.BRANCH)]
    plans = CareVisitPlan.objects.bulk_create([CareVisitPlan(unit=u, year=today.year, note="年度走访慰问计划")
                                               for u in counties])
    plan_by_path = sorted(((p.unit.path, p) for p in plans), key=lambda x: -len(x[0]))
    targets: list[CareVisitTarget] = []
    seen: set[int] = set()
    candidates = {v.person_id: v.get_reason_display() for v in care
                  if v.reason in ("illness", "injury", "bereavement", "hardship") and v.visit_date.year >= today.year - 1}
    person_unit = dict(people)
    for pid, why in candidates.items():
        path = units[person_unit[pid]].path
        plan = next((p for prefix, p in plan_by_path if path.startswith(prefix)), None)
        if plan is not None and pid not in seen:
            seen.add(pid)
            targets.append(CareVisitTarget(plan=plan, person_id=pid, reason=str(why)))
    CareVisitTarget.objects.bulk_create(targets, batch_size=1000)
    return {"concerns": len(concerns), "field_visits": len(visits), "care_visits": len(care), "targets": len(targets)}
