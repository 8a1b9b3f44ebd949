"""Factories for units, people, users and grants, shared by every app's tests."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import factory

from jingying.accounts.models import Grant, User
from jingying.org import idnumber
from jingying.org.choices import Category, Gender, PersonStatus, UnitKind
from jingying.org.models import Dependent, Person, Unit, path_segment

_seq = itertools.count(1)


def make_unit(parent: Unit | None, code: str, name: str, kind: str = UnitKind.STATION,
              short_name: str = "", division_code: str = "") -> Unit:
    """A unit with its materialised path (tests build trees directly, without the audit)."""
    unit = Unit.objects.create(parent=parent, code=code, name=name, kind=kind, short_name=short_name,
                               division_code=division_code or (code[:6] if code[:6].isdigit() else ""))
    unit.path = (parent.path if parent else "") + path_segment(unit.pk)
    unit.depth = parent.depth + 1 if parent else 0
    unit.save(update_fields=["path", "depth"])
    return unit


class Tree:
    """厅 → two cities → a county each → a station each (plus a 政治部 under the 厅)."""

    def __init__(self) -> None:
        self.region = make_unit(None, "150000", "内蒙古自治区公安厅", UnitKind.DEPARTMENT, "自治区公安厅")
        self.region_pd = make_unit(self.region, "150000ZZB", "内蒙古自治区公安厅政治部", UnitKind.INTERNAL, "厅政治部")
        self.city = make_unit(self.region, "150100", "呼和浩特市公安局", UnitKind.CITY_BUREAU, "呼市局")
        self.county = make_unit(self.city, "150102", "呼和浩特市公安局新城区分局", UnitKind.BRANCH, "新城分局")
        self.station = make_unit(self.county, "150102001", "新城区分局海东路派出所", UnitKind.STATION, "海东路派出所")
        self.other_city = make_unit(self.region, "150200", "包头市公安局", UnitKind.CITY_BUREAU, "包头市局")
        self.other_county = make_unit(self.other_city, "150202", "包头市公安局东河区分局", UnitKind.BRANCH, "东河分局")
        self.other_station = make_unit(self.other_county, "150202001", "东河区分局西脑包派出所", UnitKind.STATION, "西脑包派出所")


def _id_for(unit: Unit, birth: dt.date, gender: str) -> str:
    seq = next(_seq) % 500 * 2 + (1 if gender == Gender.MALE else 0)
    address = unit.division_code or "150102"
    return idnumber.make(address[:6].ljust(6, "0"), birth, seq % 1000)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"测试人员{n}")
    gender = Gender.MALE
    birth_date = factory.Sequence(lambda n: dt.date(1975 + n % 25, 1 + n % 12, 1 + n % 28))
    category = Category.POLICE
    status = PersonStatus.ACTIVE
    police_number = factory.Sequence(lambda n: f"{100000 + n:06d}")
    id_number = factory.LazyAttribute(lambda o: _id_for(o.unit, o.birth_date, o.gender))


class DependentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dependent

    relation = "child"
    name = factory.Sequence(lambda n: f"家属{n}")
    birth_date = dt.date(2016, 5, 1)


def make_user(username: str, *, role: str | None = None, unit: Unit | None = None, person: Person | None = None,
              domains: list[str] | None = None, **extra: Any) -> User:
    user = User.objects.create_user(username=username, password="Pass-word-1", person=person, **extra)
    if role is not None:
        assert unit is not None
        Grant.objects.create(user=user, role=role, unit=unit, domains=domains or [])
    return user
