"""Writes of annual checkups (年度体检): plans, bookings, results with coded findings, follow-ups
and their referral through the green channel. Records are health data (domain "health")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.care.models import GreenChannelService, PartnerHospital, Referral
from jingying.core import audit, bulk
from jingying.core.scoping import require, subtree_q
from jingying.health.checkup_codes import BY_CODE, FollowUpAction
from jingying.health.models import CheckupFinding, CheckupPlan, CheckupRecord, CheckupStatus, FollowUp, FollowUpStatus
from jingying.org.choices import PersonStatus
from jingying.org.models import Person, Unit

HEALTH = "health"
MANAGE_PLAN = "health.manage_checkup_plan"
MANAGE = "health.manage_checkup"
PLAN_FIELDS = ["unit_id", "year", "hospital_id", "start_date", "end_date", "note"]
RECORD_FIELDS = ["status", "booked_on", "done_on", "conclusion"]
CHUNK = 1000


def _validate_plan(plan: CheckupPlan) -> None:
    if plan.start_date and plan.end_date and plan.end_date < plan.start_date:
        raise ValidationError({"end_date": [_("截止日期不能早于开始日期")]})
    plan.full_clean(validate_constraints=False)
    if plan.year and CheckupPlan.objects.filter(unit_id=plan.unit_id, year=plan.year).exclude(pk=plan.pk).exists():
        raise ValidationError({"year": [_("该单位 %(y)s 年度已有体检计划") % {"y": plan.year}]})
    if plan.start_date and plan.year and plan.start_date.year not in (plan.year, plan.year - 1):
        raise ValidationError({"start_date": [_("开始日期应在计划年度内")]})


def _due_people(plan: CheckupPlan) -> Iterable[int]:
    return (Person.objects.filter(subtree_q("unit__path", plan.unit.path), status=PersonStatus.ACTIVE)
            .values_list("pk", flat=True))


@transaction.atomic
def checkup_plan_create(*, actor: Any, unit: Unit, year: int, start_date: dt.date, end_date: dt.date,
                        hospital: PartnerHospital | None = None, note: str = "",
                        person_ids: Iterable[int] | None = None) -> CheckupPlan:
    """A plan for the unit's subtree; everyone active there becomes due (one record each), or
    only `person_ids` when given (an imported list; the caller checked they are in the subtree)."""
    require(actor, MANAGE_PLAN, unit.path, domain=HEALTH)
    plan = CheckupPlan(unit=unit, year=year, start_date=start_date, end_date=end_date, hospital=hospital, note=note)
    _validate_plan(plan)
    plan.save()
    added = _add_due(plan) if person_ids is None else _insert_records(plan, list(dict.fromkeys(person_ids)))
    audit.record(actor=actor, action="health.checkup_plan.create", obj=plan,
                 after={**audit.snapshot(plan, PLAN_FIELDS), "due": added})
    return plan


def _add_due(plan: CheckupPlan) -> int:
    present = set(CheckupRecord.objects.filter(plan=plan).values_list("person_id", flat=True))
    rows = [CheckupRecord(plan=plan, person_id=pid) for pid in _due_people(plan) if pid not in present]
    CheckupRecord.objects.bulk_create(rows, batch_size=CHUNK)
    return len(rows)


def _insert_records(plan: CheckupPlan, person_ids: list[int]) -> int:
    """Due records for these people, in a few bulk statements (an imported list may hold
    thousands): jingying.core.bulk, as the roster import writes people."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    columns = ["plan_id", "person_id", "status", "booked_on", "done_on", "conclusion", "imported", "updated_at"]
    return bulk.insert_rows(CheckupRecord._meta.db_table, columns,
                            ((plan.pk, pid, CheckupStatus.DUE.value, None, None, "", False, now) for pid in person_ids))


@transaction.atomic
def checkup_plan_set_people(*, actor: Any, plan: CheckupPlan, person_ids: Iterable[int]) -> tuple[int, int]:
    """Make the plan's list exactly `person_ids` (who is included): add the missing as due, remove
    the others. Someone already booked, examined or recorded as missed cannot be removed: their
    record is history. Returns (added, removed)."""
    require(actor, MANAGE_PLAN, plan.unit.path, domain=HEALTH)
    wanted = list(dict.fromkeys(person_ids))
    inside = sum(Person.objects.filter(subtree_q("unit__path", plan.unit.path), pk__in=wanted[i:i + CHUNK]).count()
                 for i in range(0, len(wanted), CHUNK))
    if inside != len(wanted):
        raise ValidationError({"person_ids": [_("名单中有人员不在计划单位范围内")]})
    have = dict(CheckupRecord.objects.filter(plan=plan).values_list("person_id", "status"))
    keep = set(wanted)
    leaving = [pid for pid in have if pid not in keep]
    blocked = [pid for pid in leaving if have[pid] != CheckupStatus.DUE]
    if blocked:
        raise ValidationError({"person_ids": [_("%(n)d 人已预约、已体检或记为未参加，不能移出名单") % {"n": len(blocked)}]})
    for start in range(0, len(leaving), CHUNK):
        CheckupRecord.objects.filter(plan=plan, person_id__in=leaving[start:start + CHUNK]).delete()
    joining = [pid for pid in wanted if pid not in have]
    added = _insert_records(plan, joining)
    if added or leaving:
        audit.record(actor=actor, action="health.checkup_plan.people", obj=plan,
                     after={"added": joining[:1000], "removed": leaving[:1000], "added_count": added,
                            "removed_count": len(leaving)})
    return added, len(leaving)


@transaction.atomic
def checkup_plan_update(*, actor: Any, plan: CheckupPlan, **changes: Any) -> CheckupPlan:
    require(actor, MANAGE_PLAN, plan.unit.path, domain=HEALTH)
    if "unit" in changes and changes["unit"].pk != plan.unit_id:
        raise ValidationError({"unit": [_("计划的单位不能修改；请另建计划")]})
    before = audit.snapshot(plan, PLAN_FIELDS)
    for key, value in changes.items():
        setattr(plan, key, value)
    _validate_plan(plan)
    plan.save()
    after = audit.snapshot(plan, PLAN_FIELDS)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        audit.record(actor=actor, action="health.checkup_plan.update", obj=plan,
                     before={k: before[k] for k in changed}, after=changed)
    return plan


@transaction.atomic
def checkup_plan_sync(*, actor: Any, plan: CheckupPlan) -> int:
    """Add people who joined the plan's units since it was made; returns how many."""
    require(actor, MANAGE_PLAN, plan.unit.path, domain=HEALTH)
    added = _add_due(plan)
    if added:
        audit.record(actor=actor, action="health.checkup_plan.sync", obj=plan, after={"added": added})
    return added


@transaction.atomic
def checkup_plan_close(*, actor: Any, plan: CheckupPlan) -> int:
    """After the window: everyone still due or booked is recorded as missed; returns how many."""
    require(actor, MANAGE_PLAN, plan.unit.path, domain=HEALTH)
    if timezone.localdate() <= plan.end_date:
        raise ValidationError(_("体检截止日期（%(d)s）之后才能结束计划") % {"d": plan.end_date})
    missed = CheckupRecord.objects.filter(plan=plan, status__in=[CheckupStatus.DUE, CheckupStatus.BOOKED]).update(
        status=CheckupStatus.MISSED)
    audit.record(actor=actor, action="health.checkup_plan.close", obj=plan, after={"missed": missed})
    return missed


@transaction.atomic
def checkup_plan_delete(*, actor: Any, plan: CheckupPlan) -> None:
    require(actor, MANAGE_PLAN, plan.unit.path, domain=HEALTH)
    if CheckupRecord.objects.filter(plan=plan, status=CheckupStatus.DONE).exists():
        raise ValidationError(_("计划中已有体检结果，不能删除"))
    audit.record(actor=actor, action="health.checkup_plan.delete", obj=plan, before=audit.snapshot(plan, PLAN_FIELDS))
    plan.delete()


# --- records --------------------------------------------------------------------------------


def _require_record(actor: Any, record: CheckupRecord) -> None:
    require(actor, MANAGE, record.person.unit.path, domain=HEALTH)


@transaction.atomic
def checkup_record_book(*, actor: Any, record: CheckupRecord, booked_on: dt.date) -> CheckupRecord:
    _require_record(actor, record)
    if record.status == CheckupStatus.DONE:
        raise ValidationError({"booked_on": [_("已体检，无需预约")]})
    before = audit.snapshot(record, RECORD_FIELDS)
    record.status, record.booked_on = CheckupStatus.BOOKED, booked_on
    record.save(update_fields=["status", "booked_on", "updated_at"])
    audit.record(actor=actor, action="health.checkup.book", obj=record, person_id=record.person_id,
                 before=before, after=audit.snapshot(record, RECORD_FIELDS))
    return record


@transaction.atomic
def checkup_record_missed(*, actor: Any, record: CheckupRecord) -> CheckupRecord:
    _require_record(actor, record)
    if record.status == CheckupStatus.DONE:
        raise ValidationError(_("已有体检结果，不能标为未参加"))
    before = audit.snapshot(record, RECORD_FIELDS)
    record.status = CheckupStatus.MISSED
    record.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="health.checkup.missed", obj=record, person_id=record.person_id,
                 before=before, after=audit.snapshot(record, RECORD_FIELDS))
    return record


def followup_rows(record_id: int, person_id: int, done_on: dt.date, codes: Iterable[str],
                  existing: set[tuple[int, str]]) -> list[FollowUp]:
    """The follow-ups a result's findings need (not those the record already has)."""
    out = []
    for code in codes:
        spec = BY_CODE[code]
        if spec.action == FollowUpAction.NONE or (record_id, code) in existing:
            continue
        out.append(FollowUp(person_id=person_id, record_id=record_id, code=code, action=spec.action,
                            due_date=done_on + dt.timedelta(days=spec.days)))
    return out


@transaction.atomic
def checkup_record_result(*, actor: Any, record: CheckupRecord, done_on: dt.date, conclusion: str,
                          findings: list[tuple[str, str]] | list[str]) -> CheckupRecord:
    """Enter a result by hand: the summary and the coded findings (each with an optional detail).

    The findings replace those recorded before; each that needs one gets a follow-up.
    """
    _require_record(actor, record)
    pairs = [(f, "") if isinstance(f, str) else (f[0], f[1]) for f in findings]
    unknown = [code for code, _detail in pairs if code not in BY_CODE]
    if unknown:
        raise ValidationError({"findings": [_("无法识别的异常项：%(c)s") % {"c": "、".join(unknown)}]})
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": [_("体检日期不能晚于今天")]})
    if not conclusion.strip():
        raise ValidationError({"conclusion": [_("请填写总检结论")]})
    before = {**audit.snapshot(record, RECORD_FIELDS), "findings": sorted(record.findings.values_list("code", flat=True))}
    record.status, record.done_on, record.conclusion = CheckupStatus.DONE, done_on, conclusion.strip()
    record.save(update_fields=["status", "done_on", "conclusion", "updated_at"])
    record.findings.all().delete()
    CheckupFinding.objects.bulk_create([CheckupFinding(record=record, code=c, detail=d[:200]) for c, d in dict(pairs).items()])
    existing = set(FollowUp.objects.filter(record=record).values_list("record_id", "code"))
    FollowUp.objects.bulk_create(followup_rows(record.pk, record.person_id, done_on, dict(pairs), existing))
    audit.record(actor=actor, action="health.checkup.result", obj=record, person_id=record.person_id, before=before,
                 after={**audit.snapshot(record, RECORD_FIELDS), "findings": sorted(dict(pairs))})
    return record


# --- follow-ups -----------------------------------------------------------------------------


@transaction.atomic
def followup_update(*, actor: Any, followup: FollowUp, status: str, note: str = "",
                    due_date: dt.date | None = None) -> FollowUp:
    """Record progress on a follow-up, or close it (closing needs a note saying how it ended)."""
    require(actor, MANAGE, followup.person.unit.path, domain=HEALTH)
    if status not in FollowUpStatus.values:
        raise ValidationError({"status": [_("状态无效")]})
    before = {"status": followup.status, "note": followup.note, "due_date": followup.due_date}
    if status == FollowUpStatus.CLOSED and not (note or followup.note).strip():
        raise ValidationError({"note": [_("结束随访前请填写随访记录")]})
    followup.status = status
    if note:
        followup.note = note
    if due_date is not None:
        followup.due_date = due_date
    followup.closed_on = timezone.localdate() if status == FollowUpStatus.CLOSED else None
    followup.save()
    audit.record(actor=actor, action="health.followup.update", obj=followup, person_id=followup.person_id,
                 before=before, after={"status": followup.status, "note": followup.note, "due_date": followup.due_date})
    return followup


@transaction.atomic
def followup_refer(*, actor: Any, followup: FollowUp, hospital: PartnerHospital,
                   service: GreenChannelService | None = None, reason: str = "") -> Referral:
    """Refer the officer through the green channel in one step (care's referral_create)."""
    from jingying.care.choices_hospitals import ReferralSource
    from jingying.care.services.hospitals import referral_create

    require(actor, MANAGE, followup.person.unit.path, domain=HEALTH)
    if followup.status == FollowUpStatus.CLOSED:
        raise ValidationError(_("该随访已结束"))
    text = reason.strip() or _("体检发现：%(f)s") % {"f": followup.get_code_display()}
    referral = referral_create(actor=actor, person=followup.person, hospital=hospital, service=service, reason=text,
                               source=ReferralSource.CHECKUP, source_ref=f"FU{followup.pk}")
    followup.status, followup.referral = FollowUpStatus.REFERRED, referral
    followup.save(update_fields=["status", "referral"])
    audit.record(actor=actor, action="health.followup.refer", obj=followup, person_id=followup.person_id,
                 after={"referral_id": referral.pk})
    return referral


# --- reminders (a daily job: `jingying manage checkup_reminders` or the task) ----------------

REMIND_BEFORE_DAYS = 7


def followup_reminders(*, today: dt.date | None = None) -> dict[str, int]:
    """Run once a day. Officers hear a week before a follow-up falls due and the day after it
    becomes overdue; the medical liaisons covering them get one message per day listing how many
    of their people's follow-ups became overdue (no health details in the message itself)."""
    from django.urls import reverse

    from jingying.accounts.models import User
    from jingying.core.notifications import notify, users_covering

    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=REMIND_BEFORE_DAYS)
    overdue_day = today - dt.timedelta(days=1)
    rows = list(FollowUp.objects.filter(status=FollowUpStatus.OPEN, due_date__in=[soon, overdue_day])
                .values_list("person_id", "person__unit__path", "due_date"))
    accounts = {u.person_id: u for u in User.objects.filter(person_id__in={r[0] for r in rows}, is_active=True)}
    me_url = reverse("health:me")
    officers = 0
    for person_id, _path, due in rows:
        user = accounts.get(person_id)
        if user is None:
            continue
        title = (_("您有一项体检随访将于 %(d)s 到期") % {"d": due} if due == soon
                 else _("您有一项体检随访已到期，请尽快复查或就诊"))
        notify(users=[user], kind="health.followup", title=title, url=me_url)
        officers += 1
    per_user: dict[int, tuple[Any, int]] = {}
    covering: dict[str, list[Any]] = {}
    for _pid, path, due in rows:
        if due != overdue_day:
            continue
        if path not in covering:
            covering[path] = users_covering(MANAGE, path, domain=HEALTH)[:1] or []
        for user in covering[path]:
            held = per_user.get(user.pk)
            per_user[user.pk] = (user, (held[1] if held else 0) + 1)
    url = reverse("health:followup_list") + "?overdue=1"
    for user, n in per_user.values():
        notify(users=[user], kind="health.followup_overdue", title=_("%(n)d 项体检随访今日起逾期") % {"n": n}, url=url)
    return {"officers": officers, "liaisons": len(per_user)}
