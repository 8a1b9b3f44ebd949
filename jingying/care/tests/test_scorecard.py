"""The six guarantees scorecard: computed, entered and rolled-up figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jingying.accounts.roles import Role
from jingying.care.choices import ScoreSource
from jingying.care.selectors import scorecard as selectors
from jingying.care.services import scorecard as services
from jingying.care.tests.factories_fund import make_issue, make_type
from jingying.core.models import AuditEntry
from jingying.org.models import Unit
from jingying.org.tests.factories import PersonFactory, Tree, make_unit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def sc():
    tree = Tree()
    political = make_user("sc_pol", role=Role.POLITICAL, unit=tree.region)
    leader = make_user("sc_leader", role=Role.LEADER, unit=tree.county)
    return tree, political, leader


def _cell(row, g):
    return next(c for c in row.cells if c.guarantee == g)


def test_enter_validates_and_audits(sc):
    tree, political, leader = sc
    with pytest.raises(PermissionDenied):
        services.scorecard_enter(actor=leader, unit=tree.station, year=2025, guarantee="living", score=90, note="x")
    with pytest.raises(ValidationError) as exc:
        services.scorecard_enter(actor=political, unit=tree.station, year=1900, guarantee="nope", score=120, note="")
    assert set(exc.value.message_dict) == {"guarantee", "score", "note", "year"}
    with pytest.raises(ValidationError):
        services.scorecard_enter(actor=political, unit=tree.station, year=2025, guarantee="living", score="abc",
                                 note="x")
    entry = services.scorecard_enter(actor=political, unit=tree.station, year=2025, guarantee="living",
                                     score="88.25", note="食堂、宿舍达标")
    again = services.scorecard_enter(actor=political, unit=tree.station, year=2025, guarantee="living", score=91,
                                     note="复核")
    assert entry.pk == again.pk and again.score == Decimal("91.0")
    assert AuditEntry.objects.filter(action="care.scorecard.enter").count() == 2


def test_roll_up_is_weighted_by_head_count(sc):
    tree, political, leader = sc
    second = make_unit(tree.county, "150102002", "新城区分局第二派出所")
    for _ in range(3):
        PersonFactory(unit=tree.station)
    PersonFactory(unit=second)
    services.scorecard_enter(actor=political, unit=tree.station, year=2025, guarantee="living", score=80, note="a")
    services.scorecard_enter(actor=political, unit=second, year=2025, guarantee="living", score=100, note="b")
    services.scorecard_enter(actor=political, unit=second, year=2025, guarantee="activity", score=60, note="c")
    rows = selectors.scorecard(actor=leader, root=tree.county, year=2025, today=dt.date(2026, 1, 1))
    county, station, other = rows
    assert county.unit == tree.county and county.headcount == 4
    living = _cell(county, "living")
    assert living.source == ScoreSource.ROLLED_UP and living.value == Decimal("85.0")  # (3×80 + 1×100) / 4
    assert _cell(station, "living").source == ScoreSource.ENTERED and _cell(station, "living").note == "a"
    assert _cell(station, "activity").source == ScoreSource.MISSING
    assert _cell(county, "activity").value == Decimal("60.0")
    assert other.overall == Decimal("80.0")
    # An entry on the parent itself wins over its children's roll-up.
    services.scorecard_enter(actor=political, unit=tree.county, year=2025, guarantee="living", score=70, note="d")
    rows = selectors.scorecard(actor=leader, root=tree.county, year=2025)
    assert _cell(rows[0], "living").value == Decimal("70.0")


def test_equipment_is_computed_from_issues_and_falls_back(sc):
    tree, political, leader = sc
    a, b = PersonFactory(unit=tree.station), PersonFactory(unit=tree.station)
    services.scorecard_enter(actor=political, unit=tree.station, year=2025, guarantee="equipment", score=50, note="x")
    rows = selectors.scorecard(actor=leader, root=tree.station, year=2025)
    assert _cell(rows[0], "equipment").source == ScoreSource.ENTERED  # no required type yet
    vest = make_type()
    make_issue(a, vest, dt.date(2024, 1, 1))
    make_issue(b, vest, dt.date(2020, 1, 1))  # expired by 2025
    rows = selectors.scorecard(actor=leader, root=tree.station, year=2025, today=dt.date(2026, 1, 10))
    cell = _cell(rows[0], "equipment")
    assert cell.source == ScoreSource.COMPUTED and cell.value == Decimal("50.0") and cell.detail == "1/2"


def test_health_reads_the_health_selector_when_there(sc, monkeypatch):
    tree, political, leader = sc
    PersonFactory(unit=tree.station)
    monkeypatch.setattr(selectors, "health_completion", lambda *, unit_path, year: (3, 4))
    cell = _cell(selectors.scorecard(actor=leader, root=tree.station, year=2025)[0], "health")
    assert cell.source == ScoreSource.COMPUTED and cell.value == Decimal("75.0")
    monkeypatch.setattr(selectors, "health_completion", lambda *, unit_path, year: None)
    services.scorecard_enter(actor=political, unit=tree.station, year=2025, guarantee="health", score=66, note="x")
    cell = _cell(selectors.scorecard(actor=leader, root=tree.station, year=2025)[0], "health")
    assert cell.source == ScoreSource.ENTERED


def test_health_is_computed_from_real_checkups(sc):
    """The health guarantee of a unit is its checkup completion (health app), shown as computed."""
    from jingying.core.scoping import SYSTEM
    from jingying.health.services.checkups import checkup_record_result
    from jingying.health.tests.factories_checkups import make_hospital, make_plan

    tree, _political, leader = sc
    PersonFactory.create_batch(4, unit=tree.station)
    plan = make_plan(tree.county, make_hospital(tree.county), year=2025)
    records = list(plan.records.order_by("id"))
    assert len(records) == 4
    for record in records[:3]:
        checkup_record_result(actor=SYSTEM, record=record, done_on=dt.date(2025, 5, 6), conclusion="未见异常", findings=[])
    assert selectors.health_completion(unit_path=tree.station.path, year=2025) == (3, 4)
    cell = _cell(selectors.scorecard(actor=leader, root=tree.station, year=2025)[0], "health")
    assert cell.source == ScoreSource.COMPUTED and cell.value == Decimal("75.0") and cell.detail == "3/4"


def test_scorecard_children_are_scoped(sc):
    tree, _political, leader = sc
    rows = selectors.scorecard(actor=leader, root=tree.county, year=2025)
    assert [r.unit for r in rows] == [tree.county, tree.station]
    assert Unit.objects.count() > 2
