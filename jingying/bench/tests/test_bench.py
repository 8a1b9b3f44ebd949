"""A smoke-sized `jingying bench` end to end, so the benchmark code keeps working (benchmarks.md)."""

from __future__ import annotations

import json

from jingying.bench.benchmarks import BENCHMARKS, bench_id
from jingying.bench.runner import format_results, run_bench


def test_bench_smoke_run_reports_b1_b3_and_b5() -> None:
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
    # B5 at smoke size: 200 public submissions from 4 clients against a real server.
    b5 = doc["results"]["B5"]
    assert b5["unit"] == "responses/s" and b5["value"] > 0 and b5["floor"] > 0
    assert (b5["submissions"], b5["clients"]) == (200, 4)
    assert b5["lost"] == b5["duplicated"] == b5["unanswered"] == 0 and b5["passed"]
    assert b5["rows"] == b5["distinct_keys"] == b5["responses"] == 200 and b5["held"] == 0
    assert b5["replayed_200"] == b5["retries_sent"] == 10  # every deliberate retry answered 200, not counted twice
    table = format_results(doc)
    assert "B1" in table and "B3" in table and "B5" in table


def test_benchmarks_are_a_plain_ordered_list() -> None:
    assert [bench_id(fn) for fn in BENCHMARKS][:3] == ["B1", "B3", "B5"]
