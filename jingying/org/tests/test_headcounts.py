"""Unit head counts (one GROUP BY per unit, rolled up in Python) against a brute-force count."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from jingying.accounts.roles import Role
from jingying.org import selectors
from jingying.org.choices import SERVING_STATUSES, PersonStatus, UnitKind
from jingying.org.models import Person, Unit
from jingying.org.tests.factories import PersonFactory, Tree, make_unit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> Tree:
    return Tree()


def _brute_force(unit: Unit) -> int:
    """Every person, one by one: serving, and in the unit or below it by walking up the parents."""
    by_id = {u.pk: u for u in Unit.objects.all()}
    total = 0
    for person in Person.objects.all():
        if person.status not in SERVING_STATUSES:
            continue
        node: Unit | None = by_id[person.unit_id]
        while node is not None:
            if node.pk == unit.pk:
                total += 1
                break
            node = by_id.get(node.parent_id) if node.parent_id else None
    return total


def test_headcounts_equal_a_brute_force_count_on_every_unit(tree: Tree, django_assert_num_queries: Any) -> None:
    # A post under the station, and a unit whose path is a string prefix of no sibling's.
    post = make_unit(tree.station, "150102001001", "海东路派出所第一警务室", UnitKind.POST, "第一警务室")
    units = [tree.region, tree.region_pd, tree.city, tree.county, tree.station, post, tree.other_city,
             tree.other_county, tree.other_station]
    statuses = [PersonStatus.ACTIVE, PersonStatus.SECONDED, PersonStatus.RETIRED, PersonStatus.LEFT]
    for i, (unit, status) in enumerate(zip(itertools.cycle(units), itertools.cycle(statuses))):
        if i >= 40:
            break
        PersonFactory(unit=unit, status=status)
    admin = make_user("admin", role=Role.LEADER, unit=tree.region)
    for unit in units:
        unit.refresh_from_db()
    # All units at once, of mixed depths nested inside one another: still one query.
    with django_assert_num_queries(1):
        counts = selectors.unit_headcounts(actor=admin, units=units)
    assert counts == {u.pk: _brute_force(u) for u in units}
    assert counts[tree.region.pk] == Person.objects.filter(status__in=SERVING_STATUSES).count()
    assert counts[post.pk] > 0 and counts[tree.station.pk] > counts[post.pk]
    # A subset (siblings only) gives the same numbers for them.
    some = [tree.county, tree.other_county]
    assert selectors.unit_headcounts(actor=admin, units=some) == {u.pk: counts[u.pk] for u in some}
    assert selectors.unit_headcounts(actor=admin, units=[]) == {}
