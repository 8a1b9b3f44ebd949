"""k-suppression, including complementary suppression against subtraction (issue 4 point 3)."""

from __future__ import annotations

from itertools import combinations

from jingying.surveys.suppression import SELF, UnitTree, suppress

K = 5


def test_cells_below_k_are_hidden() -> None:
    assert suppress({"a": 10, "b": 4, "c": 0, "d": 3}, K) == {"b", "d"}  # 4 + 3 = 7 ≥ k: enough


def test_one_small_child_hides_the_next_smallest_sibling() -> None:
    # Parent 30 shown, b=3 hidden alone: 30 − 12 − 15 = 3 would give b away.
    hidden = suppress({"a": 12, "b": 3, "c": 15}, K)
    assert hidden == {"b", "a"}


def test_hidden_cells_together_reach_k() -> None:
    # 1 + 1 = 2 < k: add 5 (the smallest shown) → 7.
    assert suppress({"a": 1, "b": 1, "c": 5, "d": 9}, K) == {"a", "b", "c"}


def test_empty_cells_do_not_count_as_cover() -> None:
    # A cell of nobody hides nothing: b must still be covered by a non-empty sibling.
    assert suppress({"a": 0, "b": 2, "c": 8, "d": 20}, K) == {"b", "c"}


def test_nothing_below_k_nothing_hidden() -> None:
    assert suppress({"a": 5, "b": 0, SELF: 7}, K) == set()


def _brute_force_no_leak(cells: dict[str, int], k: int) -> bool:
    """No sum of shown figures, subtracted from the parent, isolates 1..k−1 people."""
    hidden = suppress(cells, k)
    leftover = sum(n for key, n in cells.items() if key in hidden)
    return leftover == 0 or leftover >= k


def test_no_subtraction_reveals_a_hidden_group_exhaustively() -> None:
    sizes = [0, 1, 2, 3, 4, 5, 6, 9]
    for n in range(1, 5):
        for combo in combinations(sizes * 2, n):
            cells = {f"c{i}": v for i, v in enumerate(combo)}
            if sum(cells.values()) < K:
                continue  # the parent itself is hidden
            assert _brute_force_no_leak(cells, K), cells


def _tree() -> UnitTree:
    # root(1) → city A(2) → stations 4, 5 ; city B(3) → station 6 ; people also directly at root.
    units = [(1, None, "000001/"), (2, 1, "000001/000002/"), (3, 1, "000001/000003/"),
             (4, 2, "000001/000002/000004/"), (5, 2, "000001/000002/000005/"), (6, 3, "000001/000003/000006/")]
    return UnitTree(units, 1, {4: 8, 5: 2, 6: 12, 1: 0})


def test_tree_totals_and_visibility() -> None:
    tree = _tree()
    assert tree.total == {1: 22, 2: 10, 3: 12, 4: 8, 5: 2, 6: 12}
    assert tree.visible(1, K)
    assert tree.visible(2, K) and tree.visible(3, K)
    # Under city A: station 5 (2) is hidden, and so is station 4 (8), else 10 − 8 = 2.
    assert tree.children_shown(2, K) == {4: False, 5: False, SELF: True}
    assert not tree.visible(4, K), "opening station 4 directly must not show what city A's page hid"
    assert not tree.visible(5, K)


def test_a_unit_under_a_hidden_parent_is_hidden() -> None:
    units = [(1, None, "000001/"), (2, 1, "000001/000002/"), (3, 1, "000001/000003/"),
             (4, 2, "000001/000002/000004/"), (5, 2, "000001/000002/000005/")]
    # City 2 has 6 (hidden as the cover of city 3 with 2); its station 4 has 5 ≥ k.
    tree = UnitTree(units, 1, {4: 5, 5: 1, 3: 2, 1: 0})
    assert tree.children_shown(1, K)[2] is False
    assert not tree.visible(4, K)


def test_outside_units_and_small_roots() -> None:
    tree = _tree()
    assert not tree.visible(99, K)
    small = UnitTree([(1, None, "000001/")], 1, {1: 4})
    assert not small.visible(1, K)
