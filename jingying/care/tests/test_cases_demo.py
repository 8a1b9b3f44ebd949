"""The demo loader (three years of concerns, field visits, care visits, plans) and a few edges."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from jingying.accounts.roles import Role
from jingying.care.demo_cases import load_demo_care_cases
from jingying.care.models import CareVisit, CareVisitTarget, Concern, ConcernEvent, FieldVisit
from jingying.care.selectors.concerns import my_concerns
from jingying.care.services import concerns as svc
from jingying.care.tests.factories_cases import make_concern, make_field_visit
from jingying.core.testing import login_client
from jingying.org.tests.factories import DependentFactory, PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


def test_demo_loader_is_realistic_deterministic_and_idempotent() -> None:
    t = Tree()
    people = [PersonFactory(unit=u) for u in (t.station, t.other_station) for _ in range(40)]
    DependentFactory(person=people[0], hardship=True)
    make_user("officer", role=Role.OFFICER, unit=t.station, person=people[1])
    started = time.monotonic()
    summary = load_demo_care_cases(seed=7)
    assert time.monotonic() - started < 10
    assert summary["concerns"] == Concern.objects.count() > 0
    assert not Concern.objects.filter(person=people[1]).exists()  # the walkthrough officer starts clean
    assert ConcernEvent.objects.filter(kind="raised").count() == Concern.objects.count()
    assert FieldVisit.objects.exists() and CareVisit.objects.exists()
    assert CareVisit.objects.filter(money__gt=0).exclude(approval="not_required").count() == \
        CareVisit.objects.filter(money__gt=0).count()
    assert Concern.objects.filter(rating__isnull=False, status__in=["resolved", "referred", "unsolvable"]).exists()
    assert CareVisitTarget.objects.count() == summary["targets"]
    oldest = Concern.objects.order_by("raised_at").first().raised_at
    assert oldest.date() >= timezone.localdate().replace(year=timezone.localdate().year - 3)
    assert load_demo_care_cases(seed=7) == {"concerns": 0}


def test_demo_loader_without_people_or_units() -> None:
    assert load_demo_care_cases(seed=1) == {"concerns": 0}
    Tree()
    assert load_demo_care_cases(seed=1) == {"concerns": 0}


def test_raise_for_another_unit_needs_handling_rights_there() -> None:
    t = Tree()
    person = PersonFactory(unit=t.station)
    county = make_user("county", role=Role.LEADER, unit=t.county)
    c = svc.concern_raise(actor=county, person=person, category="legal", title="被恶意投诉", unit=t.county)
    assert c.unit == t.county
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        svc.concern_raise(actor=county, person=person, category="legal", title="x", unit=t.other_county)


def test_escalation_skips_a_concern_closed_meanwhile() -> None:
    t = Tree()
    c = make_concern(PersonFactory(unit=t.station), status="resolved",
                     deadline=timezone.localdate() - dt.timedelta(days=1))
    assert svc._escalate_one(c.pk, timezone.localdate()) is False


def test_my_concerns_without_a_person_is_empty() -> None:
    assert not my_concerns(actor=make_user("noperson")).exists()


def test_api_concern_from_a_field_visit() -> None:
    t = Tree()
    person = PersonFactory(unit=t.station)
    visit = make_field_visit(t.station)
    client = login_client(make_user("county", role=Role.LEADER, unit=t.county))
    response = client.post(reverse("api:concern_list"), content_type="application/json",
                           data=json.dumps({"person": person.id_number, "category": "workload", "title": "值班多",
                                            "field_visit": visit.pk}))
    assert response.status_code == 201 and response.json()["field_visit_id"] == visit.pk
    assert response.json()["source"] == "field_visit"
    bad = client.post(reverse("api:concern_transition", kwargs={"concern_id": response.json()["id"]}),
                      content_type="application/json", data=json.dumps({"step": "reassign", "unit": "nowhere"}))
    assert bad.status_code == 422
