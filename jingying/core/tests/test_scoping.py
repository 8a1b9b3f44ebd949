import pytest

from jingying.accounts.roles import Role
from jingying.core.scoping import restrict
from jingying.org.models import Person, Unit
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return Tree()


def test_county_grant_sees_only_its_subtree(tree):
    inside = PersonFactory(unit=tree.station)
    PersonFactory(unit=tree.other_station)
    user = make_user("county", role=Role.LEADER, unit=tree.county)
    assert list(restrict(Person.objects.all(), user, "org.view_person")) == [inside]
    units = set(restrict(Unit.objects.all(), user, "org.view_unit"))
    assert units == {tree.county, tree.station}


def test_officer_sees_only_self(tree):
    me = PersonFactory(unit=tree.station)
    PersonFactory(unit=tree.station)
    user = make_user("officer", role=Role.OFFICER, unit=tree.station, person=me)
    assert list(restrict(Person.objects.all(), user, "org.view_person")) == [me]


def test_system_admin_sees_units_but_no_people(tree):
    PersonFactory(unit=tree.station)
    user = make_user("sysadmin", role=Role.SYSADMIN, unit=tree.region)
    assert restrict(Person.objects.all(), user, "org.view_person").count() == 0
    assert restrict(Unit.objects.all(), user, "org.view_unit").count() == Unit.objects.count()


def test_no_grant_sees_nothing(tree):
    PersonFactory(unit=tree.station)
    user = make_user("nobody")
    assert restrict(Person.objects.all(), user, "org.view_person").count() == 0
