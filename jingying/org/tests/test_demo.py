"""The demo force: real divisions, consistent people, families, the fixed logins, `jingying demo`."""

from __future__ import annotations

import argparse
import datetime as dt
from collections import Counter

import pytest
from django.test import override_settings

from jingying.accounts.models import Grant, User
from jingying.accounts.roles import Role
from jingying.core.models import AuditEntry, AuditHead
from jingying.core.serve import DEMO_PASSWORD, DEMO_USERNAMES
from jingying.org import idnumber
from jingying.org.choices import Category, PersonStatus, Relation, UnitKind
from jingying.org.demo import generator
from jingying.org.demo.cli import cli_demo
from jingying.org.demo.units import CITIES
from jingying.org.models import Dependent, Person, PersonHistory, Unit
from jingying.org.selectors import person_list

TODAY = dt.date(2026, 6, 1)
MD5 = "django.contrib.auth.hashers.MD5PasswordHasher"  # as conftest, which is function-scoped
PEOPLE = 2000


@pytest.mark.django_db
def test_cli_demo_loads_once_and_prints_logins(capsys):  # type: ignore[no-untyped-def]
    args = argparse.Namespace(people=300, seed=3, no_serve=True, reset=False, host="127.0.0.1", port=8123, workers=1)
    assert cli_demo(args) == 0
    out = capsys.readouterr().out
    assert Person.objects.count() == 300
    for username in DEMO_USERNAMES:
        assert username in out
    assert DEMO_PASSWORD in out and "http://127.0.0.1:8123/" in out
    assert cli_demo(args) == 0  # second run: the data is kept
    assert "已有数据" in capsys.readouterr().out
    assert Person.objects.count() == 300


@pytest.mark.django_db
def test_tiny_demo_still_gives_every_person_login_a_profile(capsys):  # type: ignore[no-untyped-def]
    """With very few people the units of the demo logins may be empty; the guides still rely on
    `officer` having a profile in the `station` user's station, and so on."""
    args = argparse.Namespace(people=20, seed=3, no_serve=True, reset=False, host="127.0.0.1", port=8123, workers=1)
    assert cli_demo(args) == 0
    users = {u.username: u for u in User.objects.select_related("person__unit")}
    for username in ("region", "city", "county", "station", "officer", "counsellor", "inspector", "publicity"):
        person = users[username].person
        assert person is not None, username
        grant = Grant.objects.get(user=users[username])
        assert person.unit.path.startswith(grant.unit.path), username
        assert idnumber.parse(person.id_number).gender == person.gender
    assert users["officer"].person.unit == Grant.objects.get(user=users["station"]).unit


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """One demo force for the module (loading it per test would dominate the suite's time)."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=[MD5]):
        summary = generator.load_demo(people=PEOPLE, seed=7, today=TODAY)
        yield summary
        _remove_demo()


def _remove_demo() -> None:
    """Delete what load_demo wrote (not `flush`, which would also empty tables other apps'
    tests rely on, such as content types)."""
    Grant.objects.all().delete()
    User.objects.filter(username__in=DEMO_USERNAMES).delete()
    PersonHistory.objects.all().delete()
    Dependent.objects.all().delete()
    Person.objects.all().delete()
    for depth in sorted(set(Unit.objects.values_list("depth", flat=True)), reverse=True):
        Unit.objects.filter(depth=depth).delete()
    AuditEntry.objects.all().delete()
    AuditHead.objects.all().delete()


def _age(birth: dt.date) -> int:
    return TODAY.year - birth.year - ((TODAY.month, TODAY.day) < (birth.month, birth.day))


@pytest.mark.django_db
def test_units_are_the_real_divisions(demo):  # type: ignore[no-untyped-def]
    region = Unit.objects.get(code="150000")
    assert region.name == "内蒙古自治区公安厅" and region.kind == UnitKind.DEPARTMENT
    assert Unit.objects.get(code="150000ZZB").parent == region
    cities = Unit.objects.filter(kind=UnitKind.CITY_BUREAU)
    assert {c.code: c.name for c in cities} == {c.code: f"{c.name}公安局" for c in CITIES}
    assert Unit.objects.get(code="152200").name == "兴安盟公安局"
    counties = Unit.objects.filter(kind__in=[UnitKind.BRANCH, UnitKind.COUNTY_BUREAU])
    assert counties.count() == 103
    assert counties.filter(kind=UnitKind.BRANCH).count() == 23
    assert Unit.objects.get(code="150102").name == "呼和浩特市公安局新城区分局"
    banner = Unit.objects.get(code="150121")
    assert (banner.name, banner.kind, banner.parent.code) == ("土默特左旗公安局", UnitKind.COUNTY_BUREAU, "150100")
    # Every city and county has its political office.
    for unit in [*cities, *counties]:
        political = Unit.objects.get(code=f"{unit.code}ZZB")
        assert political.parent_id == unit.pk
        assert political.short_name in ("政治部", "政治办公室")
    assert Unit.objects.get(code="150121ZZB").short_name == "政治办公室"
    # 2–8 stations under each county, coded county + 3 digits, full names unique by construction.
    per_county = Counter(s.parent.code for s in Unit.objects.filter(kind=UnitKind.STATION).select_related("parent"))
    assert set(per_county) == {c.code for c in counties}
    assert min(per_county.values()) >= 2 and max(per_county.values()) <= 8
    for station in Unit.objects.filter(kind=UnitKind.STATION).select_related("parent")[:50]:
        assert station.code[:6] == station.parent.code and len(station.code) == 9 and station.code[6:].isdigit()
        assert station.name.startswith(station.parent.name) and station.name.endswith("派出所")
        assert station.path.startswith(station.parent.path) and station.depth == 3
    assert Unit.objects.filter(kind=UnitKind.POST).exists()


@pytest.mark.django_db
def test_people_are_consistent(demo):  # type: ignore[no-untyped-def]
    people = list(Person.objects.select_related("unit"))
    assert len(people) == PEOPLE == demo["people"]
    police = [p for p in people if p.category == Category.POLICE]
    assert 0.5 <= len(police) / len(people) <= 0.7
    units = generator.load_units()
    city_counties = {c.code: {code for code, _n in c.counties} for c in CITIES}
    for p in people:
        parsed = idnumber.parse(p.id_number, today=TODAY)
        assert (parsed.birth_date, parsed.gender) == (p.birth_date, p.gender)
        info = units.info[p.unit_id]
        if info.county_code:
            assert parsed.address_code == info.county_code
        elif info.city:
            assert parsed.address_code in city_counties[info.city.code]
        if p.category == Category.AUXILIARY:
            assert p.rank is None and p.police_number is None and p.level == ""
            continue
        assert p.police_number and len(p.police_number) == 6 and p.police_number.isdigit()
        age = _age(p.birth_date)
        if p.status != PersonStatus.RETIRED:
            assert 22 <= age <= 60
        assert p.police_start_date and p.birth_date < p.police_start_date <= TODAY
        # Higher ranks need years: 警监 only past 40, 警督 only after ~10 years of service.
        if p.rank <= 5:
            assert age >= 40, (p.name, p.position, p.rank, age)
        service = (TODAY - p.police_start_date).days / 365.25
        if p.rank <= 8 and p.position not in generator.LEADER_POSITIONS:
            assert service >= 9 or age >= 33, (p.rank, service)
        steps = {min(step, 11) if p.level.startswith("js") else step for step in generator._LEVEL_STEPS[p.rank]}
        assert int(p.level[2:]) in steps, (p.rank, p.level)
    assert len({p.police_number for p in police}) == len(police)
    leaders = [p for p in police if p.position in ("厅长", "局长", "所长")]
    assert leaders and all(p.rank <= 9 for p in leaders)
    assert Person.objects.get(unit__code="150000", position="厅长").rank in (3, 4)
    ethnicities = Counter(p.ethnicity for p in people)
    assert ethnicities["01"] > ethnicities["02"] > 0
    mongolian_names = set(generator.names.MONGOLIAN_MALE + generator.names.MONGOLIAN_FEMALE)
    assert any(p.ethnicity == "02" and p.name in mongolian_names for p in people)
    statuses = Counter(p.status for p in people)
    assert statuses[PersonStatus.ACTIVE] / len(people) > 0.85
    assert statuses[PersonStatus.SECONDED] > 0 and statuses[PersonStatus.RETIRED] > 0
    # More people at stations than in any other kind of unit.
    kinds = Counter(p.unit.kind for p in people)
    assert kinds.most_common(1)[0][0] == UnitKind.STATION


@pytest.mark.django_db
def test_families_history_and_audit(demo):  # type: ignore[no-untyped-def]
    assert Dependent.objects.count() == demo["dependents"] > PEOPLE
    children = Dependent.objects.filter(relation=Relation.CHILD).select_related("person")
    assert children.exists()
    for child in children[:200]:
        assert child.birth_date and child.person.birth_date < child.birth_date <= TODAY
        age = _age(child.birth_date)
        if 6 <= age < 12:
            assert "小学" in child.school
    assert Dependent.objects.filter(relation=Relation.SPOUSE).exists()
    assert Dependent.objects.filter(relation__in=[Relation.FATHER, Relation.MOTHER]).exists()
    assert Dependent.objects.filter(hardship=True).exclude(notes="").exists()
    assert PersonHistory.objects.count() == demo["history"] > 0
    entry = AuditEntry.objects.get(action="org.demo.load")
    assert entry.after["people"] == PEOPLE and entry.after["units"] == demo["units"]


@pytest.mark.django_db
def test_demo_users_and_their_scopes(demo):  # type: ignore[no-untyped-def]
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related("person__unit")}
    assert set(users) == set(DEMO_USERNAMES)
    assert all(u.check_password(DEMO_PASSWORD) for u in users.values())
    grants = {g.user.username: g for g in Grant.objects.select_related("user", "unit")}
    assert (grants["region"].role, grants["region"].unit.code) == (Role.POLITICAL, "150000")
    assert users["region"].person.unit.code.startswith("150000") and "政治部" in users["region"].person.unit.name
    assert (grants["city"].role, grants["city"].unit.code) == (Role.POLITICAL, "150100")
    assert (grants["county"].role, grants["county"].unit.parent.code) == (Role.LEADER, "150100")
    assert grants["station"].role == Role.LEADER and grants["station"].unit.parent == grants["county"].unit
    assert users["station"].person.position == "所长" and users["county"].person.position == "局长"
    officer = users["officer"]
    assert grants["officer"].role == Role.OFFICER and officer.person.unit == grants["station"].unit
    assert officer.person.position not in generator.LEADER_POSITIONS
    assert officer.person.category == Category.POLICE
    assert grants["counsellor"].domains == ["psych"] and grants["doctor"].domains == ["health"]
    assert grants["inspector"].domains == ["integrity"]
    for name in ("sysadmin", "secadmin", "auditor"):
        assert grants[name].role == name and grants[name].unit.code == "150000"
    # The officer sees only themself; the city user nobody outside the city.
    assert list(person_list(actor=officer)) == [officer.person]
    city_path = grants["city"].unit.path
    seen = person_list(actor=users["city"])
    assert seen.exists() and not seen.exclude(unit__path__startswith=city_path).exists()


@pytest.mark.django_db
def test_generation_is_deterministic(demo):  # type: ignore[no-untyped-def]
    units = generator.load_units()

    def sample(seed: int) -> list[tuple[object, ...]]:
        return [(p.name, p.id_number, p.police_number, p.unit_id, p.rank, p.position, len(p.demo_family))
                for p in generator.generate_people(units, 300, seed, today=TODAY)]

    first = sample(11)
    assert first == sample(11)
    assert first != sample(12)
    assert len(first) == 300


def test_allocate_spreads_exactly() -> None:
    counts = generator.allocate({"a": 1.0, "b": 2.0, "c": 0.5}, 7)
    assert sum(counts.values()) == 7 and counts["b"] >= counts["a"] >= counts["c"]


def test_time_rank_follows_promotion_periods() -> None:
    assert generator.time_rank("21", 0) == 12  # 本科 starts at 一级警员
    assert generator.time_rank("21", 9) == 9  # three 3-year steps to 一级警司
    assert generator.time_rank("21", 21) == 6  # then 4-year steps, up to 一级警督
    assert generator.time_rank("21", 40) == 6  # no further by time alone
