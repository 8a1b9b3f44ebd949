"""Shapes of units, people, families and history in the JSON API (jingying.org.api).

Codes are sent as stored (GB/T code lists, see choices.py) with a `*_label` beside each, in the
request's language, so a client can show them without its own copy of the code lists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from jingying.org.choices import ETHNICITY_NAMES
from jingying.org.models import Dependent, Person, PersonHistory, Unit


def _label(obj: Any, field: str) -> str:
    value = getattr(obj, field)
    if value in (None, ""):
        return ""
    return str(getattr(obj, f"get_{field}_display")())


class UnitRef(Schema):
    id: int
    code: str
    name: str
    short_name: str


class UnitOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    division_code: str
    kind: str
    kind_label: str
    parent_id: int | None
    depth: int
    headcount: int = Field(description="在职（含借调）人数，含全部下级单位")

    @staticmethod
    def from_unit(unit: Unit, headcount: int) -> UnitOut:
        return UnitOut(
            id=unit.pk, code=unit.code, name=unit.name, short_name=unit.short_name,
            division_code=unit.division_code, kind=unit.kind, kind_label=_label(unit, "kind"),
            parent_id=unit.parent_id, depth=unit.depth, headcount=headcount,
        )


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    gender_label: str
    ethnicity: str
    ethnicity_label: str
    birth_date: dt.date
    id_number: str
    police_number: str | None
    category: str
    category_label: str
    unit: UnitRef
    position: str
    rank: int | None
    rank_technical: bool
    rank_label: str
    level: str
    level_label: str
    political_status: str
    political_status_label: str
    education: str
    education_label: str
    police_start_date: dt.date | None
    phone: str
    status: str
    status_label: str

    @staticmethod
    def from_person(person: Person) -> PersonOut:
        unit = person.unit
        return PersonOut(
            id=person.pk, name=person.name, gender=person.gender, gender_label=_label(person, "gender"),
            ethnicity=person.ethnicity, ethnicity_label=ETHNICITY_NAMES.get(person.ethnicity, ""),
            birth_date=person.birth_date, id_number=person.id_number, police_number=person.police_number,
            category=person.category, category_label=_label(person, "category"),
            unit=UnitRef(id=unit.pk, code=unit.code, name=unit.name, short_name=unit.short_name),
            position=person.position, rank=person.rank, rank_technical=person.rank_technical,
            rank_label=person.rank_label, level=person.level, level_label=_label(person, "level"),
            political_status=person.political_status, political_status_label=_label(person, "political_status"),
            education=person.education, education_label=_label(person, "education"),
            police_start_date=person.police_start_date, phone=person.phone,
            status=person.status, status_label=_label(person, "status"),
        )


class PersonIn(Schema):
    """A new person. `unit` is the unit's id or its code."""

    name: str = Field(..., min_length=1, max_length=50)
    gender: str = Field(..., description="1 男，2 女（GB/T 2261.1）")
    ethnicity: str = "01"
    birth_date: dt.date
    id_number: str
    police_number: str | None = None
    category: str = "police"
    unit: str = Field(..., description="单位 id 或单位代码")
    position: str = ""
    rank: int | None = Field(None, ge=1, le=13, description="警衔 1（总警监）… 13（二级警员）")
    rank_technical: bool = False
    level: str = ""
    political_status: str = "13"
    education: str = ""
    police_start_date: dt.date | None = None
    phone: str = ""
    status: str = "active"


class PersonPatch(Schema):
    """Fields to change; anything left out stays as it is."""

    name: str | None = Field(None, min_length=1, max_length=50)
    gender: str | None = None
    ethnicity: str | None = None
    birth_date: dt.date | None = None
    id_number: str | None = None
    police_number: str | None = None
    category: str | None = None
    unit: str | None = Field(None, description="单位 id 或单位代码")
    position: str | None = None
    rank: int | None = Field(None, ge=1, le=13)
    rank_technical: bool | None = None
    level: str | None = None
    political_status: str | None = None
    education: str | None = None
    police_start_date: dt.date | None = None
    phone: str | None = None
    status: str | None = None


class DependentOut(Schema):
    id: int
    relation: str
    relation_label: str
    name: str
    gender: str
    birth_date: dt.date | None
    phone: str
    school: str
    employer: str
    hardship: bool
    notes: str

    @staticmethod
    def from_dependent(dep: Dependent) -> DependentOut:
        return DependentOut(
            id=dep.pk, relation=dep.relation, relation_label=_label(dep, "relation"), name=dep.name,
            gender=dep.gender, birth_date=dep.birth_date, phone=dep.phone, school=dep.school,
            employer=dep.employer, hardship=dep.hardship, notes=dep.notes,
        )


class HistoryOut(Schema):
    id: int
    field: str
    field_label: str
    old_value: str
    new_value: str
    changed_at: dt.datetime
    source: str

    @staticmethod
    def from_history(row: PersonHistory) -> HistoryOut:
        return HistoryOut(
            id=row.pk, field=row.field, field_label=_label(row, "field"), old_value=row.old_value,
            new_value=row.new_value, changed_at=row.changed_at, source=row.source,
        )


class UnitPage(Schema):
    items: list[UnitOut]
    count: int


class PersonPage(Schema):
    items: list[PersonOut]
    count: int


class DependentPage(Schema):
    items: list[DependentOut]
    count: int


class HistoryPage(Schema):
    items: list[HistoryOut]
    count: int


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None

