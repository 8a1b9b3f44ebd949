"""The relief-fund ledger invariants, proven on random sequences of operations (hypothesis).

For any sequence of donations, grant requests, approvals (by anyone, the requester included),
rejections, payments and reversals:
- the balance is never negative;
- the stored balance equals the sum of the ledger;
- no entry changes after it is written (every field of every entry seen so far is compared);
- a reversal nets its entry to zero and an entry is reversed at most once;
- a refused operation writes nothing (no entry, no grant change, no audit record).
Each example runs inside a savepoint that is rolled back, so examples do not see each other.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingying.care.choices import EntryKind
from jingying.care.models import Fund, LedgerEntry, ReliefGrant
from jingying.care.selectors.fund import ledger_total
from jingying.care.services import fund as services
from jingying.care.tests.factories_fund import fund_users
from jingying.core.models import AuditEntry
from jingying.org.tests.factories import PersonFactory, Tree

pytestmark = pytest.mark.django_db

cents = st.integers(min_value=1, max_value=200_000).map(lambda n: Decimal(n) / 100)
who = st.sampled_from(["clerk", "first", "second", "third"])
index = st.integers(min_value=0, max_value=20)
operation = st.one_of(
    st.tuples(st.just("donate"), cents),
    st.tuples(st.just("request"), cents),
    st.tuples(st.just("approve"), index, who),
    st.tuples(st.just("reject"), index, who),
    st.tuples(st.just("pay"), index, who),
    st.tuples(st.just("reverse"), index, who),
)


def _entry_fields(entry: LedgerEntry) -> tuple[Any, ...]:
    return (entry.fund_id, entry.seq, entry.kind, entry.amount, entry.balance_after, entry.booked_on,
            entry.occurred_on, entry.donor, entry.note, entry.grant_id, entry.reverses_id, entry.created_by_id)


def _state(fund: Fund) -> tuple[Any, ...]:
    grants = tuple(ReliefGrant.objects.filter(fund=fund).order_by("pk").values_list("pk", "status"))
    return LedgerEntry.objects.count(), grants, AuditEntry.objects.count(), Fund.objects.get(pk=fund.pk).balance


def _run(op: tuple[Any, ...], *, fund: Fund, person: Any, users: dict[str, Any]) -> None:
    grants = list(ReliefGrant.objects.filter(fund=fund).order_by("pk"))
    entries = list(LedgerEntry.objects.filter(fund=fund).order_by("seq"))
    kind = op[0]
    if kind == "donate":
        services.donation_record(actor=users["clerk"], fund=fund, donor="捐赠人", occurred_on=dt.date(2026, 1, 1),
                                 amount=op[1])
    elif kind == "request":
        services.grant_request(actor=users["clerk"], fund=fund, person=person, reason="fallen", amount=op[1])
    elif kind in ("approve", "reject", "pay") and grants:
        grant = grants[op[1] % len(grants)]
        actor = users[op[2]]
        if kind == "approve":
            services.grant_approve(actor=actor, grant=grant)
        elif kind == "reject":
            services.grant_reject(actor=actor, grant=grant, reason="不符合条件")
        else:
            services.grant_pay(actor=actor, grant=grant)
    elif kind == "reverse" and entries:
        services.entry_reverse(actor=users[op[2]], entry=entries[op[1] % len(entries)], reason="更正")


@pytest.fixture
def ledger_world(db: Any) -> dict[str, Any]:
    tree = Tree()
    users = fund_users(tree, prefix="p")
    return {"fund": Fund.objects.create(unit=tree.region, name="基金"), "person": PersonFactory(unit=tree.station),
            "users": users}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=1, max_size=25))
def test_ledger_invariants_hold_for_any_sequence(ledger_world: dict[str, Any], ops: list[tuple[Any, ...]]) -> None:
    fund, person, users = ledger_world["fund"], ledger_world["person"], ledger_world["users"]
    with transaction.atomic():
        seen: dict[int, tuple[Any, ...]] = {}
        for op in ops:
            before = _state(fund)
            try:
                _run(op, fund=fund, person=person, users=users)
            except ValidationError:
                assert _state(fund) == before, f"refused {op} wrote something"
            stored = Fund.objects.get(pk=fund.pk)
            # Summed exactly in Decimal, and as the screens sum it (in the database).
            total = sum(LedgerEntry.objects.filter(fund=fund).values_list("amount", flat=True), Decimal(0))
            assert stored.balance >= 0
            assert stored.balance == total == ledger_total(stored)
            rows = list(LedgerEntry.objects.filter(fund=fund).order_by("seq"))
            assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
            running = Decimal(0)
            for row in rows:
                running += row.amount
                assert row.balance_after == running >= 0
                if row.pk in seen:
                    assert _entry_fields(row) == seen[row.pk], f"entry #{row.seq} changed"
                seen[row.pk] = _entry_fields(row)
            for row in rows:
                if row.kind == EntryKind.REVERSAL:
                    assert row.reverses is not None and row.reverses.kind != EntryKind.REVERSAL
                    assert row.amount + row.reverses.amount == 0
            reversed_ids = [r.reverses_id for r in rows if r.reverses_id]
            assert len(reversed_ids) == len(set(reversed_ids))
            # A paid grant has exactly one payment entry; a grant never paid has none.
            for grant in ReliefGrant.objects.filter(fund=fund):
                payments = [r for r in rows if r.grant_id == grant.pk and r.kind == EntryKind.GRANT]
                assert len(payments) == (1 if grant.status in ("paid", "reversed") else 0)
                if payments:
                    assert payments[0].amount == -grant.amount
        transaction.set_rollback(True)
