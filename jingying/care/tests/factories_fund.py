"""Objects for the relief-fund, scorecard and equipment tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from jingying.accounts.roles import Role
from jingying.care.models import EquipmentIssue, EquipmentType, Fund, ReliefGrant
from jingying.care.services import fund as fund_services
from jingying.core.scoping import SYSTEM
from jingying.org.models import Person, Unit
from jingying.org.tests.factories import make_user


def fund_users(tree: Any, prefix: str = "f") -> dict[str, Any]:
    """A requester and three approvers with the fund domain over the region, and one without it."""
    users = {name: make_user(f"{prefix}_{name}", role=Role.POLITICAL, unit=tree.region, domains=["fund"])
             for name in ("clerk", "first", "second", "third")}
    users["nodomain"] = make_user(f"{prefix}_nodomain", role=Role.POLITICAL, unit=tree.region)
    users["county"] = make_user(f"{prefix}_county", role=Role.POLITICAL, unit=tree.county, domains=["fund"])
    return users


def make_fund(unit: Unit, *, balance: Decimal | str = "0", name: str = "抚恤基金") -> Fund:
    fund = Fund.objects.create(unit=unit, name=name)
    if Decimal(balance) > 0:
        fund_services.donation_record(actor=SYSTEM, fund=fund, donor="爱心企业", occurred_on=dt.date(2026, 1, 5),
                                      amount=balance)
        fund.refresh_from_db()
    return fund


def make_grant(fund: Fund, person: Person, *, amount: str = "1000.00", status: str = "requested",
               requested_by: Any = None, **extra: Any) -> ReliefGrant:
    return ReliefGrant.objects.create(fund=fund, person=person, reason="injured", amount=Decimal(amount),
                                      status=status, requested_by=requested_by, **extra)


def approved_grant(fund: Fund, person: Person, users: dict[str, Any], amount: str = "1000.00") -> ReliefGrant:
    grant = fund_services.grant_request(actor=users["clerk"], fund=fund, person=person, reason="fallen", amount=amount)
    fund_services.grant_approve(actor=users["first"], grant=grant)
    return fund_services.grant_approve(actor=users["second"], grant=grant)


def make_type(name: str = "防刺服", months: int = 36, required: bool = True) -> EquipmentType:
    return EquipmentType.objects.get_or_create(name=name, defaults={"service_life_months": months,
                                                                    "required": required})[0]


def make_issue(person: Person, type_: EquipmentType, issued_on: dt.date, expires_on: dt.date | None = None,
               **extra: Any) -> EquipmentIssue:
    from jingying.care.services.equipment import add_months

    return EquipmentIssue.objects.create(person=person, type=type_, issued_on=issued_on,
                                         expires_on=expires_on or add_months(issued_on, type_.service_life_months),
                                         **extra)
