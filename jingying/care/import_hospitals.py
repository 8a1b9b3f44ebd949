"""Partner hospitals from Excel, in the export's own layout (export → edit in Excel → import).

Three sheets, as `hospital_workbook` writes them:
- 协作医院: 签约单位代码, 签约单位, 医院名称, 医院等级, 地址, 联系人, 联系电话, 协议开始日期, 协议截止日期, 备注
- 绿色通道服务 (optional): 签约单位代码, 医院名称, 服务类别, 服务说明, 联系方式
- 警医服务窗口 (optional): 签约单位代码, 医院名称, 位置, 服务时间, 联系方式

Decisions (also in the template's 说明 sheet and the user guide):
- Natural key: signing unit code + hospital name. A row whose key exists updates that hospital,
  otherwise a new one is created. The unit may be given by name when its code cell is empty.
- The services and windows sheets, when present, are the whole list for every hospital of the
  first sheet: rows not yet there are added, those no longer listed are removed (a hospital
  without rows loses its services). A missing sheet leaves that part alone; a missing optional
  column leaves that field alone.
- Scope: the uploader needs care.manage_hospital over the signing unit. The export lists the
  whole force's directory, so a row outside the uploader's scope that is identical to what is
  stored is skipped (counted, not an error); any difference there is an error.
- Every row is validated first (the model's own full_clean, as the form and service do); one
  error anywhere and nothing is written. The write goes through the same services as the
  screens (each audited), in one transaction, with one more audit entry for the import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jingying.care.choices_hospitals import HospitalLevel, ServiceKind
from jingying.care.models import GreenChannelService, PartnerHospital, PoliceWindow
from jingying.care.services import hospitals as services
from jingying.core import audit
from jingying.core.scoping import covers, has_perm
from jingying.core.sheets import Column, Report, Row, SheetSpec, read, workbook
from jingying.org.models import Unit
from jingying.org.roster import values as V  # noqa: N812

PERM = services.MANAGE_HOSPITAL
HOSPITALS = SheetSpec("协作医院", (
    Column("unit_code", "签约单位代码", required=True),
    Column("unit_name", "签约单位"),
    Column("name", "医院名称", required=True),
    Column("level", "医院等级", required=True),
    Column("address", "地址"),
    Column("contact_name", "联系人"),
    Column("contact_phone", "联系电话"),
    Column("contract_start", "协议开始日期"),
    Column("contract_end", "协议截止日期"),
    Column("note", "备注"),
))
SERVICES = SheetSpec("绿色通道服务", (
    Column("unit_code", "签约单位代码", required=True),
    Column("hospital", "医院名称", required=True),
    Column("kind", "服务类别", required=True),
    Column("description", "服务说明"),
    Column("contact", "联系方式"),
), required=False)
WINDOWS = SheetSpec("警医服务窗口", (
    Column("unit_code", "签约单位代码", required=True),
    Column("hospital", "医院名称", required=True),
    Column("location", "位置", required=True),
    Column("hours", "服务时间"),
    Column("contact", "联系方式"),
), required=False)
SPECS = (HOSPITALS, SERVICES, WINDOWS)
FIELDS = ["level", "address", "contact_name", "contact_phone", "contract_start", "contract_end", "note"]
HEADER = {c.key: c.header for s in SPECS for c in s.columns}
MODEL_FIELD_HEADER = {"unit": "签约单位代码", "name": "医院名称", **{f: HEADER[f] for f in FIELDS}}

ServiceKey = tuple[str, str, str]  # kind, description, contact
WindowKey = tuple[str, str, str]  # location, hours, contact


# --- export (the same layout) -------------------------------------------------------------------


def _label_tables() -> tuple[dict[str, str], dict[str, str]]:
    levels = {str(label): value for value, label in HospitalLevel.choices}
    levels.update({v: v for v in HospitalLevel.values})
    kinds = {str(label): value for value, label in ServiceKind.choices}
    kinds.update({v: v for v in ServiceKind.values})
    return levels, kinds


def hospital_rows(hospitals: Any) -> tuple[list[list[Any]], list[list[Any]], list[list[Any]]]:
    """The three sheets' rows for `hospitals` (services and windows prefetched)."""
    main, svc, win = [], [], []
    for h in hospitals:
        code = h.unit.code
        main.append([code, h.unit.name, h.name, h.get_level_display(), h.address, h.contact_name, h.contact_phone,
                     h.contract_start, h.contract_end, h.note])
        svc += [[code, h.name, s.get_kind_display(), s.description, s.contact] for s in h.services.all()]
        win += [[code, h.name, w.location, w.hours, w.contact] for w in h.windows.all()]
    return main, svc, win


def hospital_workbook(hospitals: Any) -> bytes:
    main, svc, win = hospital_rows(hospitals)
    return workbook([(HOSPITALS.title, HOSPITALS.headers, main), (SERVICES.title, SERVICES.headers, svc),
                     (WINDOWS.title, WINDOWS.headers, win)])


def template_workbook() -> bytes:
    example = [["150100", "呼和浩特市公安局", "内蒙古医科大学附属医院", "三级甲等", "呼和浩特市回民区通道北街1号",
                "王医生", "0471-6636000", "2026-01-01", "2028-12-31", ""]]
    notes = [
        _("协作医院导入说明"),
        _("1. 表格格式与“协作医院”导出文件相同：可先导出、在 Excel 中修改，再导入。"),
        _("2. 以“签约单位代码 + 医院名称”识别医院：已有的更新，没有的新建。签约单位代码为空时按“签约单位”名称查找。"),
        _("3. 医院等级可填：%(v)s。服务类别可填：%(k)s。") % {
            "v": "、".join(str(label) for _v, label in HospitalLevel.choices),
            "k": "、".join(str(label) for _v, label in ServiceKind.choices)},
        _("4. 日期写成 2026-01-01；协议截止日期不能早于开始日期。"),
        _("5. “绿色通道服务”“警医服务窗口”两张表若保留，即为第一张表中各医院的完整清单：表中没有的服务或窗口将被删除。"
          "不需要修改时可删除这两张表。"),
        _("6. 只能导入您有权管理的签约单位的医院；导出文件中其他单位的医院若未修改，会被跳过。"),
        _("7. 先校验全部行，任何一行有错误则一条都不写入；校验通过后需再点“确认导入”。"),
    ]
    return workbook([(HOSPITALS.title, HOSPITALS.headers, example),
                     (SERVICES.title, SERVICES.headers,
                      [[example[0][0], example[0][2], "优先挂号", "民警凭警官证优先挂号", "0471-6636001"]]),
                     (WINDOWS.title, WINDOWS.headers,
                      [[example[0][0], example[0][2], "门诊楼一层东侧", "8:00-17:30", "0471-6636002"]])], notes)


# --- validation ---------------------------------------------------------------------------------


@dataclass
class Planned:
    row: Row
    unit: Unit
    name: str
    values: dict[str, Any]  # the fields whose column is present
    existing: PartnerHospital | None
    services: list[ServiceKey] | None = None  # None: the sheet is absent, leave alone
    windows: list[WindowKey] | None = None
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    in_scope: bool = True

    def changed(self) -> bool:
        if self.existing is None or self.changes:
            return True
        have_s = sorted((s.kind, s.description, s.contact) for s in self.existing.services.all())
        have_w = sorted((w.location, w.hours, w.contact) for w in self.existing.windows.all())
        return ((self.services is not None and sorted(self.services) != have_s)
                or (self.windows is not None and sorted(self.windows) != have_w))


def _text(row: Row, key: str, report: Report, limit: int) -> str:
    value = V.text(row.get(key))
    if len(value) > limit:
        report.error(row, HEADER[key], _("最多 %(n)d 个字符") % {"n": limit})
    return value


def _date(row: Row, key: str, report: Report) -> dt.date | None:
    try:
        value = V.date(row.get(key))
    except V.CellError as exc:
        report.error(row, HEADER[key], str(exc))
        return None
    return dt.date(value.year, value.month, value.day) if value else None


def _unit(row: Row, units: V.UnitIndex, report: Report) -> Unit | None:
    cell = row.get("unit_code")
    if not V.text(cell):
        cell = row.get("unit_name")
    try:
        ref = units.resolve(cell)
    except V.CellError as exc:
        report.error(row, HEADER["unit_code"], str(exc))
        return None
    return Unit(pk=ref.id, name=ref.name, path=ref.path)


def _key(row: Row, units: V.UnitIndex, report: Report, key: str) -> tuple[str, str] | None:
    """(unit code, hospital name) of a services/windows row, as the first sheet spells it."""
    try:
        ref = units.resolve(row.get("unit_code"))
    except V.CellError as exc:
        report.error(row, HEADER["unit_code"], str(exc))
        return None
    name = V.squeeze(V.text(row.get(key)))
    if not name:
        report.error(row, HEADER["hospital"], _("医院名称不能为空"))
        return None
    return ref.path, name


def validate(*, actor: Any, data: bytes) -> tuple[Report, list[Planned]]:
    """Check the whole workbook; writes nothing. Raises ValidationError for an unreadable file."""
    if not has_perm(actor, PERM):
        raise PermissionDenied(PERM)
    sheets = read(data, SPECS)
    report = Report(sha256=hashlib.sha256(data).hexdigest())
    levels, kinds = _label_tables()
    units = V.UnitIndex.load()
    existing: dict[tuple[int, str], list[PartnerHospital]] = {}
    for h in PartnerHospital.objects.select_related("unit").prefetch_related("services", "windows"):
        existing.setdefault((h.unit_id, h.name), []).append(h)
    planned: list[Planned] = []
    by_key: dict[tuple[str, str], Planned] = {}
    present = {c.key for r in sheets[HOSPITALS.title][:1] for c in HOSPITALS.columns if c.key in r.cells}
    for row in sheets[HOSPITALS.title]:
        report.rows += 1
        before = len(report.errors)
        unit = _unit(row, units, report)
        name = V.squeeze(V.text(row.get("name")))
        if not name:
            report.error(row, HEADER["name"], _("医院名称不能为空"))
        level_text = V.squeeze(V.text(row.get("level")))
        level = levels.get(level_text)
        if not level_text:
            report.error(row, HEADER["level"], _("请填写医院等级"))
        elif level is None:
            report.error(row, HEADER["level"], _("无法识别“%(v)s”；可填：%(allowed)s") % {
                "v": level_text, "allowed": "、".join(str(label) for _v, label in HospitalLevel.choices)})
        values: dict[str, Any] = {"level": level}
        for key, limit in (("address", 200), ("contact_name", 50), ("contact_phone", 30), ("note", 5000)):
            if key in present:
                values[key] = _text(row, key, report, limit)
        for key in ("contract_start", "contract_end"):
            if key in present:
                values[key] = _date(row, key, report)
        if len(report.errors) > before or unit is None:
            continue
        hkey = (unit.path, name)
        if hkey in by_key:
            report.error(row, HEADER["name"], _("与第 %(n)d 行重复（同一签约单位、同名医院）") % {"n": by_key[hkey].row.number})
            continue
        matches = existing.get((unit.pk, name), [])
        if len(matches) > 1:
            report.error(row, HEADER["name"], _("系统中该签约单位有 %(n)d 家同名医院，无法对应；请先在页面上改名") % {"n": len(matches)})
            continue
        hospital = matches[0] if matches else None
        candidate = PartnerHospital(unit_id=unit.pk, name=name, **values)
        if hospital is not None:
            candidate = PartnerHospital(unit_id=unit.pk, name=name,
                                        **{f: values.get(f, getattr(hospital, f)) for f in FIELDS})
        try:
            candidate.full_clean(exclude=["unit"], validate_constraints=False)
            if candidate.contract_start and candidate.contract_end and candidate.contract_end < candidate.contract_start:
                raise ValidationError({"contract_end": [_("协议截止日期不能早于开始日期")]})
        except ValidationError as exc:
            for fname, messages in exc.message_dict.items():
                for message in messages:
                    report.error(row, MODEL_FIELD_HEADER.get(fname, ""), message)
            continue
        plan = Planned(row=row, unit=unit, name=name, values=values, existing=hospital)
        if hospital is not None:
            plan.changes = {f: (getattr(hospital, f), v) for f, v in values.items() if getattr(hospital, f) != v}
        plan.in_scope = covers(actor, PERM, unit.path)
        by_key[hkey] = plan
        planned.append(plan)
    for spec, attr in ((SERVICES, "services"), (WINDOWS, "windows")):
        if spec.title not in sheets:
            continue
        for p in planned:
            setattr(p, attr, [])
        seen: dict[tuple[Any, ...], int] = {}
        for row in sheets[spec.title]:
            report.rows += 1
            skey = _key(row, units, report, "hospital")
            if skey is None:
                continue
            target = by_key.get(skey)
            if attr == "services":
                kind_text = V.squeeze(V.text(row.get("kind")))
                kind = kinds.get(kind_text)
                if kind is None:
                    report.error(row, HEADER["kind"], _("无法识别“%(v)s”；可填：%(allowed)s") % {
                        "v": kind_text, "allowed": "、".join(str(label) for _v, label in ServiceKind.choices)})
                    continue
                item: tuple[str, str, str] = (kind, _text(row, "description", report, 200),
                                              _text(row, "contact", report, 100))
            else:
                location = _text(row, "location", report, 100)
                if not location:
                    report.error(row, HEADER["location"], _("窗口位置不能为空"))
                    continue
                item = (location, _text(row, "hours", report, 100), _text(row, "contact", report, 100))
            if target is None:
                if not _row_failed(report, skey, sheets, units):
                    report.error(row, HEADER["hospital"], _("该医院不在“%(s)s”工作表中") % {"s": HOSPITALS.title})
                continue
            dup = (skey, *item)
            if dup in seen:
                report.error(row, "", _("与第 %(n)d 行重复") % {"n": seen[dup]})
                continue
            seen[dup] = row.number
            getattr(target, attr).append(item)
    for p in planned:
        if not p.in_scope and p.changed():
            report.error(p.row, HEADER["unit_code"], _("签约单位“%(u)s”不在您的管理范围内，不能新建或修改该单位的医院")
                         % {"u": p.unit.name})
    order = {s.title: i for i, s in enumerate(SPECS)}
    report.errors.sort(key=lambda e: (order.get(e.sheet, 9), e.row))
    for p in planned:
        if not p.in_scope:
            report.skipped += 1
        elif p.existing is None:
            report.created += 1
            report.preview.append({"sheet": p.row.sheet, "row": p.row.number, "action": _("新建"), "name": p.name,
                                   "unit": p.unit.name, "changes": _describe(p)})
        elif p.changed():
            report.updated += 1
            report.preview.append({"sheet": p.row.sheet, "row": p.row.number, "action": _("修改"), "name": p.name,
                                   "unit": p.unit.name, "changes": _describe(p)})
        else:
            report.unchanged += 1
    return report, planned


def _row_failed(report: Report, key: tuple[str, str], sheets: dict[str, list[Row]], units: V.UnitIndex) -> bool:
    """Whether the first sheet has a row for `key` that already failed (so no second error)."""
    failed = {e.row for e in report.errors if e.sheet == HOSPITALS.title}
    for row in sheets[HOSPITALS.title]:
        if row.number not in failed:
            continue
        try:
            ref = units.resolve(row.get("unit_code") if V.text(row.get("unit_code")) else row.get("unit_name"))
        except V.CellError:
            continue
        if (ref.path, V.squeeze(V.text(row.get("name")))) == key:
            return True
    return False


def _describe(p: Planned) -> str:
    if p.existing is None:  # a new hospital: what it will have
        parts = [f"{MODEL_FIELD_HEADER[f]}：{_show(v)}" for f, v in p.values.items() if v not in (None, "")]
        if p.services:
            parts.append(_("绿色通道服务 %(n)d 项") % {"n": len(p.services)})
        if p.windows:
            parts.append(_("警医服务窗口 %(n)d 个") % {"n": len(p.windows)})
        return "；".join(parts)
    parts = [f"{MODEL_FIELD_HEADER[f]}：{_show(old)} → {_show(new)}" for f, (old, new) in p.changes.items()]
    if p.existing is not None:
        if p.services is not None:
            have = Counter((s.kind, s.description, s.contact) for s in p.existing.services.all())
            if have != Counter(p.services):
                parts.append(_("绿色通道服务 %(a)d 项 → %(b)d 项") % {"a": sum(have.values()), "b": len(p.services)})
        if p.windows is not None:
            have_w = Counter((w.location, w.hours, w.contact) for w in p.existing.windows.all())
            if have_w != Counter(p.windows):
                parts.append(_("警医服务窗口 %(a)d 个 → %(b)d 个") % {"a": sum(have_w.values()), "b": len(p.windows)})
    return "；".join(parts)


def _show(value: Any) -> str:
    if value is None or value == "":
        return _("（空）")
    if value in HospitalLevel.values:
        return str(HospitalLevel(value).label)
    return str(value)


def import_spec() -> Any:
    """The screen's and the API's description of this import (jingying.core.views_sheets)."""
    from django.urls import reverse

    from jingying.core.views_sheets import SheetImport

    return SheetImport(
        key="care.hospital_import", title=_("导入协作医院"),
        validate=lambda actor, data: validate(actor=actor, data=data)[0],
        apply=lambda actor, data, name: apply(actor=actor, data=data, file_name=name),
        done_url=reverse("care:hospital_list"), template_url=reverse("care:hospital_import_template"),
        export_url=reverse("care:hospital_export"),
        help=(_("表格格式与“导出”文件相同：协作医院、绿色通道服务、警医服务窗口三张表，以“签约单位代码 + 医院名称”识别医院。"),
              _("保留服务表或窗口表时，表中即为所列医院的完整清单；不修改可删除该表。")))


# --- the write ----------------------------------------------------------------------------------


def apply(*, actor: Any, data: bytes, file_name: str = "") -> Report:
    """Validate again (the data may have changed since the preview) and, when every row is
    valid, write all of it in one transaction through the hospital services."""
    report, planned = validate(actor=actor, data=data)
    if not report.ok:
        return report
    added = removed = 0
    with transaction.atomic():
        for p in planned:
            if not p.in_scope or not p.changed():
                continue
            if p.existing is None:
                hospital = services.hospital_create(actor=actor, unit=Unit.objects.get(pk=p.unit.pk), name=p.name,
                                                    **p.values)
                have_s: list[GreenChannelService] = []
                have_w: list[PoliceWindow] = []
            else:
                hospital = p.existing
                if p.changes:
                    hospital = services.hospital_update(actor=actor, hospital=hospital,
                                                        **{f: new for f, (_old, new) in p.changes.items()})
                have_s, have_w = list(hospital.services.all()), list(hospital.windows.all())
            if p.services is not None:
                a, r = _sync(p.services, have_s, lambda s: (s.kind, s.description, s.contact),
                             lambda item, h=hospital: services.hospital_service_add(
                                 actor=actor, hospital=h, kind=item[0], description=item[1], contact=item[2]),
                             lambda s: services.hospital_service_remove(actor=actor, service=s))
                added, removed = added + a, removed + r
            if p.windows is not None:
                a, r = _sync(p.windows, have_w, lambda w: (w.location, w.hours, w.contact),
                             lambda item, h=hospital: services.police_window_add(
                                 actor=actor, hospital=h, location=item[0], hours=item[1], contact=item[2]),
                             lambda w: services.police_window_remove(actor=actor, window=w))
                added, removed = added + a, removed + r
        report.details = {"items_added": added, "items_removed": removed}
        audit.record(actor=actor, action="care.hospital.import", object_type="care.partnerhospital",
                     object_repr=_("导入协作医院"), after={"file": file_name, "sha256": report.sha256,
                                                        **report.summary()})
    report.written = True
    return report


def _sync(wanted: list[tuple[str, str, str]], have: list[Any], key: Any, add: Any, remove: Any) -> tuple[int, int]:
    """Make the stored items equal `wanted` (as a multiset): remove the extra, add the missing."""
    need = Counter(wanted)
    removed = 0
    for obj in have:
        k = key(obj)
        if need[k] > 0:
            need[k] -= 1
        else:
            remove(obj)
            removed += 1
    added = 0
    for item, n in need.items():
        for _i in range(n):
            add(item)
            added += 1
    return added, removed
