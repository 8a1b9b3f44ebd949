"""Every write to the relief fund (style rule 2).

Money moves only here, always in the same order: lock the fund row (select_for_update), read
the balance again inside the transaction, check, write the ledger entry and the new balance,
audit. Two clerks paying at once therefore queue on the fund row and the second sees the first
one's balance; a payment that would overdraw is refused and writes nothing (the transaction is
rolled back, audit record included). Ledger entries are never changed: a correction is a
reversing entry naming the entry it reverses.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.care.choices import EntryKind, GrantStatus
from jingying.care.models import Fund, LedgerEntry, ReliefGrant
from jingying.core import audit
from jingying.core.scoping import require
from jingying.org.models import Dependent, Person, Unit

DOMAIN = "fund"
CENT = Decimal("0.01")
GRANT_FIELDS = ["fund_id", "person_id", "dependent_id", "reason", "details", "amount", "status"]


def _money(value: Any, field: str = "amount") -> Decimal:
    """A positive amount with at most two decimal places (never a float)."""
    if isinstance(value, float):
        raise TypeError("money must be Decimal or str, never float")
    try:
        amount = Decimal(str(value))
    except Exception:
        raise ValidationError({field: [_("金额应为数字")]}) from None
    if not amount.is_finite():
        raise ValidationError({field: [_("金额应为数字")]})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: [_("金额最多保留两位小数")]})
    if amount <= 0:
        raise ValidationError({field: [_("金额必须大于 0")]})
    if amount >= Decimal("1e12"):
        raise ValidationError({field: [_("金额过大")]})
    return amount.quantize(CENT)


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def _lock_fund(fund: Fund) -> Fund:
    return Fund.objects.select_for_update(of=("self",)).get(pk=fund.pk)


def _append(*, actor: Any, fund: Fund, kind: str, amount: Decimal, occurred_on: Any = None, donor: str = "",
            note: str = "", grant: ReliefGrant | None = None, reverses: LedgerEntry | None = None) -> LedgerEntry:
    """Write one entry on a fund the caller has locked; refuse an overdraft."""
    new_balance = fund.balance + amount
    if new_balance < 0:
        raise ValidationError(
            _("基金余额不足：当前余额 %(balance)s 元，本次支出 %(amount)s 元，支出后将为负数，不能办理。")
            % {"balance": _yuan(fund.balance), "amount": _yuan(-amount)}
        )
    today = timezone.localdate()
    entry = LedgerEntry(fund=fund, seq=fund.last_seq + 1, kind=kind, amount=amount, balance_after=new_balance,
                        booked_on=today, occurred_on=occurred_on or today, donor=donor, note=note, grant=grant,
                        reverses=reverses, created_by=actor if getattr(actor, "pk", None) else None)
    entry.full_clean(exclude=["fund", "grant", "reverses", "created_by"])
    entry.save()
    Fund.objects.filter(pk=fund.pk).update(balance=new_balance, last_seq=entry.seq)
    fund.balance, fund.last_seq = new_balance, entry.seq
    audit.record(actor=actor, action=f"care.ledger.{kind}", obj=entry,
                 after={"fund": fund.pk, "seq": entry.seq, "kind": kind, "amount": str(amount),
                        "balance_after": str(new_balance), "reverses": reverses.pk if reverses else None,
                        "grant": grant.pk if grant else None})
    return entry


# --- the fund ------------------------------------------------------------------------------


@transaction.atomic
def fund_create(*, actor: Any, unit: Unit, name: str) -> Fund:
    require(actor, "care.manage_fund", unit.path, domain=DOMAIN)
    fund = Fund(unit=unit, name=name)
    fund.full_clean()
    fund.save()
    audit.record(actor=actor, action="care.fund.create", obj=fund, after={"unit": unit.pk, "name": name})
    return fund


@transaction.atomic
def donation_record(*, actor: Any, fund: Fund, donor: str, occurred_on: Any, amount: Any, note: str = "") -> LedgerEntry:
    """A donation received (捐赠): who gave, when, how much."""
    require(actor, "care.add_donation", fund.unit.path, domain=DOMAIN)
    donor = (donor or "").strip()
    errors: dict[str, list[str]] = {}
    if not donor:
        errors["donor"] = [_("请填写捐赠人或捐赠单位")]
    if occurred_on is None:
        errors["occurred_on"] = [_("请填写捐赠日期")]
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = [_("捐赠日期不能晚于今天")]
    try:
        value = _money(amount)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    fund = _lock_fund(fund)
    return _append(actor=actor, fund=fund, kind=EntryKind.DONATION, amount=value, occurred_on=occurred_on,
                   donor=donor, note=note.strip())


@transaction.atomic
def entry_reverse(*, actor: Any, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Correct an entry by writing its opposite; an entry is reversed at most once, a reversal
    never, and a reversal that would overdraw the fund is refused like any payment."""
    require(actor, "care.reverse_entry", entry.fund.unit.path, domain=DOMAIN)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写冲正原因")]})
    fund = _lock_fund(entry.fund)
    entry = LedgerEntry.objects.select_related("grant").get(pk=entry.pk)
    if entry.kind == EntryKind.REVERSAL:
        raise ValidationError(_("冲正流水不能再冲正。"))
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise ValidationError(_("流水 #%(seq)s 已经冲正过，不能重复冲正。") % {"seq": entry.seq})
    reversal = _append(actor=actor, fund=fund, kind=EntryKind.REVERSAL, amount=-entry.amount,
                       note=(_("冲正 #%(seq)s：%(reason)s") % {"seq": entry.seq, "reason": reason})[:300],
                       reverses=entry, grant=entry.grant)
    if entry.grant is not None and entry.grant.status == GrantStatus.PAID:
        ReliefGrant.objects.filter(pk=entry.grant.pk).update(status=GrantStatus.REVERSED)
        audit.record(actor=actor, action="care.grant.reverse", obj=entry.grant, person_id=entry.grant.person_id,
                     before={"status": GrantStatus.PAID}, after={"status": GrantStatus.REVERSED}, reason=reason)
    return reversal


# --- grants --------------------------------------------------------------------------------


@transaction.atomic
def grant_request(*, actor: Any, fund: Fund, person: Person, reason: str, amount: Any,
                  dependent: Dependent | None = None, details: str = "") -> ReliefGrant:
    require(actor, "care.request_grant", fund.unit.path, domain=DOMAIN)
    require(actor, "care.request_grant", person.unit.path, domain=DOMAIN)
    errors: dict[str, list[str]] = {}
    try:
        value = _money(amount)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        value = Decimal("0.01")
    if dependent is not None and dependent.person_id != person.pk:
        errors["dependent"] = [_("领取家属必须是该民警的家属")]
    grant = ReliefGrant(fund=fund, person=person, dependent=dependent, reason=reason, amount=value,
                        details=(details or "").strip(), requested_by=actor if getattr(actor, "pk", None) else None)
    try:
        grant.full_clean(exclude=["requested_by", *errors])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    grant.save()
    audit.record(actor=actor, action="care.grant.request", obj=grant, person_id=person.pk,
                 after=audit.snapshot(grant, GRANT_FIELDS))
    return grant


def _lock_grant(grant: ReliefGrant) -> ReliefGrant:
    return ReliefGrant.objects.select_for_update(of=("self",)).select_related("fund__unit", "person__unit").get(pk=grant.pk)


def _same(actor: Any, user_id: int | None) -> bool:
    return user_id is None or getattr(actor, "pk", None) is None or actor.pk == user_id


@transaction.atomic
def grant_approve(*, actor: Any, grant: ReliefGrant) -> ReliefGrant:
    """First or second approval, by whoever holds `care.approve_grant`: never the requester, and
    the second approver is not the first. The grant row is locked and its status read again, so
    two approvers clicking at once cannot both move it."""
    require(actor, "care.approve_grant", grant.person.unit.path, domain=DOMAIN)
    grant = _lock_grant(grant)
    before = grant.status
    now = timezone.now()
    if _same(actor, grant.requested_by_id):
        raise ValidationError(_("申请人不能审批自己提出的申请。"))
    if grant.status == GrantStatus.REQUESTED:
        grant.status, grant.first_approver, grant.first_approved_at = GrantStatus.FIRST_APPROVED, actor, now
    elif grant.status == GrantStatus.FIRST_APPROVED:
        if _same(actor, grant.first_approver_id):
            raise ValidationError(_("复审须由初审人以外的另一人办理。"))
        grant.status, grant.second_approver, grant.second_approved_at = GrantStatus.APPROVED, actor, now
    else:
        raise ValidationError(_("该申请当前状态为“%(status)s”，不能审批。") % {"status": grant.get_status_display()})
    grant.save(update_fields=["status", "first_approver", "first_approved_at", "second_approver", "second_approved_at"])
    audit.record(actor=actor, action="care.grant.approve", obj=grant, person_id=grant.person_id,
                 before={"status": before}, after={"status": grant.status})
    return grant


@transaction.atomic
def grant_reject(*, actor: Any, grant: ReliefGrant, reason: str) -> ReliefGrant:
    require(actor, "care.approve_grant", grant.person.unit.path, domain=DOMAIN)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写驳回理由")]})
    grant = _lock_grant(grant)
    if grant.status not in (GrantStatus.REQUESTED, GrantStatus.FIRST_APPROVED, GrantStatus.APPROVED):
        raise ValidationError(_("该申请当前状态为“%(status)s”，不能驳回。") % {"status": grant.get_status_display()})
    before = grant.status
    grant.status, grant.rejected_by, grant.rejected_at = GrantStatus.REJECTED, actor if actor.pk else None, timezone.now()
    grant.rejection_reason = reason[:300]
    grant.save(update_fields=["status", "rejected_by", "rejected_at", "rejection_reason"])
    audit.record(actor=actor, action="care.grant.reject", obj=grant, person_id=grant.person_id,
                 before={"status": before}, after={"status": grant.status}, reason=reason)
    return grant


@transaction.atomic
def grant_pay(*, actor: Any, grant: ReliefGrant) -> LedgerEntry:
    """Pay an approved grant: the fund row first (the lock every payment takes), then the grant;
    both re-read inside the transaction, so of two payments that together would overdraw
    exactly one succeeds."""
    require(actor, "care.pay_grant", grant.fund.unit.path, domain=DOMAIN)
    require(actor, "care.pay_grant", grant.person.unit.path, domain=DOMAIN)
    fund = _lock_fund(grant.fund)
    grant = _lock_grant(grant)
    if grant.status != GrantStatus.APPROVED:
        raise ValidationError(_("该申请当前状态为“%(status)s”，只有复审通过的申请才能拨付。")
                              % {"status": grant.get_status_display()})
    if fund.balance < grant.amount:
        raise ValidationError(
            _("基金余额不足：当前余额 %(balance)s 元，本次拨付 %(amount)s 元，不能拨付。")
            % {"balance": _yuan(fund.balance), "amount": _yuan(grant.amount)}
        )
    entry = _append(actor=actor, fund=fund, kind=EntryKind.GRANT, amount=-grant.amount, grant=grant,
                    note=_("抚恤 %(name)s（%(reason)s）") % {"name": grant.person.name,
                                                           "reason": grant.get_reason_display()})
    grant.status, grant.paid_by, grant.paid_at = GrantStatus.PAID, actor if actor.pk else None, timezone.now()
    grant.save(update_fields=["status", "paid_by", "paid_at"])
    audit.record(actor=actor, action="care.grant.pay", obj=grant, person_id=grant.person_id,
                 before={"status": GrantStatus.APPROVED}, after={"status": GrantStatus.PAID, "entry": entry.pk})
    return entry
