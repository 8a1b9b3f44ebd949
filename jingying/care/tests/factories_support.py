"""Builders for the care-support tests (rights, campaigns, childcare, insurance)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from jingying.care.models.campaigns import CareCampaign
from jingying.care.models.childcare import ChildcareProgramme
from jingying.care.models.insurance import InsuranceClaim, InsurancePolicy
from jingying.care.models.rights import RightsCase
from jingying.care.services import campaigns as campaign_services
from jingying.care.services import childcare as childcare_services
from jingying.care.services import insurance as insurance_services
from jingying.care.services import rights as rights_services
from jingying.core.scoping import SYSTEM
from jingying.org.models import Person, Unit
from jingying.org.tests.factories import PersonFactory


def today() -> dt.date:
    return timezone.localdate()


def make_case(unit: Unit, officers: list[Person] | None = None, *, place: str = "海东路路口", **extra: Any) -> RightsCase:
    officers = officers or [PersonFactory(unit=unit)]
    fields = {"incident_kind": "assault", "incident_date": today() - dt.timedelta(days=3), "place": place,
              "description": "执勤时被醉酒人员推搡殴打"}
    fields.update(extra)
    return rights_services.rights_case_create(actor=SYSTEM, unit=unit, officers=officers, **fields)


def make_campaign(unit: Unit, units: list[Unit] | None = None, *, name: str = "夏季治安打击整治行动",
                  **extra: Any) -> CareCampaign:
    fields = {"start": today() - dt.timedelta(days=10), "end": today() + dt.timedelta(days=20)}
    fields.update(extra)
    return campaign_services.care_campaign_create(actor=SYSTEM, unit=unit, name=name, units=units or [unit], **fields)


def make_programme(unit: Unit, *, name: str = "暑期托管班", capacity: int = 2, **extra: Any) -> ChildcareProgramme:
    fields = {"centre": "市局警营活动中心", "period": f"{today().year}年暑期", "start": today() + dt.timedelta(days=5),
              "end": today() + dt.timedelta(days=40), "capacity": capacity, "min_age": 4, "max_age": 12}
    fields.update(extra)
    return childcare_services.childcare_programme_create(actor=SYSTEM, unit=unit, name=name, **fields)


def make_policy(unit: Unit, *, number: str = "PICC-2026-0001", people: list[Person] | None = None,
                **extra: Any) -> InsurancePolicy:
    fields = {"insurer": "中国人民财产保险", "start": today() - dt.timedelta(days=100),
              "end": today() + dt.timedelta(days=265), "cover_per_person": Decimal("500000.00")}
    fields.update(extra)
    policy = insurance_services.insurance_policy_create(actor=SYSTEM, unit=unit, policy_number=number, **fields)
    if people:
        insurance_services._insure(SYSTEM, policy, people)
    return policy


def make_claim(policy: InsurancePolicy, person: Person, *, amount: str = "3200.50", **extra: Any) -> InsuranceClaim:
    fields = {"incident": "抓捕嫌疑人时右臂骨折", "incident_date": today() - dt.timedelta(days=5)}
    fields.update(extra)
    return insurance_services.insurance_claim_create(actor=SYSTEM, policy=policy, person=person,
                                                     amount_claimed=Decimal(amount), **fields)
