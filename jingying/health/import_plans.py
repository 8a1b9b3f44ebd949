"""Yearly checkup plans from Excel, in the plans export's own layout (export → edit → import).

Two sheets, as `plan_workbook` writes them:
- 体检计划: 年度, 单位代码, 单位, 体检医院, 医院签约单位代码, 开始日期, 截止日期, 说明
- 体检名单 (optional; who is included): 年度, 单位代码, 身份证号, 姓名, 警号, 所在单位

Decisions (also in the template's 说明 sheet and the user guide):
- Natural key: year + unit code (the database allows one plan per unit and year). A row whose
  key exists updates that plan (window dates, hospital, note), otherwise a plan is created.
- The hospital is found by name among the partner hospitals; when two share the name, the
  column 医院签约单位代码 says which. An empty cell means no hospital.
- 体检名单: the rows of a plan are its whole list. People not yet listed are added as due; people
  no longer listed are removed if still "due" (booked, examined or missed records are history
  and cannot be removed: an error). A plan without any row there keeps its list (a new plan
  then lists everyone active in its units, as on the screen). A person is found by ID number
  and must belong to the plan's unit or below; 姓名 and 警号 are only checked when filled.
- Scope: the uploader needs health.manage_checkup_plan with the health domain over the plan's
  unit. A row outside it that changes nothing is skipped; any change there is an error.
- Every row is validated first (the service's own plan rules); one error and nothing is
  written. The write goes through the checkup services (each audited) in one transaction, with
  one more audit entry for the import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingying.care.models import PartnerHospital
from jingying.core import audit
from jingying.core.scoping import covers, has_perm, restrict
from jingying.core.sheets import Column, Report, Row, SheetSpec, read, workbook
from jingying.health.models import CheckupPlan, CheckupRecord, CheckupStatus
from jingying.health.services import checkups as services
from jingying.org import idnumber
from jingying.org.choices import PersonStatus
from jingying.org.models import Person, Unit
from jingying.org.roster import values as V  # noqa: N812

PERM = services.MANAGE_PLAN
EXPORT = "health.export_checkup"
HEALTH = services.HEALTH
PLANS = SheetSpec("体检计划", (
    Column("year", "年度", required=True),
    Column("unit_code", "单位代码", required=True),
    Column("unit_name", "单位"),
    Column("hospital", "体检医院", required=True),
    Column("hospital_unit", "医院签约单位代码"),
    Column("start_date", "开始日期", required=True),
    Column("end_date", "截止日期", required=True),
    Column("note", "说明"),
))
PEOPLE = SheetSpec("体检名单", (
    Column("year", "年度", required=True),
    Column("unit_code", "单位代码", required=True),
    Column("id_number", "身份证号", required=True),
    Column("name", "姓名"),
    Column("police_number", "警号"),
    Column("person_unit", "所在单位"),
), required=False)
SPECS = (PLANS, PEOPLE)
HEADER = {c.key: c.header for s in SPECS for c in s.columns}
MODEL_FIELD_HEADER = {"year": "年度", "unit": "单位代码", "hospital": "体检医院", "start_date": "开始日期",
                      "end_date": "截止日期", "note": "说明"}
FIELDS = ("hospital_id", "start_date", "end_date", "note")


# --- export (the same layout) -------------------------------------------------------------------


def plan_export_list(*, actor: Any) -> Any:
    """The plans the actor may export with their lists (health domain)."""
    return (restrict(CheckupPlan.objects.all(), actor, EXPORT, domain=HEALTH)
            .select_related("unit", "hospital__unit").order_by("-year", "unit__path"))


def plan_workbook(plans: Any) -> bytes:
    plans = list(plans)
    main = [[p.year, p.unit.code, p.unit.name, p.hospital.name if p.hospital else "",
             p.hospital.unit.code if p.hospital else "", p.start_date, p.end_date, p.note] for p in plans]
    by_pk = {p.pk: p for p in plans}
    people = ([by_pk[plan_id].year, by_pk[plan_id].unit.code, id_no, name, police or "", unit]
              for plan_id, id_no, name, police, unit in CheckupRecord.objects.filter(plan__in=list(by_pk))
              .order_by("plan__year", "plan__unit__path", "person__unit__path", "person__name", "pk")
              .values_list("plan_id", "person__id_number", "person__name", "person__police_number", "person__unit__name")
              .iterator(chunk_size=5000))
    return workbook([(PLANS.title, PLANS.headers, main), (PEOPLE.title, PEOPLE.headers, people)])


def template_workbook() -> bytes:
    year = timezone.localdate().year
    example = [[year, "150102", "呼和浩特市公安局新城区分局", "内蒙古医科大学附属医院", "150100",
                f"{year}-04-01", f"{year}-10-31", ""]]
    notes = [
        _("体检计划导入说明"),
        _("1. 表格格式与“体检计划”导出文件相同：可先导出、在 Excel 中修改，再导入。示例行请改成实际内容或删除。"),
        _("2. 以“年度 + 单位代码”识别计划（每个单位每年一个计划）：已有的更新开始/截止日期、体检医院和说明，没有的新建。"),
        _("3. 体检医院填协作医院名称；有同名医院时在“医院签约单位代码”中填写其签约单位代码。不指定医院可留空。"),
        _("4. 日期写成 2026-04-01；截止日期不能早于开始日期，开始日期应在计划年度（或上一年）内。"),
        _("5. “体检名单”表可选：某计划在表中有行时，这些行就是该计划的完整名单（按身份证号识别，须属于计划单位或其下级），"
          "不在表中的“待体检”人员将移出名单；已预约、已体检或未参加的人员不能移出。某计划在表中没有行时名单不变，"
          "新计划则列入该单位及下级全部在职人员。"),
        _("6. 只能导入您有权管理的单位的计划；导出文件中范围外的计划若未修改，会被跳过。"),
        _("7. 先校验全部行，任何一行有错误则一条都不写入；校验通过后需再点“确认导入”。"),
    ]
    return workbook([(PLANS.title, PLANS.headers, example), (PEOPLE.title, PEOPLE.headers, [])], notes)


# --- validation ---------------------------------------------------------------------------------


@dataclass
class Planned:
    row: Row
    unit: Unit
    year: int
    values: dict[str, Any]
    existing: CheckupPlan | None
    people: list[int] | None = None  # None: keep the list (or everyone, for a new plan)
    joining: int = 0
    leaving: int = 0
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    in_scope: bool = True

    def changed(self) -> bool:
        return self.existing is None or bool(self.changes) or bool(self.joining) or bool(self.leaving)


def _date(row: Row, key: str, report: Report) -> dt.date | None:
    try:
        value = V.date(row.get(key))
    except V.CellError as exc:
        report.error(row, HEADER[key], str(exc))
        return None
    if value is None:
        report.error(row, HEADER[key], _("请填写日期"))
        return None
    return dt.date(value.year, value.month, value.day)


def _year(row: Row, report: Report) -> int | None:
    text = V.text(row.get("year")).removesuffix("年")
    if not (text.isdigit() and 2000 <= int(text) <= 2100):
        report.error(row, HEADER["year"], _("年度“%(v)s”不正确，请写成 2026") % {"v": text})
        return None
    return int(text)


class _Hospitals:
    """Partner hospitals by name (and signing unit code when names repeat): one query."""

    def __init__(self) -> None:
        self.by_name: dict[str, list[PartnerHospital]] = {}
        for h in PartnerHospital.objects.select_related("unit"):
            self.by_name.setdefault(V.squeeze(h.name), []).append(h)

    def find(self, row: Row, report: Report) -> tuple[bool, PartnerHospital | None]:
        name = V.squeeze(V.text(row.get("hospital")))
        if not name:
            return True, None
        found = self.by_name.get(name, [])
        code = V.squeeze(V.text(row.get("hospital_unit"))).upper()
        if code:
            found = [h for h in found if h.unit.code.upper() == code]
        if len(found) == 1:
            return True, found[0]
        if not found:
            report.error(row, HEADER["hospital"], _("找不到协作医院“%(v)s”%(c)s") % {
                "v": name, "c": _("（签约单位代码 %(c)s）") % {"c": code} if code else ""})
        else:
            report.error(row, HEADER["hospital"], _("有 %(n)d 家名为“%(v)s”的协作医院，请在“医院签约单位代码”中注明") % {
                "n": len(found), "v": name})
        return False, None


def validate(*, actor: Any, data: bytes) -> tuple[Report, list[Planned]]:
    """Check the whole workbook; writes nothing. Raises ValidationError for an unreadable file."""
    if not has_perm(actor, PERM, domain=HEALTH):
        raise PermissionDenied(PERM)
    sheets = read(data, SPECS)
    report = Report(sha256=hashlib.sha256(data).hexdigest())
    units = V.UnitIndex.load()
    hospitals = _Hospitals()
    existing = {(p.unit_id, p.year): p for p in CheckupPlan.objects.select_related("unit")}
    planned: list[Planned] = []
    by_key: dict[tuple[int, str], Planned] = {}  # (year, unit path)
    present = {c.key for r in sheets[PLANS.title][:1] for c in PLANS.columns if c.key in r.cells}
    for row in sheets[PLANS.title]:
        report.rows += 1
        before = len(report.errors)
        year = _year(row, report)
        try:
            ref = units.resolve(row.get("unit_code") if V.text(row.get("unit_code")) else row.get("unit_name"))
        except V.CellError as exc:
            report.error(row, HEADER["unit_code"], str(exc))
            ref = None
        ok, hospital = hospitals.find(row, report)
        start, end = _date(row, "start_date", report), _date(row, "end_date", report)
        note = V.text(row.get("note")) if "note" in present else None
        if len(report.errors) > before or ref is None or year is None or not ok or start is None or end is None:
            continue
        key = (year, ref.path)
        if key in by_key:
            report.error(row, HEADER["unit_code"], _("与第 %(n)d 行重复（同一单位、同一年度）") % {"n": by_key[key].row.number})
            continue
        plan = existing.get((ref.id, year))
        values: dict[str, Any] = {"hospital_id": hospital.pk if hospital else None, "start_date": start, "end_date": end}
        if note is not None:
            values["note"] = note
        candidate = CheckupPlan(pk=plan.pk if plan else None, unit_id=ref.id, year=year,
                                **{f: values.get(f, getattr(plan, f) if plan else "") for f in FIELDS})
        candidate._state.adding = plan is None  # an update: its own pk is no clash
        try:
            services._validate_plan(candidate)  # the service's own rules: window order, year, one per unit and year
        except ValidationError as exc:
            for fname, messages in exc.message_dict.items():
                for message in messages:
                    report.error(row, MODEL_FIELD_HEADER.get(fname, ""), message)
            continue
        p = Planned(row=row, unit=Unit(pk=ref.id, name=ref.name, path=ref.path), year=year, values=values,
                    existing=plan, in_scope=covers(actor, PERM, ref.path, domain=HEALTH))
        if plan is not None:
            p.changes = {f: (getattr(plan, f), v) for f, v in values.items() if getattr(plan, f) != v}
        by_key[key] = p
        planned.append(p)
    if PEOPLE.title in sheets:
        _people(sheets[PEOPLE.title], by_key, units, report,
                failed={e.row for e in report.errors if e.sheet == PLANS.title}, plan_rows=sheets[PLANS.title])
    for p in planned:
        if not p.in_scope and p.changed():
            report.error(p.row, HEADER["unit_code"], _("单位“%(u)s”不在您的管理范围内，不能新建或修改该单位的体检计划")
                         % {"u": p.unit.name})
    report.errors.sort(key=lambda e: (0 if e.sheet == PLANS.title else 1, e.row))
    for p in planned:
        if not p.in_scope:
            report.skipped += 1
        elif p.existing is None:
            report.created += 1
            report.preview.append({"sheet": p.row.sheet, "row": p.row.number, "action": _("新建"),
                                   "name": str(p.year), "unit": p.unit.name, "changes": _describe(p)})
        elif p.changed():
            report.updated += 1
            report.preview.append({"sheet": p.row.sheet, "row": p.row.number, "action": _("修改"),
                                   "name": str(p.year), "unit": p.unit.name, "changes": _describe(p)})
        else:
            report.unchanged += 1
    return report, planned


def _people(rows: list[Row], by_key: dict[tuple[int, str], Planned], units: V.UnitIndex, report: Report, *,
            failed: set[int], plan_rows: list[Row]) -> None:
    """Check the 体检名单 rows and set each plan's wanted list (with how many join and leave)."""
    ids: dict[int, str] = {}
    for row in rows:
        raw = row.get("id_number")
        try:
            ids[row.number] = idnumber.parse_parts(raw if isinstance(raw, float) else V.text(raw))[0]
        except idnumber.IdNumberError as exc:
            report.error(row, HEADER["id_number"], str(exc))
    people: dict[str, tuple[int, str, str, str, str]] = {}
    wanted_ids = sorted(set(ids.values()))
    for start in range(0, len(wanted_ids), 900):
        for pk, id_no, name, police, path, status in Person.objects.filter(
                id_number__in=wanted_ids[start:start + 900]).values_list(
                "pk", "id_number", "name", "police_number", "unit__path", "status"):
            people[id_no] = (pk, name, police or "", path, status)
    failed_keys = set()
    for prow in plan_rows:
        if prow.number in failed:
            try:
                failed_keys.add((int(V.text(prow.get("year")).removesuffix("年")), units.resolve(prow.get("unit_code")).path))
            except (ValueError, V.CellError):
                continue
    seen: dict[tuple[tuple[int, str], int], int] = {}
    inactive: dict[int, tuple[Row, str]] = {}
    for row in rows:
        report.rows += 1
        year_text = V.text(row.get("year")).removesuffix("年")
        try:
            key = (int(year_text), units.resolve(row.get("unit_code")).path)
        except ValueError:
            report.error(row, HEADER["year"], _("年度“%(v)s”不正确，请写成 2026") % {"v": year_text})
            continue
        except V.CellError as exc:
            report.error(row, HEADER["unit_code"], str(exc))
            continue
        target = by_key.get(key)
        if target is None:
            if key not in failed_keys:
                report.error(row, HEADER["unit_code"], _("该计划（年度、单位代码）不在“%(s)s”工作表中") % {"s": PLANS.title})
            continue
        if row.number not in ids:
            continue
        id_no = ids[row.number]
        person = people.get(id_no)
        if person is None:
            report.error(row, HEADER["id_number"], _("系统中没有该身份证号的人员"))
            continue
        pk, name, police, path, status = person
        if not path.startswith(target.unit.path):
            report.error(row, HEADER["id_number"], _("%(n)s 不属于计划单位“%(u)s”及其下级") % {"n": name, "u": target.unit.name})
            continue
        given_name = V.squeeze(V.text(row.get("name")))
        if given_name and given_name != name:
            report.error(row, HEADER["name"], _("姓名与系统中该身份证号的人员（%(n)s）不一致") % {"n": name})
            continue
        given_police = V.police_number(row.get("police_number"))
        if given_police and given_police != police:
            report.error(row, HEADER["police_number"], _("警号与系统中该人员的警号（%(p)s）不一致") % {"p": police or _("无")})
            continue
        if (key, pk) in seen:
            report.error(row, HEADER["id_number"], _("与第 %(n)d 行重复") % {"n": seen[(key, pk)]})
            continue
        seen[(key, pk)] = row.number
        if target.people is None:
            target.people = []
        target.people.append(pk)
        if status != PersonStatus.ACTIVE:
            inactive[pk] = (row, name)
    listed = [p for p in by_key.values() if p.people is not None]
    for p in listed:
        assert p.people is not None
        have = dict(CheckupRecord.objects.filter(plan=p.existing).values_list("person_id", "status")) \
            if p.existing is not None else {}
        for pid in p.people:
            if pid in inactive and pid not in have:
                row, name = inactive[pid]
                report.error(row, HEADER["id_number"], _("%(n)s 不是在职人员，不能加入名单") % {"n": name})
        if p.existing is None:
            p.joining = len(p.people)
            continue
        have = dict(CheckupRecord.objects.filter(plan=p.existing).values_list("person_id", "status"))
        keep = set(p.people)
        leaving = [pid for pid in have if pid not in keep]
        blocked = [pid for pid in leaving if have[pid] != CheckupStatus.DUE]
        if blocked:
            names = list(Person.objects.filter(pk__in=blocked[:10]).values_list("name", flat=True))
            report.error(p.row, "", _("名单中缺少 %(n)d 名已预约、已体检或未参加的人员（%(names)s），他们不能移出名单") % {
                "n": len(blocked), "names": "、".join(names) + ("…" if len(blocked) > 10 else "")})
        p.joining = sum(1 for pid in p.people if pid not in have)
        p.leaving = len(leaving)


def _describe(p: Planned) -> str:
    labels = {"hospital_id": _("体检医院"), "start_date": _("开始日期"), "end_date": _("截止日期"), "note": _("说明")}
    parts = [f"{labels[f]}：{_show(f, old)} → {_show(f, new)}" for f, (old, new) in p.changes.items()]
    if p.existing is None and p.people is None:
        parts.append(_("名单：单位及下级全部在职人员"))
    if p.joining:
        parts.append(_("名单新增 %(n)d 人") % {"n": p.joining})
    if p.leaving:
        parts.append(_("名单移出 %(n)d 人") % {"n": p.leaving})
    return "；".join(parts)


def _show(name: str, value: Any) -> str:
    if value is None or value == "":
        return _("（空）")
    if name == "hospital_id":
        return str(PartnerHospital.objects.filter(pk=value).values_list("name", flat=True).first() or value)
    return str(value)


def import_spec() -> Any:
    """The screen's and the API's description of this import (jingying.core.views_sheets)."""
    from django.urls import reverse

    from jingying.core.views_sheets import SheetImport

    return SheetImport(
        key="health.checkup_plan_import", title=_("导入体检计划"),
        validate=lambda actor, data: validate(actor=actor, data=data)[0],
        apply=lambda actor, data, name: apply(actor=actor, data=data, file_name=name),
        done_url=reverse("health:checkup_plan_list"), template_url=reverse("health:checkup_plan_import_template"),
        export_url=reverse("health:checkup_plans_export"),
        help=(_("表格格式与“导出计划”文件相同：体检计划表（年度、单位代码、体检医院、开始和截止日期、说明）和可选的体检名单表。"),
              _("以“年度 + 单位代码”识别计划；某计划在名单表中有行时，这些行就是它的完整名单。")))


# --- the write ----------------------------------------------------------------------------------


def apply(*, actor: Any, data: bytes, file_name: str = "") -> Report:
    """Validate again and, when every row is valid, write all in one transaction through the
    checkup services."""
    report, planned = validate(actor=actor, data=data)
    if not report.ok:
        return report
    added = removed = 0
    with transaction.atomic():
        hospitals = {h.pk: h for h in PartnerHospital.objects.filter(
            pk__in={p.values["hospital_id"] for p in planned if p.values["hospital_id"]})}
        for p in planned:
            if not p.in_scope or not p.changed():
                continue
            hospital = hospitals.get(p.values["hospital_id"]) if p.values["hospital_id"] else None
            if p.existing is None:
                plan = services.checkup_plan_create(
                    actor=actor, unit=Unit.objects.get(pk=p.unit.pk), year=p.year, start_date=p.values["start_date"],
                    end_date=p.values["end_date"], hospital=hospital, note=p.values.get("note", ""),
                    person_ids=p.people)
                added += plan.records.count() if p.people is None else len(p.people)
                continue
            plan = CheckupPlan.objects.select_related("unit").select_for_update(of=("self",)).get(pk=p.existing.pk)
            if p.changes:
                changes = {("hospital" if f == "hospital_id" else f): (hospital if f == "hospital_id" else new)
                           for f, (_old, new) in p.changes.items()}
                services.checkup_plan_update(actor=actor, plan=plan, **changes)
            if p.people is not None and (p.joining or p.leaving):
                a, r = services.checkup_plan_set_people(actor=actor, plan=plan, person_ids=p.people)
                added, removed = added + a, removed + r
        report.details = {"people_added": added, "people_removed": removed}
        audit.record(actor=actor, action="health.checkup_plan.import", object_type="health.checkupplan",
                     object_repr=_("导入体检计划"), after={"file": file_name, "sha256": report.sha256,
                                                        **report.summary()})
    report.written = True
    return report
