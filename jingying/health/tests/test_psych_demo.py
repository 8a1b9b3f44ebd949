"""The demo loader: three annual screenings with realistic prevalence, alerts, counsellors, bookings."""

from __future__ import annotations

import pytest

from jingying.accounts.roles import Role
from jingying.health.demo_psych import load_demo_health_psych
from jingying.health.models import (
    AvailabilitySlot,
    CounsellingSession,
    Counsellor,
    CrisisAlert,
    ScreeningResult,
    ScreeningRound,
)
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


def test_demo_loader() -> None:
    tree = Tree()
    people = [PersonFactory(unit=unit) for unit in (tree.station, tree.other_station) for _i in range(150)]
    make_user("officer", role=Role.OFFICER, unit=tree.station, person=people[0])
    make_user("counsellor", role=Role.COUNSELLOR, unit=tree.region, person=people[1], domains=["psych"])
    summary = load_demo_health_psych(seed=7)
    assert summary["rounds"] == 3 and ScreeningRound.objects.count() == 3
    current = ScreeningRound.objects.order_by("-opens_at").first()
    assert current is not None and current.is_open()
    past = ScreeningResult.objects.exclude(round=current)
    total = past.count()
    assert 0.75 * 600 < total <= 600
    phq10 = sum(1 for r in past if r.scores["PHQ-9"]["total"] >= 10)
    assert 0.05 < phq10 / total < 0.2
    assert not ScreeningResult.objects.filter(person=people[0]).exists()  # the officer takes it in the demo
    assert CrisisAlert.objects.filter(status="open").count() <= 1
    assert not CrisisAlert.objects.exclude(result__round=current).exclude(status="closed").exists()
    assert Counsellor.objects.filter(is_head=True, user__username="counsellor").exists()
    assert Counsellor.objects.filter(languages__icontains="mn").exists()
    assert AvailabilitySlot.objects.filter(booked=False).exists()
    assert CounsellingSession.objects.count() > 100
    assert load_demo_health_psych(seed=7) == {"rounds": 0}  # idempotent
