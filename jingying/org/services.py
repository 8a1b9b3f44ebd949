"""Every write to units, people and families (style rule 2): keyword-only, one transaction,
validated, permission-checked and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.core import audit
from jingying.core.scoping import require
from jingying.org import rules
from jingying.org.choices import HistoryField, Rank
from jingying.org.models import Dependent, Person, PersonHistory, Unit, path_segment

# Person fields whose changes are kept as career history, and how to show a value.
HISTORY_FIELDS: dict[str, HistoryField] = {
    "unit_id": HistoryField.UNIT,
    "rank": HistoryField.RANK,
    "position": HistoryField.POSITION,
    "level": HistoryField.LEVEL,
    "status": HistoryField.STATUS,
}
PERSON_FIELDS = [
    "name", "gender", "ethnicity", "birth_date", "id_number", "police_number", "category", "unit_id",
    "position", "rank", "rank_technical", "level", "political_status", "education",
    "police_start_date", "phone", "status",
]


# --- units ---------------------------------------------------------------------------------


def _set_path(unit: Unit) -> None:
    parent = unit.parent if unit.parent_id else None
    parent_path = parent.path if parent is not None else ""
    unit.path = parent_path + path_segment(unit.pk)
    unit.depth = parent_path.count("/")
    Unit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)


@transaction.atomic
def unit_create(*, actor: Any, parent: Unit | None, code: str, name: str, kind: str,
                short_name: str = "", division_code: str = "", sort_order: int = 0) -> Unit:
    if parent is None:
        if Unit.objects.exists():
            raise ValidationError(_("只能有一个顶层单位"))
    else:
        require(actor, "org.change_unit", parent.path)
    unit = Unit(parent=parent, code=code, name=name, kind=kind, short_name=short_name,
                division_code=division_code, sort_order=sort_order)
    unit.full_clean(exclude=["path"])
    unit.save()
    _set_path(unit)
    audit.record(actor=actor, action="org.unit.create", obj=unit, after=audit.snapshot(unit))
    return unit


@transaction.atomic
def unit_update(*, actor: Any, unit: Unit, **changes: Any) -> Unit:
    require(actor, "org.change_unit", unit.path)
    allowed = {"code", "name", "short_name", "kind", "division_code", "sort_order"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"unit_update: unknown fields {sorted(unknown)}")
    before = audit.snapshot(unit, sorted(changes))
    for key, value in changes.items():
        setattr(unit, key, value)
    unit.full_clean(exclude=["path"])
    unit.save(update_fields=list(changes))
    audit.record(actor=actor, action="org.unit.update", obj=unit, before=before, after=audit.snapshot(unit, sorted(changes)))
    return unit


@transaction.atomic
def unit_move(*, actor: Any, unit: Unit, new_parent: Unit) -> Unit:
    """Move a unit and its whole subtree under `new_parent` with one UPDATE."""
    require(actor, "org.change_unit", unit.path)
    require(actor, "org.change_unit", new_parent.path)
    if new_parent.path.startswith(unit.path):
        raise ValidationError(_("不能把单位移动到它自己或它的下级单位之下"))
    old_path, old_depth = unit.path, unit.depth
    new_path = new_parent.path + path_segment(unit.pk)
    delta = new_parent.depth + 1 - old_depth
    Unit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + delta,
    )
    Unit.objects.filter(pk=unit.pk).update(parent=new_parent)
    audit.record(actor=actor, action="org.unit.move", obj=unit,
                 before={"parent_id": unit.parent_id, "path": old_path},
                 after={"parent_id": new_parent.pk, "path": new_path})
    unit.refresh_from_db()
    return unit


# --- people --------------------------------------------------------------------------------


def history_value(field: str, value: Any, unit_names: dict[int, str] | None = None) -> str:
    if value in (None, ""):
        return ""
    if field == "unit_id":
        if unit_names is not None and value in unit_names:
            return unit_names[value]
        return Unit.objects.filter(pk=value).values_list("name", flat=True).first() or str(value)
    if field == "rank":
        return str(Rank(value).label)
    return str(value)


def person_validate(person: Person) -> None:
    """Model validation plus the roster rules (jingying.org.rules, shared with the importer)."""
    errors: dict[str, list[str]] = {}
    parsed, identity = rules.identity_errors(person.id_number, person.birth_date, person.gender)
    if parsed is not None:
        person.id_number = parsed.value
    for key, message in identity.items():
        errors[key] = [message]
    police_number = rules.police_number_error(person.police_number)
    if police_number:
        errors["police_number"] = [police_number]
    try:
        person.full_clean(exclude=list(errors) or None, validate_unique=True)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def person_history_rows(person: Person, before: dict[str, Any], *, source: str, when: dt.datetime,
                        unit_names: dict[int, str] | None = None) -> list[PersonHistory]:
    """Unsaved history rows for the HISTORY_FIELDS that differ between `before` and `person`.

    Shared by person_update and the roster importer; the importer passes `unit_names` so a
    30,000-row import does not look up a unit name per changed row.
    """
    rows = []
    for attname, field in HISTORY_FIELDS.items():
        old, new = before.get(attname), getattr(person, attname)
        if old != new:
            rows.append(PersonHistory(person=person, field=field, old_value=history_value(attname, old, unit_names),
                                      new_value=history_value(attname, new, unit_names), changed_at=when,
                                      source=source))
    return rows


@transaction.atomic
def person_create(*, actor: Any, unit: Unit, source: str = "manual", **fields: Any) -> Person:
    require(actor, "org.add_person", unit.path)
    person = Person(unit=unit, **fields)
    person_validate(person)
    person.save()
    audit.record(actor=actor, action="org.person.create", obj=person, person_id=person.pk,
                 after=audit.snapshot(person, PERSON_FIELDS))
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, source: str = "manual", **changes: Any) -> Person:
    """Change a person; unit, rank, position, level and status changes go into their history."""
    require(actor, "org.change_person", person.unit.path)
    unknown = set(changes) - set(PERSON_FIELDS) - {"unit"}
    if unknown:
        raise ValueError(f"person_update: unknown fields {sorted(unknown)}")
    if "unit" in changes:
        require(actor, "org.change_person", changes["unit"].path)
    before = audit.snapshot(person, PERSON_FIELDS)
    for key, value in changes.items():
        setattr(person, key, value)
    person_validate(person)
    after = audit.snapshot(person, PERSON_FIELDS)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if not changed:
        return person
    person.save()
    PersonHistory.objects.bulk_create(person_history_rows(person, before, source=source, when=timezone.now()))
    audit.record(actor=actor, action="org.person.update", obj=person, person_id=person.pk,
                 before={k: before[k] for k in changed}, after=changed)
    return person


@transaction.atomic
def person_delete(*, actor: Any, person: Person) -> None:
    require(actor, "org.delete_person", person.unit.path)
    snapshot = audit.snapshot(person, PERSON_FIELDS)
    pk = person.pk
    audit.record(actor=actor, action="org.person.delete", obj=person, person_id=pk, before=snapshot)
    person.delete()


# --- families ------------------------------------------------------------------------------

DEPENDENT_FIELDS = ["relation", "name", "gender", "birth_date", "id_number", "phone", "school", "employer", "hardship", "notes"]


@transaction.atomic
def dependent_create(*, actor: Any, person: Person, **fields: Any) -> Dependent:
    require(actor, "org.change_dependent", person.unit.path)
    dependent = Dependent(person=person, **fields)
    dependent.full_clean()
    dependent.save()
    audit.record(actor=actor, action="org.dependent.create", obj=dependent, person_id=person.pk,
                 after=audit.snapshot(dependent, DEPENDENT_FIELDS))
    return dependent


@transaction.atomic
def dependent_update(*, actor: Any, dependent: Dependent, **changes: Any) -> Dependent:
    require(actor, "org.change_dependent", dependent.person.unit.path)
    before = audit.snapshot(dependent, DEPENDENT_FIELDS)
    for key, value in changes.items():
        if key not in DEPENDENT_FIELDS:
            raise ValueError(f"dependent_update: unknown field {key}")
        setattr(dependent, key, value)
    dependent.full_clean()
    dependent.save()
    audit.record(actor=actor, action="org.dependent.update", obj=dependent, person_id=dependent.person_id,
                 before=before, after=audit.snapshot(dependent, DEPENDENT_FIELDS))
    return dependent


@transaction.atomic
def dependent_delete(*, actor: Any, dependent: Dependent) -> None:
    require(actor, "org.change_dependent", dependent.person.unit.path)
    audit.record(actor=actor, action="org.dependent.delete", obj=dependent, person_id=dependent.person_id,
                 before=audit.snapshot(dependent, DEPENDENT_FIELDS))
    dependent.delete()
