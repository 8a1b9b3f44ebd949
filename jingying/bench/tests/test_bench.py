"""A smoke-sized `jingying bench` end to end, so the benchmark code keeps working (benchmarks.md)."""

from __future__ import annotations

import json

from jingying.bench.benchmarks import BENCHMARKS, bench_id
from jingying.bench.runner import format_results, run_bench


def test_bench_smoke_run_reports_every_benchmark() -> None:
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
    # B4 at smoke size: 48 page views from 4 signed-in users (sessions as the login view makes
    # them) against a real server; every page answered 200 (a login redirect would be a 302).
    b4 = doc["results"]["B4"]
    assert b4.get("available", True), b4
    assert (b4["requests"], b4["clients"]) == (48, 4)
    assert b4["statuses"] == {"200": 48} and b4["errors"] == 0
    assert b4["value"] > 0 and b4["floor"] > 0 and 0 < b4["p50_ms"] <= b4["p95_ms"]
    assert b4["pages_per_user"] == 6
    # B8: the whole force exported (every person a row), the same queries for a station as for
    # the force, memory measured in a fresh process.
    b8 = doc["results"]["B8"]
    assert b8.get("available", True), b8
    assert b8["rows"] >= doc["setup"]["load"]["people"] >= 300
    queries_station, queries_force = b8["queries_station_force"]
    assert queries_station == queries_force > 0 and 0 < b8["station_rows"] < b8["rows"]
    assert b8["value"] > 0 and b8["floor"] > 0 and 0 < b8["peak_mb"] < 1000
    table = format_results(doc)
    assert all(bid in table for bid in ("B1", "B3", "B4", "B5", "B8"))


def test_benchmarks_are_a_plain_ordered_list() -> None:
    assert [bench_id(fn) for fn in BENCHMARKS] == ["B1", "B3", "B4", "B5", "B8"]
