"""Every write to protective equipment (防护装备): types, issues to officers, returns and
replacements, the Excel import (validate everything, then all or nothing) and the expiry
reminder."""

from __future__ import annotations

import calendar
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.accounts.roles import Role
from jingying.care.models import EquipmentIssue, EquipmentType
from jingying.core import audit
from jingying.core.scoping import covers, has_perm, require
from jingying.org.models import Person

MANAGE = "care.manage_equipment"
ISSUE_FIELDS = ["person_id", "type_id", "issued_on", "expires_on", "status", "returned_on", "serial", "note"]
TYPE_FIELDS = ["name", "service_life_months", "required", "active"]
EXPIRY_WARNING_DAYS = 60
MAX_IMPORT_ROWS = 20000


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus `months` calendar months (the 31st becomes the month's last day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- types ---------------------------------------------------------------------------------


def _require_type_perm(actor: Any) -> None:
    if not has_perm(actor, "care.manage_equipment_type"):
        raise PermissionDenied("care.manage_equipment_type")


@transaction.atomic
def equipment_type_create(*, actor: Any, name: str, service_life_months: int, required: bool = True,
                          active: bool = True) -> EquipmentType:
    _require_type_perm(actor)
    kind = EquipmentType(name=(name or "").strip(), service_life_months=service_life_months, required=required,
                         active=active)
    kind.full_clean()
    kind.save()
    audit.record(actor=actor, action="care.equipment_type.create", obj=kind, after=audit.snapshot(kind, TYPE_FIELDS))
    return kind


@transaction.atomic
def equipment_type_update(*, actor: Any, kind: EquipmentType, **changes: Any) -> EquipmentType:
    _require_type_perm(actor)
    unknown = set(changes) - set(TYPE_FIELDS)
    if unknown:
        raise ValueError(f"equipment_type_update: unknown fields {sorted(unknown)}")
    before = audit.snapshot(kind, TYPE_FIELDS)
    for key, value in changes.items():
        setattr(kind, key, value)
    kind.full_clean()
    kind.save()
    audit.record(actor=actor, action="care.equipment_type.update", obj=kind, before=before,
                 after=audit.snapshot(kind, TYPE_FIELDS))
    return kind


# --- issues --------------------------------------------------------------------------------


def _issue_errors(kind: EquipmentType | None, issued_on: dt.date | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind is None:
        errors["type"] = [_("请选择装备类型")]
    elif not kind.active:
        errors["type"] = [_("装备类型“%(name)s”已停用") % {"name": kind.name}]
    if issued_on is None:
        errors["issued_on"] = [_("请填写配发日期")]
    elif issued_on > timezone.localdate():
        errors["issued_on"] = [_("配发日期不能晚于今天")]
    elif issued_on.year < 1990:
        errors["issued_on"] = [_("配发日期不正确")]
    return errors


@transaction.atomic
def equipment_issue_create(*, actor: Any, person: Person, kind: EquipmentType | None, issued_on: dt.date | None,
                           serial: str = "", note: str = "") -> EquipmentIssue:
    """Issue an item; its expiry date is the issue date plus the type's service life."""
    require(actor, MANAGE, person.unit.path)
    errors = _issue_errors(kind, issued_on)
    if errors:
        raise ValidationError(errors)
    assert kind is not None
    assert issued_on is not None
    issue = EquipmentIssue(person=person, type=kind, issued_on=issued_on,
                           expires_on=add_months(issued_on, kind.service_life_months), serial=(serial or "").strip(),
                           note=(note or "").strip(), issued_by=actor if getattr(actor, "pk", None) else None)
    issue.full_clean(exclude=["issued_by"])
    issue.save()
    audit.record(actor=actor, action="care.equipment.issue", obj=issue, person_id=person.pk,
                 after=audit.snapshot(issue, ISSUE_FIELDS))
    return issue


@transaction.atomic
def equipment_issue_return(*, actor: Any, issue: EquipmentIssue, returned_on: dt.date | None = None,
                           replaced: bool = False) -> EquipmentIssue:
    """The item came back (交回) or was exchanged (更换); it no longer counts as held."""
    require(actor, MANAGE, issue.person.unit.path)
    issue = EquipmentIssue.objects.select_for_update(of=("self",)).select_related("person").get(pk=issue.pk)
    if issue.status != EquipmentIssue.Status.ISSUED:
        raise ValidationError(_("该装备已交回或更换。"))
    returned_on = returned_on or timezone.localdate()
    if returned_on < issue.issued_on:
        raise ValidationError({"returned_on": [_("交回日期不能早于配发日期")]})
    before = audit.snapshot(issue, ISSUE_FIELDS)
    issue.status = EquipmentIssue.Status.REPLACED if replaced else EquipmentIssue.Status.RETURNED
    issue.returned_on = returned_on
    issue.save(update_fields=["status", "returned_on"])
    audit.record(actor=actor, action="care.equipment.return", obj=issue, person_id=issue.person_id, before=before,
                 after=audit.snapshot(issue, ISSUE_FIELDS))
    return issue


@transaction.atomic
def equipment_issue_replace(*, actor: Any, issue: EquipmentIssue, issued_on: dt.date | None = None,
                            serial: str = "") -> EquipmentIssue:
    """Exchange an item for a new one of the same type, issued today (or on `issued_on`)."""
    issued_on = issued_on or timezone.localdate()
    equipment_issue_return(actor=actor, issue=issue, returned_on=issued_on, replaced=True)
    return equipment_issue_create(actor=actor, person=issue.person, kind=issue.type, issued_on=issued_on,
                                  serial=serial, note=_("更换 #%(id)s") % {"id": issue.pk})


@transaction.atomic
def equipment_issue_delete(*, actor: Any, issue: EquipmentIssue) -> None:
    """Remove an issue entered by mistake (the audit keeps what it was)."""
    require(actor, MANAGE, issue.person.unit.path)
    audit.record(actor=actor, action="care.equipment.delete", obj=issue, person_id=issue.person_id,
                 before=audit.snapshot(issue, ISSUE_FIELDS))
    issue.delete()


# --- Excel import --------------------------------------------------------------------------

IMPORT_HEADERS = ["身份证号", "装备类型", "配发日期", "编号", "备注"]


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


def read_rows(data: bytes) -> list[list[Any]]:
    """The first sheet's rows below the header, read with python-calamine."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:
        raise ValidationError(_("无法读取文件，请上传 .xlsx 格式的 Excel 文件。")) from None
    if not rows:
        raise ValidationError(_("文件是空的。"))
    header = [str(c).strip() for c in rows[0]]
    if header[:3] != IMPORT_HEADERS[:3]:
        raise ValidationError(_("表头应为：%(headers)s") % {"headers": "、".join(IMPORT_HEADERS)})
    return [list(r) + [""] * (5 - len(r)) for r in rows[1:]]


def equipment_import(*, actor: Any, rows: list[list[Any]], commit: bool = True) -> ImportResult:
    """Validate every row first; write only when none has an error, all in one transaction.

    Rows: ID number, type name, issued date, serial (optional), note (optional). A person is found
    by ID number among the people the actor may manage; one outside reads as unknown."""
    result = ImportResult()
    if not has_perm(actor, "care.import_equipment"):
        raise PermissionDenied("care.import_equipment")
    rows = [r for r in rows if any(str(c).strip() for c in r[:5])]
    result.rows = len(rows)
    if len(rows) > MAX_IMPORT_ROWS:
        result.errors.append((0, _("一次最多导入 %(n)s 行") % {"n": MAX_IMPORT_ROWS}))
        return result
    ids = {str(r[0]).strip().upper() for r in rows}
    people = {p.id_number: p for p in Person.objects.filter(id_number__in=ids).select_related("unit")}
    kinds = {k.name: k for k in EquipmentType.objects.all()}
    today = timezone.localdate()
    pending: list[EquipmentIssue] = []
    seen: set[tuple[int, int, dt.date]] = set()
    for number, row in enumerate(rows, start=2):
        id_number, type_name = str(row[0]).strip().upper(), str(row[1]).strip()
        problems = []
        person = people.get(id_number)
        if not id_number:
            problems.append(_("身份证号为空"))
        elif person is None or not covers(actor, MANAGE, person.unit.path):
            problems.append(_("找不到身份证号为 %(id)s 的人员（或不在您的管辖范围内）") % {"id": id_number})
        kind = kinds.get(type_name)
        if kind is None:
            problems.append(_("装备类型“%(name)s”不存在") % {"name": type_name})
        issued_on = _parse_date(row[2])
        if issued_on is None:
            problems.append(_("配发日期“%(value)s”无法识别，请写成 2026-03-01") % {"value": row[2]})
        else:
            problems += [m for ms in _issue_errors(kind or EquipmentType(active=True), issued_on).values() for m in ms]
        if not problems and person is not None and kind is not None and issued_on is not None:
            key = (person.pk, kind.pk, issued_on)
            if key in seen:
                problems.append(_("与前面的行重复"))
            seen.add(key)
            pending.append(EquipmentIssue(person=person, type=kind, issued_on=issued_on,
                                          expires_on=add_months(issued_on, kind.service_life_months),
                                          serial=str(row[3] or "").strip()[:50], note=str(row[4] or "").strip()[:200],
                                          issued_by=actor if getattr(actor, "pk", None) else None))
        result.errors += [(number, p) for p in problems]
    if result.errors or not commit:
        return result
    with transaction.atomic():
        EquipmentIssue.objects.bulk_create(pending, batch_size=1000)
        audit.record(actor=actor, action="care.equipment.import", object_type="care.equipmentissue",
                     object_repr=_("导入装备配发 %(n)s 条") % {"n": len(pending)}, after={"rows": len(pending),
                                                                                     "date": str(today)})
    result.created = len(pending)
    return result


# --- reminders -----------------------------------------------------------------------------


def _nearest_leaders(unit_path: str) -> list[Any]:
    from jingying.accounts.models import Grant

    ancestors = [unit_path[:i] for i in range(len(unit_path), 0, -1) if unit_path[i - 1] == "/"]
    grants = list(Grant.objects.active().filter(role=Role.LEADER, unit__path__in=ancestors, user__is_active=True)
                  .select_related("user", "unit").order_by("-unit__depth", "user_id"))
    if not grants:
        return []
    depth = grants[0].unit.depth
    return [g.user for g in grants if g.unit.depth == depth]


def equipment_remind_expiring(*, today: dt.date | None = None, days: int = EXPIRY_WARNING_DAYS) -> int:
    """Tell each unit's nearest leaders how many items held in their unit have expired or expire
    within `days`; returns how many messages were written. Run daily (CLI or task)."""
    from jingying.core.notifications import notify

    today = today or timezone.localdate()
    limit = today + dt.timedelta(days=days)
    rows = (EquipmentIssue.objects.filter(status=EquipmentIssue.Status.ISSUED, expires_on__lte=limit)
            .values_list("person__unit__path", "person__unit__name", "expires_on"))
    by_unit: dict[str, dict[str, Any]] = {}
    for path, name, expires_on in rows:
        entry = by_unit.setdefault(path, {"name": name, "expired": 0, "expiring": 0})
        entry["expired" if expires_on < today else "expiring"] += 1
    per_user: dict[int, tuple[Any, list[str]]] = {}
    leaders_for: dict[str, list[Any]] = defaultdict(list)
    for path, info in sorted(by_unit.items()):
        leaders_for[path] = _nearest_leaders(path)
        line = _("%(unit)s：已过期 %(expired)s 件，%(days)s 天内到期 %(expiring)s 件") % {
            "unit": info["name"], "expired": info["expired"], "expiring": info["expiring"], "days": days}
        for user in leaders_for[path]:
            per_user.setdefault(user.pk, (user, []))[1].append(line)
    written = 0
    url = reverse("care:equipment_expiring")
    for user, lines in per_user.values():
        written += len(notify(users=[user], kind="care.equipment_expiring", title=_("防护装备到期提醒"),
                              body="\n".join(lines), url=url))
    return written
