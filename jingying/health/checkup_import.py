"""Import a hospital's checkup results workbook into a plan: validate every row, report the rows
that cannot be matched one by one, and write the rest — all of it or nothing — only when the
user confirms (upload → report/preview → confirm; jingying.health.tasks runs both steps).

Matching is by ID number (the checksum is verified, jingying.org.idnumber). A row is unmatched
when its ID number is malformed, unknown, belongs to someone outside the plan's units, repeats an
earlier row, names someone else, or lists a finding no code stands for. Unmatched rows never
block the others: the report lists them so the clerk can chase them with the hospital.

Columns (header row found in the first rows, names as hospitals write them):
身份证号 (required), 姓名, 体检日期, 总检结论, 异常项 (separated by 、，,;； or spaces).
Per-row writes would cost seconds at 5,000 rows, so the matched rows are applied in a handful of
chunked bulk statements in one transaction with one audit entry for the import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from jingying.core import audit
from jingying.core.scoping import require
from jingying.health.checkup_codes import BY_CODE, lookup_table
from jingying.health.models import CheckupFinding, CheckupPlan, CheckupRecord, CheckupStatus, FollowUp
from jingying.health.services.checkups import CHUNK, followup_rows
from jingying.org import idnumber
from jingying.org.models import Person

PERM = "health.import_checkup"
PREVIEW_ROWS = 20
HEADER_SCAN = 10
HEADERS: dict[str, tuple[str, ...]] = {
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证"),
    "name": ("姓名",),
    "done_on": ("体检日期", "检查日期", "体检时间"),
    "conclusion": ("总检结论", "结论", "主检结论", "体检结论"),
    "findings": ("异常项", "异常结果", "主要异常", "异常项目", "阳性发现"),
}
_SPLIT = re.compile(r"[、，,;；/\s]+")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Unmatched:
    row: int  # Excel row number as the clerk sees it
    id_number: str
    name: str
    message: str


@dataclass
class Matched:
    row: int
    record_id: int
    person_id: int
    name: str
    unit: str
    done_on: dt.date
    conclusion: str
    codes: list[str]


@dataclass
class ImportReport:
    rows: int = 0
    matched: list[Matched] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    error: str = ""  # the whole file cannot be read
    sha256: str = ""
    imported: int = 0

    @property
    def ok(self) -> bool:
        return not self.error

    def summary(self) -> dict[str, Any]:
        return {"rows": self.rows, "matched": len(self.matched), "unmatched": len(self.unmatched),
                "imported": self.imported, "sha256": self.sha256}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_DATE_TEXT = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    m = _DATE_TEXT.match(text)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _read(source: str | IO[bytes]) -> tuple[list[list[Any]], str]:
    data = source.read() if hasattr(source, "read") else open(source, "rb").read()  # noqa: SIM115
    digest = hashlib.sha256(data).hexdigest()
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheet = book.get_sheet_by_index(0)
    return sheet.to_python(skip_empty_area=False), digest


def _header(rows: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:HEADER_SCAN]):
        names = [_text(c).replace(" ", "") for c in row]
        columns: dict[str, int] = {}
        for key, spellings in HEADERS.items():
            for col, name in enumerate(names):
                if name in spellings:
                    columns[key] = col
                    break
        if "id_number" in columns:
            return index, columns
    return None


def validate(plan: CheckupPlan, source: str | IO[bytes], *, progress: Progress | None = None) -> ImportReport:
    """Read and check the whole workbook against the plan; writes nothing."""
    report = ImportReport()
    try:
        rows, report.sha256 = _read(source)
    except (CalamineError, OSError, ValueError) as exc:  # a damaged or non-Excel file
        report.error = _("无法读取该工作簿：%(e)s") % {"e": exc}
        return report
    found = _header(rows)
    if found is None:
        report.error = _("前 %(n)d 行中找不到“身份证号”列，请确认使用的是医院导出的体检结果表") % {"n": HEADER_SCAN}
        return report
    header_index, cols = found
    if "done_on" not in cols:
        report.error = _("缺少“体检日期”列")
        return report
    # The plan's people by ID number, with their unit: one query.
    in_plan = {
        id_no: (rec_id, person_id, name, unit)
        for rec_id, person_id, id_no, name, unit in CheckupRecord.objects.filter(plan=plan).values_list(
            "pk", "person_id", "person__id_number", "person__name", "person__unit__name")
    }
    codes = lookup_table()
    seen: dict[str, int] = {}
    pending_unknown: list[tuple[int, str, str]] = []
    body = rows[header_index + 1:]
    today = timezone.localdate()

    def cell(row: list[Any], key: str) -> Any:
        col = cols.get(key)
        return row[col] if col is not None and col < len(row) else None

    for offset, row in enumerate(body):
        excel_row = header_index + 2 + offset
        raw_id = cell(row, "id_number")
        name = _text(cell(row, "name"))
        if not any(_text(c) for c in row):
            continue
        report.rows += 1
        if progress and report.rows % 1000 == 0:
            progress(report.rows, len(body))
        shown_id = _text(raw_id)

        def bad(message: str, *, _row: int = excel_row, _id: str = shown_id, _name: str = name) -> None:
            report.unmatched.append(Unmatched(_row, _id, _name, message))

        try:
            id_no, _birth, _gender = idnumber.parse_parts(raw_id if isinstance(raw_id, float) else shown_id)
        except idnumber.IdNumberError as exc:
            bad(str(exc))
            continue
        if id_no in seen:
            bad(_("身份证号与第 %(n)d 行重复") % {"n": seen[id_no]})
            continue
        seen[id_no] = excel_row
        done_on = parse_date(cell(row, "done_on"))
        if done_on is None:
            bad(_("体检日期“%(v)s”无法识别，请写成 2026-05-12") % {"v": _text(cell(row, "done_on"))})
            continue
        if done_on > today:
            bad(_("体检日期 %(d)s 晚于今天") % {"d": done_on})
            continue
        labels = [t for t in _SPLIT.split(_text(cell(row, "findings"))) if t and t not in ("无", "未见异常", "正常")]
        row_codes: list[str] = []
        unknown = []
        for label in labels:
            code = codes.get(label.lower())
            if code is None:
                unknown.append(label)
            elif code not in row_codes:
                row_codes.append(code)
        if unknown:
            bad(_("无法识别的异常项：%(l)s") % {"l": "、".join(unknown)})
            continue
        hit = in_plan.get(id_no)
        if hit is None:
            pending_unknown.append((excel_row, id_no, name))
            continue
        rec_id, person_id, person_name, unit = hit
        if name and name != person_name:
            bad(_("姓名与系统中该身份证号的人员（%(n)s）不一致") % {"n": person_name})
            continue
        conclusion = _text(cell(row, "conclusion")) or (
            _("未见明显异常") if not row_codes else "、".join(str(BY_CODE[c].name) for c in row_codes))
        report.matched.append(Matched(excel_row, rec_id, person_id, person_name, unit, done_on, conclusion, row_codes))
    # IDs not in the plan: someone outside the plan's units, or nobody the system knows.
    elsewhere: dict[str, str] = {}
    ids = [i for _r, i, _n in pending_unknown]
    for start in range(0, len(ids), 500):
        elsewhere.update(Person.objects.filter(id_number__in=ids[start:start + 500])
                         .values_list("id_number", "unit__name"))
    for excel_row, id_no, name in pending_unknown:
        if id_no in elsewhere:
            message = _("该人员不在本计划的单位范围内（现属%(u)s）") % {"u": elsewhere[id_no]}
        else:
            message = _("系统中没有该身份证号的人员")
        report.unmatched.append(Unmatched(excel_row, id_no, name, message))
    report.unmatched.sort(key=lambda u: u.row)
    if not report.rows:
        report.error = _("工作簿中没有数据行")
    return report


def apply(*, actor: Any, plan: CheckupPlan, source: str | IO[bytes], file_name: str = "",
          progress: Progress | None = None) -> ImportReport:
    """Validate again and write every matched row in one transaction (the unmatched are skipped)."""
    require(actor, PERM, plan.unit.path, domain="health")
    report = validate(plan, source, progress=progress)
    if not report.ok or not report.matched:
        return report
    with transaction.atomic():
        records = {m.record_id: m for m in report.matched}
        ids = list(records)
        existing: set[tuple[int, str]] = set()
        for start in range(0, len(ids), CHUNK):
            part = ids[start:start + CHUNK]
            CheckupFinding.objects.filter(record_id__in=part).delete()
            existing.update(FollowUp.objects.filter(record_id__in=part).values_list("record_id", "code"))
        _update_records(report.matched)
        findings = [CheckupFinding(record_id=m.record_id, code=c) for m in report.matched for c in m.codes]
        CheckupFinding.objects.bulk_create(findings, batch_size=CHUNK)
        followups = [f for m in report.matched
                     for f in followup_rows(m.record_id, m.person_id, m.done_on, m.codes, existing)]
        FollowUp.objects.bulk_create(followups, batch_size=CHUNK)
        report.imported = len(report.matched)
        audit.record(actor=actor, action="health.checkup.import", obj=plan,
                     after={"file": file_name, "sha256": report.sha256, "imported": report.imported,
                            "unmatched": len(report.unmatched), "findings": len(findings),
                            "followups": len(followups)})
    return report


def _column(name: str) -> str:
    """The database column of a concrete CheckupRecord field."""
    field = CheckupRecord._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise LookupError(name)
    return field.column


def _update_records(matched: list[Matched]) -> None:
    """One parameterised UPDATE per row through executemany: Django's bulk_update builds a CASE
    expression per row and field, which costs ~20 s at 5,000 rows; this costs well under one."""
    ops = connection.ops
    meta = CheckupRecord._meta
    cols = [_column(n) for n in ("status", "done_on", "conclusion", "imported", "updated_at")]
    sql = "UPDATE {table} SET {sets} WHERE {pk} = %s".format(  # noqa: S608 - model names only
        table=ops.quote_name(meta.db_table), sets=", ".join(f"{ops.quote_name(c)} = %s" for c in cols),
        pk=ops.quote_name(_column("id")))
    now = ops.adapt_datetimefield_value(timezone.now())
    params = [(CheckupStatus.DONE.value, ops.adapt_datefield_value(m.done_on), m.conclusion, True, now, m.record_id)
              for m in matched]
    with connection.cursor() as cursor:
        for start in range(0, len(params), CHUNK):
            cursor.executemany(sql, params[start:start + CHUNK])
