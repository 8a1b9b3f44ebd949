"""Checkup results import (issue 6 "Done when"): a hospital workbook of 5,000 rows with some
unmatched rows reports them one by one and imports the rest only after confirmation."""

from __future__ import annotations

import datetime as dt
import io
import time
from typing import Any

import pytest
import xlsxwriter
from django.urls import reverse

from jingying.core.models import AuditEntry
from jingying.core.testing import login_client
from jingying.health import checkup_import
from jingying.health.models import CheckupFinding, CheckupImport, CheckupRecord, CheckupStatus, FollowUp
from jingying.health.tests.factories_checkups import LAST_YEAR, bulk_people, make_plan, make_world
from jingying.org import idnumber

pytestmark = pytest.mark.django_db
HEADER = ["序号", "姓名", "性别", "身份证号", "体检日期", "总检结论", "异常项"]
FINDINGS = ["", "高血压", "血脂异常、脂肪肝", "", "糖尿病", "", "心电图异常", "高尿酸血症，肥胖", "", ""]


def workbook(rows: list[list[Any]], *, title_rows: int = 1) -> io.BytesIO:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("体检结果")
    for r in range(title_rows):
        sheet.write(r, 0, "2025年度民警健康体检结果汇总表")
    sheet.write_row(title_rows, 0, HEADER)
    text = book.add_format({"num_format": "@"})
    for i, row in enumerate(rows, start=title_rows + 1):
        for c, value in enumerate(row):
            if c == 3 and isinstance(value, str):
                sheet.write_string(i, c, value, text)
            else:
                sheet.write(i, c, value)
    book.close()
    out.seek(0)
    out.name = "results.xlsx"
    return out


def _row(i: int, person: Any, day: dt.date) -> list[Any]:
    return [i, person.name, "男", person.id_number, day.isoformat(), "", FINDINGS[i % len(FINDINGS)]]


def test_5000_row_workbook_reports_unmatched_and_imports_only_after_confirmation() -> None:
    w = make_world()
    people = bulk_people(w.tree.station, 4993)
    outsider = bulk_people(w.tree.other_station, 1, start=9000)[0]
    plan = make_plan(w.tree.county)
    assert plan.records.count() == 4994  # the 4,993 plus 张三
    day = dt.date(LAST_YEAR, 5, 12)
    rows = [_row(i, p, day) for i, p in enumerate(people)]
    bad_checksum = people[0].id_number[:17] + ("0" if people[0].id_number[17] != "0" else "1")
    unknown = idnumber.make("150102", dt.date(1990, 1, 1), 777)
    rows += [
        [10000, "查无此人", "男", unknown, day.isoformat(), "", ""],
        [10001, "校验错", "男", bad_checksum, day.isoformat(), "", ""],
        [10002, outsider.name, "男", outsider.id_number, day.isoformat(), "", ""],
        [10003, people[1].name, "男", people[1].id_number, day.isoformat(), "", ""],  # repeats row of people[1]
        [10004, "错名", "男", w.person.id_number, day.isoformat(), "", ""],
        [10005, people[2].name, "男", "1501021970", day.isoformat(), "", ""],
        [10006, people[3].name, "男", people[3].id_number, "昨天", "", ""],
        [10007, people[4].name, "男", people[4].id_number, day.isoformat(), "", "骨折"],
        [10008, people[5].name, "男", 150102197001010011.0, day.isoformat(), "", ""],
        [10009, people[6].name, "男", people[6].id_number, (dt.date.today() + dt.timedelta(days=3)).isoformat(), "", ""],
    ]
    # The later duplicates make the earlier rows of people 3-6 count; drop those rows instead.
    rows = [r for r in rows if r[0] >= 10000 or r[3] not in {people[3].id_number, people[4].id_number,
                                                             people[6].id_number}]
    assert len(rows) == 5000
    upload = workbook(rows)

    client = login_client(w.medical)
    started, cpu = time.perf_counter(), time.process_time()
    response = client.post(reverse("health:checkup_import", args=[plan.pk]), {"file": upload})
    validate_seconds, validate_cpu = time.perf_counter() - started, time.process_time() - cpu
    assert response.status_code == 302, response.content.decode()[:2000]
    job = CheckupImport.objects.get()
    assert job.status == CheckupImport.Status.VALID, job.message
    # Validation wrote nothing.
    assert not CheckupRecord.objects.filter(status=CheckupStatus.DONE).exists()
    assert not CheckupFinding.objects.exists()

    by_row = {u["row"]: u["message"] for u in job.unmatched}
    messages = "\n".join(by_row.values())
    assert "系统中没有该身份证号的人员" in messages
    assert "校验位错误" in messages
    assert "不在本计划的单位范围内" in messages
    assert "重复" in messages
    assert "姓名与系统中该身份证号的人员（张三）不一致" in messages
    assert "应为 18 位" in messages
    assert "体检日期“昨天”无法识别" in messages
    assert "无法识别的异常项：骨折" in messages
    assert "存成了数字" in messages
    assert "晚于今天" in messages
    assert len(job.unmatched) == 10
    assert job.summary["matched"] == job.summary["rows"] - 10

    page = client.get(reverse("health:checkup_import_job", args=[job.pk]))
    assert page.status_code == 200
    assert "查无此人" in page.content.decode()

    started, cpu = time.perf_counter(), time.process_time()
    response = client.post(reverse("health:checkup_import_confirm", args=[job.pk]))
    import_seconds, import_cpu = time.perf_counter() - started, time.process_time() - cpu
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == CheckupImport.Status.DONE, job.message
    done = CheckupRecord.objects.filter(status=CheckupStatus.DONE).count()
    assert done == job.summary["matched"] == job.summary["imported"]
    assert CheckupFinding.objects.filter(code="HTN").exists()
    assert FollowUp.objects.filter(code="DM", action="specialist").exists()
    assert AuditEntry.objects.filter(action="health.checkup.import").count() == 1
    # A second click does not import again.
    client.post(reverse("health:checkup_import_confirm", args=[job.pk]))
    assert AuditEntry.objects.filter(action="health.checkup.import").count() == 1
    print(f"\ncheckup import of {len(rows)} rows: validate {validate_seconds:.2f}s (CPU {validate_cpu:.2f}s), "
          f"confirm {import_seconds:.2f}s (CPU {import_cpu:.2f}s)")


def test_import_is_all_or_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    w = make_world()
    people = bulk_people(w.tree.station, 30)
    plan = make_plan(w.tree.county)
    upload = workbook([_row(i, p, dt.date(LAST_YEAR, 5, 1)) for i, p in enumerate(people)])

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(checkup_import.FollowUp.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        checkup_import.apply(actor=w.medical, plan=plan, source=upload)
    assert not CheckupRecord.objects.filter(status=CheckupStatus.DONE).exists()
    assert not CheckupFinding.objects.exists()


def test_file_level_problems() -> None:
    w = make_world()
    plan = make_plan(w.tree.county)
    not_excel = io.BytesIO(b"not a workbook")
    assert "无法读取" in checkup_import.validate(plan, not_excel).error
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    book.add_worksheet().write_row(0, 0, ["姓名", "结论"])
    book.close()
    out.seek(0)
    assert "身份证号" in checkup_import.validate(plan, out).error
    assert "没有数据行" in checkup_import.validate(plan, workbook([])).error


def test_dates_in_the_ways_hospitals_write_them() -> None:
    assert checkup_import.parse_date("2025/5/12") == dt.date(2025, 5, 12)
    assert checkup_import.parse_date("2025年5月12日") == dt.date(2025, 5, 12)
    assert checkup_import.parse_date("20250512") == dt.date(2025, 5, 12)
    assert checkup_import.parse_date(dt.datetime(2025, 5, 12, 9)) == dt.date(2025, 5, 12)
    assert checkup_import.parse_date("2025-02-30") is None


def test_import_refused_without_health_domain() -> None:
    from django.core.exceptions import PermissionDenied

    w = make_world()
    plan = make_plan(w.tree.county)
    with pytest.raises(PermissionDenied):
        checkup_import.apply(actor=w.political, plan=plan, source=workbook([]))
