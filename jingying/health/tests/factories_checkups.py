"""Test data for checkups and hospitals: a Tree, people, a partner hospital, a plan, users."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from jingying.care.models import GreenChannelService, PartnerHospital
from jingying.core.scoping import SYSTEM
from jingying.health.models import CheckupPlan
from jingying.health.services.checkups import checkup_plan_create
from jingying.org import idnumber
from jingying.org.choices import Gender, PersonStatus
from jingying.org.models import Person, Unit
from jingying.org.tests.factories import PersonFactory, Tree, make_user

LAST_YEAR = dt.date.today().year - 1


def make_hospital(unit: Unit, name: str = "内蒙古医科大学附属医院") -> PartnerHospital:
    hospital = PartnerHospital.objects.create(unit=unit, name=name, address="呼和浩特市回民区通道北街1号",
                                              contact_name="王医生", contact_phone="0471-1234567",
                                              contract_start=dt.date(2024, 1, 1), contract_end=dt.date(2030, 12, 31))
    GreenChannelService.objects.create(hospital=hospital, kind="priority", description="民警凭警官证优先挂号")
    GreenChannelService.objects.create(hospital=hospital, kind="consult", description="专家会诊")
    return hospital


def make_plan(unit: Unit, hospital: PartnerHospital | None = None, year: int = LAST_YEAR) -> CheckupPlan:
    return checkup_plan_create(actor=SYSTEM, unit=unit, year=year, start_date=dt.date(year, 4, 1),
                               end_date=dt.date(year, 10, 31), hospital=hospital)


def bulk_people(unit: Unit, n: int, *, start: int = 0, status: str = PersonStatus.ACTIVE) -> list[Person]:
    """n people in one statement, with valid ID numbers (distinct birthdays × sequence)."""
    rows = []
    for i in range(start, start + n):
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=i // 400)
        seq = (i % 400) * 2 + 1
        rows.append(Person(name=f"批量{i}", gender=Gender.MALE, birth_date=birth, status=status, unit=unit,
                           id_number=idnumber.make((unit.division_code or "150102")[:6], birth, seq)))
    return Person.objects.bulk_create(rows, batch_size=1000)


@dataclass
class World:
    tree: Tree
    medical: Any
    medical_county: Any
    political: Any
    leader: Any
    officer: Any
    person: Person
    person_out: Person
    hospital: PartnerHospital
    hospital_out: PartnerHospital


def make_world() -> World:
    t = Tree()
    person = PersonFactory(unit=t.station, name="张三", birth_date=dt.date(1978, 3, 2))
    person_out = PersonFactory(unit=t.other_station, name="李四")
    return World(
        tree=t,
        medical=make_user("doc", role="medical", unit=t.region, domains=["health"]),
        medical_county=make_user("doc_county", role="medical", unit=t.county, domains=["health"]),
        political=make_user("pol", role="political", unit=t.city),
        leader=make_user("lead", role="leader", unit=t.county),
        officer=make_user("off", role="officer", unit=t.station, person=person),
        person=person, person_out=person_out,
        hospital=make_hospital(t.city), hospital_out=make_hospital(t.other_city, "包头市中心医院"),
    )


@dataclass
class MatrixObjects:
    """Inside (county / person_in) and outside (other county / person_out) objects of the authz matrix."""

    hospital: dict[bool, PartnerHospital]
    service: dict[bool, GreenChannelService]
    window: dict[bool, Any]
    plan: dict[bool, CheckupPlan]
    record: dict[bool, Any]
    followup: dict[bool, Any]
    referral: dict[bool, Any]


def matrix_objects(w: Any) -> MatrixObjects:
    from jingying.care.models import PoliceWindow
    from jingying.care.services.hospitals import referral_create
    from jingying.health.services.checkups import checkup_record_result

    t = w.tree
    units = {True: t.county, False: t.other_county}
    people = {True: w.person_in, False: w.person_out}
    hospital = {k: make_hospital(u, f"医院{k}") for k, u in units.items()}
    service = {k: h.services.first() for k, h in hospital.items()}
    window = {k: PoliceWindow.objects.create(hospital=h, location="门诊一楼") for k, h in hospital.items()}
    plan = {k: make_plan(u, hospital[k]) for k, u in units.items()}
    record = {k: plan[k].records.get(person=people[k]) for k in units}
    for rec in record.values():
        checkup_record_result(actor=SYSTEM, record=rec, done_on=dt.date(LAST_YEAR, 5, 1), conclusion="血压偏高",
                              findings=["HTN"])
    followup = {k: r.followups.get() for k, r in record.items()}
    referral = {k: referral_create(actor=SYSTEM, person=people[k], hospital=hospital[k], reason="复查")
                for k in units}
    return MatrixObjects(hospital, service, window, plan, record, followup, referral)


def kw_matrix(attr: str) -> Any:
    """Route kwargs for one kind of matrix object, inside or outside."""
    return lambda w, inside: {"pk": getattr(w.memo("health-checkups", matrix_objects), attr)[inside].pk}
