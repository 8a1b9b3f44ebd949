"""Two clerks paying at once (PostgreSQL): two approved grants that together would overdraw the
fund, paid from two threads at the same moment. Exactly one succeeds; the other is refused with
the overdraft message, and the balance is the fund minus one grant.

SQLite has no row locks (select_for_update is a no-op there and writers serialise on the whole
file), so this runs on PostgreSQL only:
    JINGYING_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/care_fund pytest jingying/care/tests/test_fund_concurrency.py
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from jingying.care.choices import GrantStatus
from jingying.care.models import Fund, LedgerEntry, ReliefGrant
from jingying.care.services import fund as services
from jingying.care.tests.factories_fund import approved_grant, fund_users, make_fund
from jingying.org.tests.factories import PersonFactory, Tree

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def _race(calls: list[Any]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_payments_that_would_overdraw_exactly_one_succeeds() -> None:
    tree = Tree()
    users = fund_users(tree)
    fund = make_fund(tree.region, balance="1000.00")
    person = PersonFactory(unit=tree.station)
    a = approved_grant(fund, person, users, amount="600.00")
    b = approved_grant(fund, person, users, amount="700.00")
    results = _race([lambda: services.grant_pay(actor=users["third"], grant=a),
                     lambda: services.grant_pay(actor=users["clerk"], grant=b)])
    ok = [r for r in results if isinstance(r, LedgerEntry)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(ok) == 1 and len(refused) == 1, results
    assert "基金余额不足" in str(refused[0])
    fund.refresh_from_db()
    assert fund.balance == Decimal("1000.00") + ok[0].amount >= 0
    assert LedgerEntry.objects.filter(fund=fund).count() == 2
    assert sorted(ReliefGrant.objects.values_list("status", flat=True)) == [GrantStatus.APPROVED, GrantStatus.PAID]


def test_two_second_approvals_at_once_only_one_moves_the_grant() -> None:
    tree = Tree()
    users = fund_users(tree, prefix="c")
    fund = make_fund(tree.region, balance="10.00")
    person = PersonFactory(unit=tree.station)
    grant = services.grant_request(actor=users["clerk"], fund=fund, person=person, reason="injured", amount="5")
    services.grant_approve(actor=users["first"], grant=grant)
    results = _race([lambda: services.grant_approve(actor=users["second"], grant=grant),
                     lambda: services.grant_approve(actor=users["third"], grant=grant)])
    assert sum(isinstance(r, ReliefGrant) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    grant.refresh_from_db()
    assert grant.status == GrantStatus.APPROVED


def test_the_same_grant_paid_twice_at_once_is_paid_once() -> None:
    tree = Tree()
    users = fund_users(tree, prefix="d")
    fund = make_fund(tree.region, balance="1000.00")
    grant = approved_grant(fund, PersonFactory(unit=tree.station), users, amount="100.00")
    results = _race([lambda: services.grant_pay(actor=users["third"], grant=grant),
                     lambda: services.grant_pay(actor=users["clerk"], grant=grant)])
    assert sum(isinstance(r, LedgerEntry) for r in results) == 1, results
    assert Fund.objects.get(pk=fund.pk).balance == Decimal("900.00")
