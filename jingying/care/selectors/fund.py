"""Every read of the relief fund (style rule 3): scoped to the `fund` domain; opening one entry
or one grant is itself audited (record_read), lists are not (they show no more than the ledger
line)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from jingying.care.choices import EntryKind, GrantStatus
from jingying.care.models import Fund, LedgerEntry, ReliefGrant
from jingying.core import audit
from jingying.core.scoping import access, restrict

DOMAIN = "fund"
ZERO = Decimal("0.00")


def fund_list(*, actor: Any) -> QuerySet[Fund]:
    return restrict(Fund.objects.select_related("unit"), actor, "care.view_fund", domain=DOMAIN).order_by("unit__path")


def access_fund(actor: Any, pk: Any, *, perm: str = "care.view_fund") -> Fund:
    return access(Fund.objects.select_related("unit"), actor, perm, pk, domain=DOMAIN)


def entry_list(*, actor: Any, fund: Fund | None = None, year: int | None = None, kind: str = "") -> QuerySet[LedgerEntry]:
    qs = restrict(LedgerEntry.objects.select_related("fund", "grant__person", "reverses", "reversed_by"),
                  actor, "care.view_fund", domain=DOMAIN)
    if fund is not None:
        qs = qs.filter(fund=fund)
    if year:
        qs = qs.filter(booked_on__year=year)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-booked_on", "-seq", "-id")


def access_entry(actor: Any, pk: Any, *, perm: str = "care.view_fund", reason: str = "") -> LedgerEntry:
    entry = access(LedgerEntry.objects.select_related("fund__unit", "grant__person", "reverses", "created_by"),
                   actor, perm, pk, domain=DOMAIN)
    audit.record_read(actor=actor, obj=entry, person_id=entry.grant.person_id if entry.grant else None,
                      domain=DOMAIN, reason=reason)
    return entry


def grant_list(*, actor: Any, status: str = "", fund: Fund | None = None, q: str = "") -> QuerySet[ReliefGrant]:
    qs = restrict(ReliefGrant.objects.select_related("fund", "person__unit", "dependent", "requested_by"),
                  actor, "care.view_fund", domain=DOMAIN)
    if status:
        qs = qs.filter(status=status)
    if fund is not None:
        qs = qs.filter(fund=fund)
    if q:
        qs = qs.filter(person__name__contains=q.strip())
    return qs.order_by("-requested_at", "-id")


def access_grant(actor: Any, pk: Any, *, perm: str = "care.view_fund", reason: str = "") -> ReliefGrant:
    grant = access(ReliefGrant.objects.select_related(
        "fund__unit", "person__unit", "dependent", "requested_by", "first_approver", "second_approver", "paid_by",
        "rejected_by"), actor, perm, pk, domain=DOMAIN)
    audit.record_read(actor=actor, obj=grant, person_id=grant.person_id, domain=DOMAIN, reason=reason)
    return grant


def pending_count(*, actor: Any) -> int:
    return grant_list(actor=actor).filter(
        status__in=[GrantStatus.REQUESTED, GrantStatus.FIRST_APPROVED, GrantStatus.APPROVED]).count()


def _cents(value: Any) -> Decimal:
    # SQLite sums NUMERIC columns in floating point (0.1 + 0.2 ≠ 0.3); every amount has two
    # places and far fewer than 15 digits, so rounding the sum to the cent gives the exact total.
    return Decimal(value or 0).quantize(ZERO)


def ledger_total(fund: Fund) -> Decimal:
    """The sum of every entry; equals `fund.balance` (the invariant the tests prove)."""
    return _cents(LedgerEntry.objects.filter(fund=fund).aggregate(s=Sum("amount"))["s"])


@dataclass
class Statement:
    """A year of the ledger: opening balance, every entry, closing balance, totals by kind."""

    fund: Fund
    year: int
    opening: Decimal
    entries: list[LedgerEntry]
    closing: Decimal
    totals: dict[str, Decimal] = field(default_factory=dict)
    income: Decimal = ZERO
    outgoing: Decimal = ZERO


def fund_statement(*, actor: Any, fund: Fund, year: int) -> Statement:
    """Three queries: the sum before the year, the year's entries, nothing per row."""
    entries = restrict(LedgerEntry.objects.filter(fund=fund), actor, "care.view_fund", domain=DOMAIN)
    opening = _cents(entries.filter(booked_on__lt=dt.date(year, 1, 1)).aggregate(s=Sum("amount"))["s"])
    rows = list(entries.filter(booked_on__year=year).select_related("grant__person", "reverses").order_by("seq"))
    totals = {kind.value: ZERO for kind in EntryKind}
    for row in rows:
        totals[row.kind] += row.amount
    closing = opening + sum((r.amount for r in rows), ZERO)
    income = sum((r.amount for r in rows if r.amount > 0), ZERO)
    outgoing = sum((-r.amount for r in rows if r.amount < 0), ZERO)
    return Statement(fund=fund, year=year, opening=opening, entries=rows, closing=closing, totals=totals,
                     income=income, outgoing=outgoing)
