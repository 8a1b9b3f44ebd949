"""A smoke-sized `jingying bench` end to end, so the benchmark code keeps working (benchmarks.md)."""

from __future__ import annotations

import json

from jingying.bench.benchmarks import BENCHMARKS, bench_id
from jingying.bench.runner import format_results, run_bench


def test_bench_smoke_run_reports_b1_and_b3() -> None:
    doc = run_bench(people=300, runs=1, quiet=True)
    json.dumps(doc)  # the --json document is plain JSON
    assert doc["people"] == 300 and doc["database"] == "sqlite"
    b1, b3 = doc["results"]["B1"], doc["results"]["B3"]
    assert b1.get("available", True), b1
    assert b1["unit"] == "rows/s" and b1["value"] > 0 and b1["floor"] > 0 and b1["ratio"] > 0
    assert 0 < b1["peak_mb"] < 1000
    assert b3["unit"] == "ms" and b3["value"] > 0 and b3["floor"] > 0
    queries_10, queries_100 = b3["queries"]
    assert queries_10 == queries_100 > 0
    # The page itself (view, template) is judged too, against its own SQL.
    view = b3["view"]
    assert view.get("available", True), view
    assert view["value"] > 0 and view["floor"] > 0 and view["ratio"] > 0
    queries_20, queries_100 = view["queries"]
    assert queries_20 == queries_100 > 0
    assert "passed" in view
    table = format_results(doc)
    assert "B1" in table and "B3" in table


def test_benchmarks_are_a_plain_ordered_list() -> None:
    assert [bench_id(fn) for fn in BENCHMARKS][:2] == ["B1", "B3"]
