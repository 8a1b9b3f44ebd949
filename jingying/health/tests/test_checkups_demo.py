"""The demo loaders: hospitals per city, three years of checkups with realistic prevalence."""

from __future__ import annotations

import time

import pytest
from django.db.models import Count

from jingying.care.demo_hospitals import load_demo_hospitals
from jingying.care.models import PartnerHospital, Referral
from jingying.core.models import AuditEntry
from jingying.health.demo_checkups import load_demo_checkups
from jingying.health.models import CheckupFinding, CheckupPlan, CheckupRecord, FollowUp
from jingying.org.demo.generator import load_demo

pytestmark = pytest.mark.django_db


def test_demo_loaders_are_realistic_and_load_once() -> None:
    load_demo(people=1500, seed=7)
    started = time.perf_counter()
    assert load_demo_hospitals(seed=7)["hospitals"] >= 12
    summary = load_demo_checkups(seed=7)
    seconds = time.perf_counter() - started
    assert summary["plans"] == 36 and summary["records"] > 3000
    assert PartnerHospital.objects.filter(services__isnull=False).distinct().count() == PartnerHospital.objects.count()
    assert Referral.objects.filter(source="checkup").exists() and Referral.objects.filter(source="manual").exists()
    assert FollowUp.objects.filter(status="open").exists()
    done = CheckupRecord.objects.filter(status="done")
    rate = {row["code"]: row["n"] / done.count() for row in
            CheckupFinding.objects.values("code").annotate(n=Count("id")).order_by()}
    assert 0.2 < rate["DLP"] < 0.4 and 0.2 < rate["FLD"] < 0.4 and 0.02 < rate["DM"] < 0.1
    assert AuditEntry.objects.filter(action="health.read", actor_name="doctor").exists()
    assert load_demo_hospitals(seed=7) == {"hospitals": 0} and load_demo_checkups(seed=7) == {"plans": 0}
    assert CheckupPlan.objects.count() == 36
    assert seconds < 30
