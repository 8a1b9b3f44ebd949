"""Relief-fund services: donations, two-step approval, payment, reversal, refusals, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jingying.care.choices import EntryKind, GrantStatus
from jingying.care.models import Fund, LedgerEntry
from jingying.care.selectors import fund as selectors
from jingying.care.services import fund as services
from jingying.care.tests.factories_fund import approved_grant, fund_users, make_fund
from jingying.core.models import AuditEntry
from jingying.core.scoping import SYSTEM
from jingying.org.tests.factories import DependentFactory, PersonFactory, Tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    tree = Tree()
    users = fund_users(tree)
    fund = make_fund(tree.region, balance="10000.00")
    person = PersonFactory(unit=tree.station)
    return tree, users, fund, person


def test_donation_writes_entry_balance_and_audit(world):
    _tree, users, fund, _person = world
    entry = services.donation_record(actor=users["clerk"], fund=fund, donor="某商会", occurred_on=dt.date(2026, 3, 1),
                                     amount="250.50", note="春节慰问")
    fund.refresh_from_db()
    assert entry.kind == EntryKind.DONATION and entry.amount == Decimal("250.50")
    assert fund.balance == Decimal("10250.50") == entry.balance_after == selectors.ledger_total(fund)
    assert entry.seq == 2 and fund.last_seq == 2
    assert AuditEntry.objects.filter(action="care.ledger.donation", object_id=str(entry.pk)).exists()


@pytest.mark.parametrize(("amount", "message"), [("0", "大于 0"), ("-5", "大于 0"), ("1.234", "两位小数"),
                                            ("abc", "应为数字"), ("NaN", "应为数字"), ("1e13", "过大")])
def test_donation_bad_amounts_are_refused_in_chinese(world, amount, message):
    _tree, users, fund, _person = world
    with pytest.raises(ValidationError) as exc:
        services.donation_record(actor=users["clerk"], fund=fund, donor="x", occurred_on=dt.date(2026, 1, 1),
                                 amount=amount)
    assert message in str(exc.value)
    assert LedgerEntry.objects.count() == 1


def test_donation_needs_donor_and_date_not_in_future(world):
    _tree, users, fund, _person = world
    with pytest.raises(ValidationError) as exc:
        services.donation_record(actor=users["clerk"], fund=fund, donor=" ", occurred_on=None, amount="1")
    assert set(exc.value.message_dict) == {"donor", "occurred_on"}
    with pytest.raises(ValidationError):
        services.donation_record(actor=users["clerk"], fund=fund, donor="a", occurred_on=dt.date(2999, 1, 1), amount="1")


def test_float_money_is_a_programming_error(world):
    _tree, users, fund, _person = world
    with pytest.raises(TypeError):
        services.donation_record(actor=users["clerk"], fund=fund, donor="a", occurred_on=dt.date(2026, 1, 1),
                                 amount=1.5)


def test_fund_permissions_need_the_fund_domain(world):
    _tree, users, fund, person = world
    with pytest.raises(PermissionDenied):
        services.donation_record(actor=users["nodomain"], fund=fund, donor="a", occurred_on=dt.date(2026, 1, 1),
                                 amount="1")
    with pytest.raises(PermissionDenied):
        services.grant_request(actor=users["county"], fund=fund, person=person, reason="fallen", amount="1")
    assert selectors.fund_list(actor=users["nodomain"]).count() == 0
    assert selectors.fund_list(actor=users["clerk"]).count() == 1


def test_fund_create_is_audited(world):
    tree, users, _fund, _person = world
    fund = services.fund_create(actor=users["clerk"], unit=tree.city, name="市局抚恤基金")
    assert Fund.objects.filter(pk=fund.pk).exists()
    assert AuditEntry.objects.filter(action="care.fund.create").exists()


def test_two_step_approval_and_payment(world):
    _tree, users, fund, person = world
    dependent = DependentFactory(person=person, relation="spouse")
    grant = services.grant_request(actor=users["clerk"], fund=fund, person=person, dependent=dependent,
                                   reason="fallen", amount="3000.00", details="执行任务中牺牲")
    assert grant.status == GrantStatus.REQUESTED
    with pytest.raises(ValidationError, match="申请人不能审批"):
        services.grant_approve(actor=users["clerk"], grant=grant)
    services.grant_approve(actor=users["first"], grant=grant)
    with pytest.raises(ValidationError, match="初审人以外"):
        services.grant_approve(actor=users["first"], grant=grant)
    with pytest.raises(ValidationError, match="申请人不能审批"):
        services.grant_approve(actor=users["clerk"], grant=grant)
    with pytest.raises(ValidationError, match="复审通过"):
        services.grant_pay(actor=users["first"], grant=grant)
    services.grant_approve(actor=users["second"], grant=grant)
    grant.refresh_from_db()
    assert grant.status == GrantStatus.APPROVED and grant.second_approver == users["second"]
    with pytest.raises(ValidationError, match="不能审批"):
        services.grant_approve(actor=users["third"], grant=grant)
    entry = services.grant_pay(actor=users["third"], grant=grant)
    grant.refresh_from_db()
    fund.refresh_from_db()
    assert grant.status == GrantStatus.PAID and entry.grant == grant and entry.amount == Decimal("-3000.00")
    assert fund.balance == Decimal("7000.00") == selectors.ledger_total(fund)
    with pytest.raises(ValidationError):
        services.grant_pay(actor=users["third"], grant=grant)
    with pytest.raises(ValidationError, match="不能驳回"):
        services.grant_reject(actor=users["third"], grant=grant, reason="x")


def test_grant_request_validation(world):
    tree, users, fund, person = world
    other = PersonFactory(unit=tree.station)
    with pytest.raises(ValidationError) as exc:
        services.grant_request(actor=users["clerk"], fund=fund, person=person, dependent=DependentFactory(person=other),
                               reason="nonsense", amount="0")
    assert {"dependent", "amount", "reason"} <= set(exc.value.message_dict)


def test_rejection_at_any_step_needs_a_reason(world):
    _tree, users, fund, person = world
    for steps in range(3):
        grant = services.grant_request(actor=users["clerk"], fund=fund, person=person, reason="injured", amount="10")
        for approver in ("first", "second")[:steps]:
            services.grant_approve(actor=users[approver], grant=grant)
        with pytest.raises(ValidationError):
            services.grant_reject(actor=users["third"], grant=grant, reason=" ")
        services.grant_reject(actor=users["third"], grant=grant, reason="材料不全")
        grant.refresh_from_db()
        assert grant.status == GrantStatus.REJECTED and grant.rejection_reason == "材料不全"
        with pytest.raises(ValidationError):
            services.grant_approve(actor=users["first"], grant=grant)


def test_overdraft_is_refused_with_a_clear_message_and_writes_nothing(world):
    _tree, users, fund, person = world
    grant = approved_grant(fund, person, users, amount="10000.01")
    entries, audits = LedgerEntry.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.grant_pay(actor=users["third"], grant=grant)
    assert "基金余额不足" in str(exc.value) and "10,000.00" in str(exc.value)
    assert LedgerEntry.objects.count() == entries and AuditEntry.objects.count() == audits
    grant.refresh_from_db()
    fund.refresh_from_db()
    assert grant.status == GrantStatus.APPROVED and fund.balance == Decimal("10000.00")


def test_reversal_nets_to_zero_once_only(world):
    _tree, users, fund, person = world
    grant = approved_grant(fund, person, users, amount="400.00")
    paid = services.grant_pay(actor=users["third"], grant=grant)
    with pytest.raises(ValidationError):
        services.entry_reverse(actor=users["clerk"], entry=paid, reason="")
    reversal = services.entry_reverse(actor=users["clerk"], entry=paid, reason="银行退回")
    assert reversal.amount + paid.amount == 0 and reversal.reverses == paid
    grant.refresh_from_db()
    fund.refresh_from_db()
    assert grant.status == GrantStatus.REVERSED and fund.balance == Decimal("10000.00")
    with pytest.raises(ValidationError, match="已经冲正"):
        services.entry_reverse(actor=users["clerk"], entry=paid, reason="again")
    with pytest.raises(ValidationError, match="不能再冲正"):
        services.entry_reverse(actor=users["clerk"], entry=reversal, reason="again")


def test_reversing_a_donation_that_was_spent_is_refused(world):
    _tree, users, fund, person = world
    donation = LedgerEntry.objects.get(fund=fund, seq=1)
    services.grant_pay(actor=users["third"], grant=approved_grant(fund, person, users, amount="5000.00"))
    with pytest.raises(ValidationError, match="基金余额不足"):
        services.entry_reverse(actor=users["clerk"], entry=donation, reason="录错")


def test_entries_cannot_be_changed_or_deleted(world):
    _tree, _users, fund, _person = world
    entry = LedgerEntry.objects.get(fund=fund, seq=1)
    entry.amount = Decimal("1")
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(TypeError):
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("10000.00")


def test_reads_of_one_entry_or_grant_are_audited_and_scoped(world):
    tree, users, fund, person = world
    grant = approved_grant(fund, person, users)
    entry = LedgerEntry.objects.get(fund=fund, seq=1)
    selectors.access_entry(users["clerk"], entry.pk)
    selectors.access_grant(users["clerk"], grant.pk)
    assert AuditEntry.objects.filter(action="fund.read", object_id=str(grant.pk), person_id=person.pk).exists()
    assert AuditEntry.objects.filter(action="fund.read", object_id=str(entry.pk)).exists()
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.access_grant(users["nodomain"], grant.pk)
    # The county's fund holder sees grants for its own people only.
    outside = PersonFactory(unit=tree.other_station)
    approved_grant(fund, outside, users)
    assert list(selectors.grant_list(actor=users["county"])) == [grant]
    assert selectors.pending_count(actor=users["clerk"]) == 2


def test_statement_has_opening_entries_closing_and_totals(world):
    _tree, users, fund, person = world
    services.grant_pay(actor=users["third"], grant=approved_grant(fund, person, users, amount="1500.00"))
    year = LedgerEntry.objects.get(fund=fund, seq=1).booked_on.year
    st = selectors.fund_statement(actor=users["clerk"], fund=fund, year=year)
    assert st.opening == 0 and st.closing == Decimal("8500.00") and len(st.entries) == 2
    assert st.totals[EntryKind.DONATION] == Decimal("10000.00") and st.totals[EntryKind.GRANT] == Decimal("-1500.00")
    nxt = selectors.fund_statement(actor=users["clerk"], fund=fund, year=year + 1)
    assert nxt.opening == Decimal("8500.00") == nxt.closing and nxt.entries == []


def test_system_actor_cannot_approve(world):
    _tree, users, fund, person = world
    grant = services.grant_request(actor=users["clerk"], fund=fund, person=person, reason="injured", amount="1")
    with pytest.raises(ValidationError):
        services.grant_approve(actor=SYSTEM, grant=grant)
