"""The care-fund demo loader on a small tree: invariants hold, grants wait at each step, runs once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jingying.accounts.roles import Role
from jingying.care.choices import GrantStatus
from jingying.care.demo_fund import load_demo_care_fund
from jingying.care.models import EquipmentIssue, Fund, LedgerEntry, ReliefGrant, ScorecardEntry
from jingying.care.selectors.fund import ledger_total
from jingying.care.services import fund as services
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


def test_demo_fund_loads_once_and_keeps_the_invariants():
    tree = Tree()
    PersonFactory.create_batch(20, unit=tree.station)
    region = make_user("region", role=Role.POLITICAL, unit=tree.region, domains=["fund"])
    make_user("city", role=Role.POLITICAL, unit=tree.city)
    summary = load_demo_care_fund(seed=3)
    assert summary["entries"] > 30 and summary["equipment"] > 40 and summary["scorecards"] > 0
    fund = Fund.objects.get()
    rows = list(LedgerEntry.objects.filter(fund=fund).order_by("seq"))
    running = Decimal(0)
    for row in rows:
        running += row.amount
        assert row.balance_after == running >= 0
    assert fund.balance == running == ledger_total(fund) and fund.last_seq == len(rows)
    assert rows[-1].reverses == rows[-2] and rows[-1].amount == -rows[-2].amount
    assert EquipmentIssue.objects.filter(type__required=True).exists() and ScorecardEntry.objects.exists()
    # The region login can act on each waiting grant, and the ledger carries on from the demo.
    for status in (GrantStatus.FIRST_APPROVED, GrantStatus.REQUESTED):
        services.grant_approve(actor=region, grant=ReliefGrant.objects.get(status=status, paid_at__isnull=True))
    approved = ReliefGrant.objects.filter(status=GrantStatus.APPROVED).first()
    entry = services.grant_pay(actor=region, grant=approved)
    assert entry.seq == len(rows) + 1
    assert load_demo_care_fund(seed=3) == {}
