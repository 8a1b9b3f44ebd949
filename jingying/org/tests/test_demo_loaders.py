"""`jingying demo` names each module's demo part it loads (settings.JINGYING_DEMO_LOADERS)."""

from __future__ import annotations

from typing import Any

from jingying.org.demo.cli import load_module_demos

CALLS: list[tuple[str, int]] = []


def part_a(*, seed: int) -> None:
    CALLS.append(("a", seed))


def part_b(*, seed: int) -> None:
    CALLS.append(("b", seed))


def test_each_part_runs_once_in_order_named_by_its_module(settings: Any, capsys: Any) -> None:
    CALLS.clear()
    settings.JINGYING_DEMO_LOADERS = [f"{__name__}.part_a", f"{__name__}.part_b"]
    load_module_demos(seed=7)
    assert CALLS == [("a", 7), ("b", 7)]
    lines = capsys.readouterr().out.splitlines()
    # Two parts of one app are numbered, not printed as the same line twice.
    assert lines == ["正在生成演示数据：组织与人员（1/2）……", "正在生成演示数据：组织与人员（2/2）……"]
