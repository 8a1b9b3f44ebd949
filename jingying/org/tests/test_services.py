import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jingying.accounts.roles import Role
from jingying.core.models import AuditEntry
from jingying.org import idnumber, services
from jingying.org.choices import HistoryField, Rank, UnitKind
from jingying.org.models import Person, PersonHistory, Unit
from jingying.org.tests.factories import PersonFactory, Tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return Tree()


@pytest.fixture
def political(tree):
    return make_user("pd", role=Role.POLITICAL, unit=tree.city)


def test_person_create_validates_id_against_birth_and_gender(tree, political):
    number = idnumber.make("150102", dt.date(1985, 3, 12), 11)
    with pytest.raises(ValidationError) as exc:
        services.person_create(actor=political, unit=tree.station, name="张三", gender="2",
                               birth_date=dt.date(1985, 3, 13), id_number=number)
    assert "birth_date" in exc.value.message_dict
    assert "gender" in exc.value.message_dict
    assert not Person.objects.exists()


def test_person_create_normalises_and_audits(tree, political):
    # A female number whose check character is X, typed with a lowercase x.
    number = next(n for seq in range(0, 1000, 2) if (n := idnumber.make("150102", dt.date(1990, 1, 1), seq)).endswith("X"))
    person = services.person_create(actor=political, unit=tree.station, name="李四", gender="2",
                                    birth_date=dt.date(1990, 1, 1), id_number=number.lower())
    assert person.id_number == number.upper()
    entry = AuditEntry.objects.get(action="org.person.create")
    assert entry.person_id == person.pk
    assert entry.actor_id == political.pk


def test_person_create_outside_scope_is_refused(tree, political):
    with pytest.raises(PermissionDenied):
        services.person_create(actor=political, unit=tree.other_station, name="王五", gender="1",
                               birth_date=dt.date(1990, 1, 1), id_number=idnumber.make("150202", dt.date(1990, 1, 1), 21))


def test_person_update_records_history_for_unit_and_rank(tree, political):
    person = PersonFactory(unit=tree.station, rank=Rank.JINGSI_2)
    services.person_update(actor=political, person=person, unit=tree.county, rank=Rank.JINGSI_1, phone="13800000000")
    rows = {h.field: h for h in PersonHistory.objects.filter(person=person)}
    assert set(rows) == {HistoryField.UNIT, HistoryField.RANK}
    assert rows[HistoryField.RANK].old_value == "二级警司"
    assert rows[HistoryField.RANK].new_value == "一级警司"
    assert rows[HistoryField.UNIT].new_value == tree.county.name


def test_person_update_without_change_writes_nothing(tree, political):
    person = PersonFactory(unit=tree.station)
    before = AuditEntry.objects.count()
    services.person_update(actor=political, person=person, name=person.name)
    assert AuditEntry.objects.count() == before


def test_unit_move_moves_the_subtree(tree):
    admin = make_user("sys", role=Role.SYSADMIN, unit=tree.region)
    post = services.unit_create(actor=admin, parent=tree.station, code="150102001001", name="海东路派出所一号警务室", kind=UnitKind.POST)
    services.unit_move(actor=admin, unit=tree.county, new_parent=tree.other_city)
    tree.county.refresh_from_db()
    post.refresh_from_db()
    tree.station.refresh_from_db()
    assert tree.county.path.startswith(tree.other_city.path)
    assert post.path.startswith(tree.county.path) and post.path.startswith(tree.other_city.path)
    assert post.depth == 4 and tree.station.depth == 3
    assert set(Unit.objects.filter(path__startswith=tree.other_city.path)) >= {tree.county, tree.station, post}


def test_unit_cannot_move_under_itself(tree):
    admin = make_user("sys", role=Role.SYSADMIN, unit=tree.region)
    with pytest.raises(ValidationError):
        services.unit_move(actor=admin, unit=tree.city, new_parent=tree.station)
