"""Simultaneous breakdowns stay k-safe (issue 4 point 6): an attacker who adds and subtracts
every figure published for a question — unit figures, the cross-tab by category and the one by
age band, at every unit — never isolates fewer than k people.

The oracle is independent of the code under test: it builds every published group as a set of
people and checks, by linear algebra over those sets, that no combination of them is supported
on 1..k−1 people (which covers parent − children, category table − age table, and any mix).
"""

from __future__ import annotations

import itertools
from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingying.surveys.suppression import REST, CrossBlocks, UnitTree, min_cut_ok

# root 1 → 2 (→ 4, 5), 3 (→ 6)
UNITS = [(1, None, "000001/"), (2, 1, "000001/000002/"), (3, 1, "000001/000003/"),
         (4, 2, "000001/000002/000004/"), (5, 2, "000001/000002/000005/"), (6, 3, "000001/000003/000006/")]
PATHS = {uid: path for uid, _p, path in UNITS}
CATS = ["police", "auxiliary"]
AGES = ["lt30", "50+"]
P = (1 << 61) - 1


def _rank(vectors: list[list[int]]) -> int:
    rows = [v[:] for v in vectors if any(v)]
    rank, col = 0, 0
    width = len(rows[0]) if rows else 0
    while rank < len(rows) and col < width:
        pivot = next((i for i in range(rank, len(rows)) if rows[i][col] % P), None)
        if pivot is None:
            col += 1
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        inv = pow(rows[rank][col], P - 2, P)
        rows[rank] = [x * inv % P for x in rows[rank]]
        for i in range(len(rows)):
            if i != rank and rows[i][col] % P:
                f = rows[i][col]
                rows[i] = [(a - f * b) % P for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
        col += 1
    return rank


def published_groups(people: list[tuple[int, str, str]], k: int) -> list[frozenset[int]]:
    """Every group the results, the cross-tabs (category, age, unit level) publish."""
    direct: dict[int, int] = defaultdict(int)
    joint: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    for uid, cat, age in people:
        direct[uid] += 1
        joint[uid][(cat, age)] = joint[uid].get((cat, age), 0) + 1
    blocks = CrossBlocks(UnitTree(UNITS, 1, direct), joint, k)
    groups: set[frozenset[int]] = set()
    for u in blocks.shown:
        inside = [i for i, (uid, _c, _a) in enumerate(people) if PATHS[uid].startswith(PATHS[u])]
        groups.add(frozenset(inside))
        for dim, pos in (("category", 1), ("age", 2)):
            by_part: dict[str, set[int]] = defaultdict(set)
            for i in inside:
                by_part[blocks.part(people[i][0], dim, people[i][pos]) or "?"].add(i)
            groups.update(frozenset(g) for g in by_part.values())
        for level_units in ([2, 3], [4, 5, 6]):  # cross-tab by unit level: shown units + the rest
            shown = [v for v in level_units if v in blocks.shown and PATHS[v].startswith(PATHS[u])]
            covered = {i for i in inside if any(PATHS[people[i][0]].startswith(PATHS[v]) for v in shown)}
            groups.add(frozenset(set(inside) - covered))
    return [g for g in groups if g]


def leaks(people: list[tuple[int, str, str]], groups: list[frozenset[int]], k: int) -> list[set[int]]:
    """Sets of 1..k−1 people on which some combination of the groups is supported."""
    if not groups:
        return []
    signature: dict[tuple[bool, ...], list[int]] = defaultdict(list)
    for i in range(len(people)):
        signature[tuple(i in g for g in groups)].append(i)
    atoms = [(sig, members) for sig, members in signature.items() if any(sig)]
    columns = [[int(x) for x in sig] for sig, _m in atoms]
    full = _rank(columns)
    small = [n for n, (_s, m) in enumerate(atoms) if len(m) < k]
    found = []
    for size in range(1, k):
        for combo in itertools.combinations(small, size):
            total = sum(len(atoms[n][1]) for n in combo)
            if total >= k:
                continue
            rest = [columns[n] for n in range(len(atoms)) if n not in combo]
            if _rank(rest) < full:
                found.append({i for n in combo for i in atoms[n][1]})
    return found


ATOMS = [(uid, cat, age) for uid in (1, 2, 3, 4, 5, 6) for cat in CATS for age in AGES]
# Counts per (unit, category, age band): many empty cells, so that one breakdown nests in another.
people_strategy = st.lists(st.sampled_from([0, 0, 0, 0, 1, 2, 3, 4, 6, 9]), min_size=len(ATOMS),
                           max_size=len(ATOMS)).map(
    lambda counts: [atom for atom, n in zip(ATOMS, counts, strict=True) for _ in range(n)])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=people_strategy, k=st.sampled_from([3, 4]))
def test_no_combination_of_published_groups_isolates_fewer_than_k(people: list[tuple[int, str, str]], k: int) -> None:
    groups = published_groups(people, k)
    assert all(len(g) >= k for g in groups), "every published group holds at least k people"
    assert leaks(people, groups, k) == []


def test_the_oracle_finds_the_category_minus_age_attack() -> None:
    # 8 auxiliaries of whom 6 are under 30, 10 police all 50+: publishing both splits as they are
    # gives 辅警 − under-30s = the 2 older auxiliaries.
    people = [(1, "auxiliary", "lt30")] * 6 + [(1, "auxiliary", "50+")] * 2 + [(1, "police", "50+")] * 10
    naive = [frozenset(range(18)), frozenset(range(8)), frozenset(range(8, 18)), frozenset(range(6)),
             frozenset(range(6, 18))]
    assert {6, 7} in leaks(people, naive, 5)
    # … and the rule drops the age split of that block instead.
    assert leaks(people, published_groups(people, 5), 5) == []


def test_age_split_dropped_when_two_breakdowns_would_isolate_a_small_group() -> None:
    people = [(1, "auxiliary", "lt30")] * 6 + [(1, "auxiliary", "50+")] * 2 + [(1, "police", "50+")] * 10
    joint: dict[int, dict[tuple[str, str], int]] = {1: {("auxiliary", "lt30"): 6, ("auxiliary", "50+"): 2,
                                                        ("police", "50+"): 10}}
    blocks = CrossBlocks(UnitTree(UNITS, 1, {1: len(people)}), joint, 5)
    assert blocks.apart[1] == {"category": {"auxiliary", "police"}, "age": set()}
    assert blocks.part(1, "age", "lt30") == REST and blocks.part(1, "category", "police") == "police"


def test_parent_minus_children_within_one_category_is_pooled() -> None:
    # City 2: station 4 (12: 10 police, 2 auxiliaries), station 5 (12 police). Station 4's block
    # keeps its 2 auxiliaries in the pool, so city 辅警 − station 辅警 cannot isolate anyone.
    people = [(4, "police", "lt30")] * 10 + [(4, "auxiliary", "lt30")] * 2 + [(5, "police", "lt30")] * 12
    groups = published_groups(people, 5)
    assert leaks(people, groups, 5) == []
    direct = {4: 12, 5: 12}
    joint = {4: {("police", "lt30"): 10, ("auxiliary", "lt30"): 2}, 5: {("police", "lt30"): 12}}
    blocks = CrossBlocks(UnitTree(UNITS, 1, direct), joint, 5)
    assert blocks.part(4, "category", "auxiliary") == REST
    # the police of station 4 would be 10, but then 12 − 10 = 2: pooled too
    assert blocks.part(4, "category", "police") == REST
    assert blocks.part(5, "category", "police") == "police"


def test_units_outside_every_shown_unit_have_no_part() -> None:
    blocks = CrossBlocks(UnitTree(UNITS, 1, {4: 2}), {4: {("police", "lt30"): 2}}, 5)
    assert blocks.shown == set() and blocks.part(4, "category", "police") is None


def test_min_cut() -> None:
    # a path a–b–c with a weak middle edge
    assert not min_cut_ok({("c:x", "a:y"): 9, ("c:z", "a:y"): 2, ("c:z", "a:w"): 9}, 5)
    assert min_cut_ok({("c:x", "a:y"): 5, ("c:z", "a:y"): 5}, 5)
    # a cycle of small edges: every cut crosses two of them
    cycle = {("c:1", "a:1"): 3, ("c:1", "a:2"): 3, ("c:2", "a:1"): 3, ("c:2", "a:2"): 3}
    assert min_cut_ok(cycle, 5) and not min_cut_ok(cycle, 7)
    # separate components are judged apart
    assert min_cut_ok({("c:1", "a:1"): 5, ("c:2", "a:2"): 6}, 5)
