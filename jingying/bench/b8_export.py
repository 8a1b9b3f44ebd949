"""B8 (benchmarks.md): export the whole force's roster to .xlsx, streamed.

Ours: `jingying.org.roster.exporter.export_roster` (what the 导出花名册 page and `jingying roster
export` run) as the provincial political department, whole force, into a file. Goal: ≤ 5 s for
30,000 rows, the same number of queries for one station as for the whole force, peak memory
≤ 200 MB (a fresh process that sets up Django and exports once, like B1's memory figure).

Floor: the simplest hand-written export of the same rows — one raw SQL `SELECT` of the same
columns (people joined to their unit) written as they come with XlsxWriter in constant-memory
mode: no labels, no scope, no audit.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.db import connection

from jingying.bench.benchmarks import BenchContext, median_time, rss_mb

EXPORTER = "region"  # the provincial political department's demo account: the whole force


def _export(path: Path, username: str, unit: Any = None) -> int:
    from jingying.accounts.models import User
    from jingying.org.roster.exporter import export_roster

    actor = User.objects.get(username=username)
    return export_roster(str(path), actor=actor, unit=unit, purpose="bench B8")


def _floor(path: Path) -> int:
    import xlsxwriter

    from jingying.org.models import Person, Unit

    qn = connection.ops.quote_name
    person, unit = qn(Person._meta.db_table), qn(Unit._meta.db_table)
    columns = ["name", "gender", "ethnicity", "birth_date", "id_number", "category", "police_number", "position",
               "rank", "rank_technical", "level", "political_status", "education", "police_start_date", "phone",
               "status"]
    select = ", ".join(f"p.{qn(c)}" for c in columns)
    sql = (f"SELECT {select}, u.{qn('name')} FROM {person} p JOIN {unit} u ON u.{qn('id')} = p.{qn('unit_id')} "  # noqa: S608
           f"ORDER BY u.{qn('path')}, p.{qn('name')}, p.{qn('id')}")
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("roster")
    count = 0
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while batch := cursor.fetchmany(2000):
            for row in batch:
                count += 1
                sheet.write_row(count, 0, ["" if v is None else str(v) for v in row])
    book.close()
    return count


def b8_memory(argv: list[str]) -> int:
    """`python -m jingying.bench.runner b8-memory USERNAME`: a fresh process exports once and
    prints its resident memory before and at the peak (MB)."""
    from jingying.cli import setup_django

    setup_django()
    base = rss_mb(peak=False)
    with tempfile.TemporaryDirectory() as tmp:
        _export(Path(tmp) / "roster.xlsx", argv[0])
    print(f"{base:.1f} {rss_mb():.1f}")
    return 0


def _memory(username: str) -> dict[str, float]:
    out = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "jingying.bench.runner", "b8-memory", username],
        env=os.environ.copy(), capture_output=True, text=True, check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"b8-memory failed: {out.stderr[-2000:]}")
    base, peak = (float(x) for x in out.stdout.strip().splitlines()[-1].split())
    return {"peak_mb": round(peak, 1), "delta_mb": round(peak - base, 1)}


def b8_roster_export(ctx: BenchContext) -> dict[str, Any]:
    """B8: export the whole force's roster to .xlsx (streamed) vs raw SQL + XlsxWriter"""
    from django.test.utils import CaptureQueriesContext

    from jingying.org.choices import UnitKind
    from jingying.org.models import Person, Unit

    goal = "≤ 5 s for 30,000 rows, queries independent of rows, peak ≤ 200 MB"
    ctx.force()
    people = Person.objects.count()
    ctx.progress(f"B8: exporting {people} people × {ctx.runs}")
    path = ctx.workdir / "b8-roster.xlsx"
    rows = _export(path, EXPORTER)
    if rows != people:
        return {"available": False, "goal": goal, "passed": False,
                "note": f"exported {rows} rows of {people}: {EXPORTER} does not cover the whole force"}
    ours_s = median_time(lambda: _export(path, EXPORTER), ctx.runs)
    floor_path = ctx.workdir / "b8-floor.xlsx"
    floor_s = median_time(lambda: _floor(floor_path), ctx.runs)
    # The same request (a unit's subtree) for a station and for the whole force: one query
    # count, whatever the number of rows.
    station = Unit.objects.filter(kind=UnitKind.STATION, people__isnull=False).order_by("path").first()
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    counts = []
    for unit in (station, root):
        with CaptureQueriesContext(connection) as captured:
            _export(path, EXPORTER, unit)
        counts.append(len(captured.captured_queries))
    memory = _memory(EXPORTER)
    size_mb = round(path.stat().st_size / 1e6, 1)
    scaled = ours_s * 30_000 / max(1, people)  # the goal is for 30,000 rows
    return {
        "value": round(ours_s, 2), "unit": "s", "floor": round(floor_s, 2), "ratio": round(ours_s / floor_s, 2),
        "rows": rows, "rows_per_s": round(rows / ours_s), "file_mb": size_mb, **memory,
        "queries_station_force": counts, "station_rows": Person.objects.filter(unit__path__startswith=station.path).count() if station else 0, "goal": goal,
        "passed": scaled <= 5 and counts[0] == counts[1] and memory["peak_mb"] <= 200,
    }
