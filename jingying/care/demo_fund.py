"""Demo data for the relief fund, protective equipment and the six guarantees (issue 5, parts 8
and 10), on top of the demo force: three years of donations and paid grants (one correction by a
reversing entry), grants waiting at each approval step for the `region` login (the one holding
the fund domain), equipment issued to every serving member with some expired or expiring within
60 days, and entered scorecard figures for the past three years and this one.

Written in bulk and deterministic for the seed; the ledger is built in date order with its
running balance, so the invariants hold exactly as if every entry had gone through the services.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from jingying.care.choices import EntryKind, GrantReason, GrantStatus, Guarantee
from jingying.care.models import EquipmentIssue, EquipmentType, Fund, LedgerEntry, ReliefGrant, ScorecardEntry
from jingying.care.services.equipment import add_months
from jingying.core.bulk import insert_rows
from jingying.org.choices import SERVING_STATUSES
from jingying.org.models import Person, Unit

SEED = 20260508
TYPES = [("防刺服", 36, True), ("防弹衣", 60, True), ("头盔", 60, True), ("执法记录仪", 48, True),
         ("强光手电", 24, False), ("单警急救包", 12, False)]
DONORS = ["自治区慈善总会", "内蒙古伊利实业集团", "蒙牛乳业公益基金", "包头钢铁集团工会", "呼和浩特市商会",
          "全区公安民警自愿捐款", "鄂尔多斯市企业家协会", "内蒙古电力公司", "退休民警协会", "社会爱心人士"]
REASON_TEXT = {
    GrantReason.FALLEN: "在执行任务中因公牺牲，家属生活困难",
    GrantReason.INJURED: "处置警情时因公负伤，住院治疗",
    GrantReason.DISABLED: "抓捕嫌疑人时因公致残，评定伤残等级",
    GrantReason.ILLNESS: "长期带病坚持工作，因病去世",
}


def _user(username: str) -> Any:
    from jingying.accounts.models import User

    return User.objects.filter(username=username).first()


def load_demo_care_fund(*, seed: int = SEED) -> dict[str, int]:
    """Idempotent: does nothing when the demo fund exists."""
    root = Unit.objects.filter(parent__isnull=True).first()
    if root is None or Fund.objects.filter(unit=root).exists():
        return {}
    rng = random.Random(seed)
    today = timezone.localdate()
    with transaction.atomic():
        summary = _fund(rng, root, today)
        summary.update(_equipment(rng, today))
        summary.update(_scorecards(rng, today))
    return summary


# --- the fund ------------------------------------------------------------------------------


def _fund(rng: random.Random, root: Unit, today: dt.date) -> dict[str, int]:
    fund = Fund.objects.create(unit=root, name="内蒙古自治区公安民警抚恤基金")
    people = list(Person.objects.filter(status__in=SERVING_STATUSES).order_by("id").values_list("id", flat=True))
    if not people:
        return {"entries": 0}
    region, city = _user("region"), _user("city")
    start = today - dt.timedelta(days=3 * 365)
    events: list[tuple[dt.date, str, Any]] = []
    day = start
    while day < today:
        events.append((day, "donation", Decimal(rng.randrange(5_000_00, 200_000_00, 50_00)) / 100))
        day += dt.timedelta(days=rng.randint(20, 45))
    for _ in range(30):
        events.append((start + dt.timedelta(days=rng.randint(60, 3 * 365 - 30)), "grant",
                       Decimal(rng.choice([20_000, 30_000, 50_000, 80_000, 100_000, 150_000]))))
    events.sort(key=lambda e: (e[0], e[1]))
    grants: list[ReliefGrant] = []
    plan: list[tuple[dt.date, str, Decimal, int | None]] = []
    balance = Decimal("0.00")
    for day, kind, amount in events:
        if kind == "grant":
            if balance < amount:
                continue  # the fund would be overdrawn: the department waits for donations
            reason = rng.choice(list(GrantReason))
            grants.append(ReliefGrant(fund=fund, person_id=rng.choice(people), reason=reason, amount=amount,
                                      details=REASON_TEXT[reason], status=GrantStatus.PAID, requested_by=city,
                                      first_approver=region, paid_by=region))
            plan.append((day, kind, -amount, len(grants) - 1))
            balance -= amount
        else:
            plan.append((day, kind, amount, None))
            balance += amount
    ReliefGrant.objects.bulk_create(grants)
    when: dict[int, dt.date] = {}
    entries: list[LedgerEntry] = []
    balance = Decimal("0.00")
    for seq, (day, _kind, amount, grant_index) in enumerate(plan, start=1):
        balance += amount
        grant = None if grant_index is None else grants[grant_index]
        entries.append(LedgerEntry(
            fund=fund, seq=seq, kind=EntryKind.GRANT if grant else EntryKind.DONATION, amount=amount,
            balance_after=balance, booked_on=day, occurred_on=day - dt.timedelta(days=rng.randint(0, 5)),
            donor="" if grant else rng.choice(DONORS), grant=grant, created_by=region,
            note=(f"抚恤（{grant.get_reason_display()}）" if grant else rng.choice(["", "春节慰问捐款", "专项捐赠", "年度捐赠"]))))
        if grant_index is not None:
            when[grant_index] = day
    # One donation keyed in twice by mistake, corrected by a reversing entry the same day.
    last_day = plan[-1][0] if plan else today
    dup_amount = Decimal("8888.00")
    seq = len(entries) + 1
    balance += dup_amount
    entries.append(LedgerEntry(fund=fund, seq=seq, kind=EntryKind.DONATION, amount=dup_amount, balance_after=balance,
                               booked_on=last_day, occurred_on=last_day, donor="社会爱心人士", note="重复录入",
                               created_by=region))
    LedgerEntry.objects.bulk_create(entries)
    seq += 1
    balance -= dup_amount
    LedgerEntry.objects.bulk_create([LedgerEntry(
        fund=fund, seq=seq, kind=EntryKind.REVERSAL, amount=-dup_amount, balance_after=balance, booked_on=last_day,
        occurred_on=last_day, note=f"冲正 #{seq - 1}：重复录入", reverses=entries[-1], created_by=region)])
    for index, day in when.items():
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
        ReliefGrant.objects.filter(pk=grants[index].pk).update(
            requested_at=moment - dt.timedelta(days=20), first_approved_at=moment - dt.timedelta(days=12),
            second_approved_at=moment - dt.timedelta(days=5), paid_at=moment)
    Fund.objects.filter(pk=fund.pk).update(balance=balance, last_seq=seq)
    # Waiting at each step, for the `region` login: first approval, second approval, payment.
    now = timezone.now()
    for status, reason, amount in ((GrantStatus.REQUESTED, GrantReason.INJURED, "30000.00"),
                                   (GrantStatus.FIRST_APPROVED, GrantReason.FALLEN, "100000.00"),
                                   (GrantStatus.APPROVED, GrantReason.DISABLED, "50000.00")):
        ReliefGrant.objects.create(
            fund=fund, person_id=rng.choice(people), reason=reason, amount=Decimal(amount),
            details=REASON_TEXT[reason], status=status, requested_by=city,
            first_approver=city if status != GrantStatus.REQUESTED else None,
            first_approved_at=now if status != GrantStatus.REQUESTED else None,
            second_approver=city if status == GrantStatus.APPROVED else None,
            second_approved_at=now if status == GrantStatus.APPROVED else None)
    return {"entries": len(entries), "grants": len(grants) + 3}


# --- equipment -----------------------------------------------------------------------------


def _equipment(rng: random.Random, today: dt.date) -> dict[str, int]:
    kinds = []
    for name, months, required in TYPES:
        kinds.append(EquipmentType.objects.get_or_create(name=name, defaults={"service_life_months": months,
                                                                              "required": required})[0])
    people = Person.objects.filter(status__in=SERVING_STATUSES).order_by("id").values_list("id", flat=True)
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    rows = []
    for person_id in people.iterator(chunk_size=5000):
        for kind in kinds:
            if (not kind.required and rng.random() < 0.6) or rng.random() < 0.02:
                continue  # not everyone holds the optional items; a few lack a required one
            life = kind.service_life_months * 30
            # Mostly in date; about one in twelve expired or expiring within 60 days.
            age = rng.randint(30, life - 60) if rng.random() < 0.92 else rng.randint(life - 60, life + 200)
            issued = today - dt.timedelta(days=age)
            rows.append((person_id, kind.pk, ops.adapt_datefield_value(issued),
                         ops.adapt_datefield_value(add_months(issued, kind.service_life_months)),
                         EquipmentIssue.Status.ISSUED.value, None, f"{kind.pk:02d}{person_id:07d}", "", None, now))
    # The fast path the roster import uses (jingying.core.bulk): bulk_create's SQL compiler took
    # ~15 s for the demo's ~14,000 rows on the reference machine.
    insert_rows(EquipmentIssue._meta.db_table, ["person_id", "type_id", "issued_on", "expires_on", "status",
                                                 "returned_on", "serial", "note", "issued_by_id", "created_at"], rows)
    return {"equipment": len(rows)}


# --- six guarantees ------------------------------------------------------------------------


def _scorecards(rng: random.Random, today: dt.date) -> dict[str, int]:
    # Entered where the people are (units without sub-units); the levels above roll them up.
    units = list(Unit.objects.annotate(n=Count("people")).filter(n__gt=0, children__isnull=True)
                 .values_list("id", flat=True))
    entered = [Guarantee.LIVING, Guarantee.HEALTH, Guarantee.INSTITUTIONAL, Guarantee.SERVICE, Guarantee.ACTIVITY]
    notes = {Guarantee.LIVING: "食堂、宿舍、值班备勤用房检查", Guarantee.HEALTH: "年度体检、疗休养落实情况",
             Guarantee.INSTITUTIONAL: "从优待警制度落实检查", Guarantee.SERVICE: "后勤服务满意度测评",
             Guarantee.ACTIVITY: "文体活动参与情况"}
    political = _user("city")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = [(unit_id, year, g.value, str(Decimal(rng.randint(680, 990)) / 10), notes[g],
             political.pk if political else None, now)
            for year in range(today.year - 3, today.year + 1) for unit_id in units for g in entered]
    insert_rows(ScorecardEntry._meta.db_table,
                ["unit_id", "year", "guarantee", "score", "note", "entered_by_id", "entered_at"], rows)
    return {"scorecards": len(rows)}
