"""k-anonymity for grouped results (docs/anonymity.md; instruments.md §13).

Groups are unit subtrees. A figure for a group is shown only when at least k people answered;
and because a parent's figure minus the figures of its shown children gives the figure of the
children that were hidden, the hidden part must itself be nobody or at least k people:

    complementary suppression — among siblings (a unit's children, plus the people attached
    directly to the unit itself, "本级"), hide every cell below k; while the hidden cells
    together hold between 1 and k − 1 people, also hide the smallest cell still shown.

Decisions are made top-down from the campaign's unit, the same for every viewer, so a unit
is shown only when every unit above it (up to the campaign's) is shown and it is not hidden
among its siblings: opening a unit directly can never show what its parent's page hid.
Every question gets its own decisions from its own answer counts (show-if questions are
answered by fewer people).
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

SELF = "self"  # the cell of people attached directly to a unit (not to one of its children)


def suppress(cells: Mapping[K, int], k: int) -> set[K]:
    """The cells to hide among siblings with these respondent counts."""
    hidden = {key for key, n in cells.items() if 0 < n < k}
    while True:
        total = sum(cells[key] for key in hidden)
        if total == 0 or total >= k:
            return hidden
        shown = sorted(((n, str(key), key) for key, n in cells.items() if key not in hidden and n > 0),
                       key=lambda t: (t[0], t[1]))
        if not shown:
            return hidden
        hidden.add(shown[0][2])


class UnitTree:
    """Respondent counts over the campaign's unit subtree, summed up the tree in Python.

    `units`: (id, parent_id, path) for every unit of the subtree; `direct`: respondents by the
    unit they are attached to.
    """

    def __init__(self, units: Sequence[tuple[int, int | None, str]], root_id: int, direct: Mapping[int, int]) -> None:
        self.root_id = root_id
        self.parent = {uid: parent for uid, parent, _path in units}
        self.children: dict[int, list[int]] = {}
        for uid, parent, _path in units:
            if uid != root_id and parent is not None:
                self.children.setdefault(parent, []).append(uid)
        self.direct = {uid: int(direct.get(uid, 0)) for uid in self.parent}
        self.total: dict[int, int] = dict(self.direct)
        for uid, _parent, path in units:
            n = self.direct[uid]
            if not n:
                continue
            for segment in path.strip("/").split("/")[:-1]:
                ancestor = int(segment, 16)
                if ancestor in self.total:
                    self.total[ancestor] += n

    def cells(self, uid: int) -> dict[int | str, int]:
        cells: dict[int | str, int] = {c: self.total.get(c, 0) for c in self.children.get(uid, [])}
        cells[SELF] = self.direct.get(uid, 0)
        return cells

    def chain(self, uid: int) -> list[int]:
        """The unit's ancestors from the root down to the unit itself (empty when outside)."""
        out = [uid]
        while out[-1] != self.root_id:
            parent = self.parent.get(out[-1])
            if parent is None:
                return []
            out.append(parent)
        return out[::-1]

    def visible(self, uid: int, k: int) -> bool:
        chain = self.chain(uid)
        if not chain or self.total.get(self.root_id, 0) < k:
            return False
        return all(child not in suppress(self.cells(parent), k) for parent, child in itertools.pairwise(chain))

    def shown_units(self, k: int) -> set[int]:
        """Every unit `visible` answers True for, in one top-down pass."""
        if self.total.get(self.root_id, 0) < k:
            return set()
        shown = {self.root_id}
        stack = [self.root_id]
        while stack:
            uid = stack.pop()
            hidden = suppress(self.cells(uid), k)
            for child in self.children.get(uid, []):
                if child not in hidden:
                    shown.add(child)
                    stack.append(child)
        return shown

    def owner(self, uid: int, shown: set[int]) -> int | None:
        """The nearest shown unit at or above `uid` (whose residual block holds its people)."""
        current: int | None = uid
        while current is not None and current not in shown:
            current = self.parent.get(current)
        return current

    def children_shown(self, uid: int, k: int) -> dict[int | str, bool]:
        """For a shown unit: each child cell (and SELF) — shown or hidden."""
        hidden = suppress(self.cells(uid), k)
        return {key: key not in hidden for key in self.cells(uid)}


# --- simultaneous breakdowns (issue 4 point 6) ------------------------------------------------
#
# The cross-tabulation by category and by age band publishes, for every shown unit u, the
# figures of "the people of u's subtree in category g" and "… in age band h", next to the unit
# figures above. An attacker holds sums over all of these sets and may add and subtract them
# at will (parent − children, category table − age table, …). What they can learn is anything
# in the linear span of the published sets' indicator vectors. The rule below keeps that span
# free of every vector whose support is 1..k−1 people:
#
# 1. The unit tree's shown units cut the respondents into residual blocks R_d (the people of d's
#    subtree not under a shown child of d): each holds 0 or ≥ k people (complementary
#    suppression), and every unit figure is a sum of whole blocks.
# 2. Inside each R_d, the category counts go through `suppress`: the values kept apart each
#    hold ≥ k; the hidden ones are pooled into one "未单列" part of 0 or ≥ k. The same for the
#    age bands. A published cross-tab cell (u, g) is the sum over the blocks under u of the part
#    "category g" where g is kept apart (the rest shows in u's "未单列" column), so every
#    published figure is a sum of parts.
# 3. Two partitions of the same block (categories, age bands) form a bipartite graph: parts are
#    nodes, people in both parts are the weight of an edge. A combination Σa·cat + Σb·age is
#    zero on an edge exactly when the potentials a and −b agree across it, so its support is a
#    union of edge cuts; the smallest non-zero support is the graph's minimum cut. When a
#    component's minimum cut is below k (e.g. all under-30s are 辅警, so 辅警 − under-30s
#    isolates the few older 辅警), more values of one breakdown are pooled, smallest first,
#    until the block passes (whichever breakdown keeps more people apart).
#
# Blocks are disjoint, so the span is the direct sum of the blocks' spans and a small support
# in the whole would need a small support in one block: none exists. Decisions are made once
# for the whole campaign and question, the same for every viewer (like UnitTree.visible).

REST = "__rest__"  # the "未单列" part: values pooled because apart they would be below k


def _stoer_wagner(nodes: list[str], weight: Mapping[tuple[str, str], int]) -> int:
    """Minimum edge cut of a small connected undirected graph (Stoer–Wagner)."""
    index = {n: i for i, n in enumerate(nodes)}
    size = len(nodes)
    w = [[0] * size for _ in range(size)]
    for (a, b), n in weight.items():
        i, j = index[a], index[b]
        w[i][j] += n
        w[j][i] += n
    groups = list(range(size))
    best: int | None = None
    while len(groups) > 1:
        used = [groups[0]]
        rest = groups[1:]
        conn = {v: w[groups[0]][v] for v in rest}
        prev = groups[0]
        last = groups[0]
        while rest:
            nxt = max(rest, key=lambda v: (conn[v], -v))
            rest.remove(nxt)
            used.append(nxt)
            prev, last = last, nxt
            for v in rest:
                conn[v] += w[nxt][v]
        cut = sum(w[last][v] for v in groups if v != last)
        best = cut if best is None else min(best, cut)
        for v in range(size):  # merge `last` into `prev`
            w[prev][v] += w[last][v]
            w[v][prev] = w[prev][v]
        w[prev][prev] = 0
        groups.remove(last)
    return best or 0


def min_cut_ok(edges: Mapping[tuple[str, str], int], k: int) -> bool:
    """True when every connected component of the bipartite part graph has a minimum cut ≥ k."""
    edges = {e: n for e, n in edges.items() if n > 0}
    if all(n >= k for n in edges.values()):
        return True  # any non-empty cut holds at least one such edge
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent[find(a)] = find(b)
    components: dict[str, list[str]] = {}
    for node in parent:
        components.setdefault(find(node), []).append(node)
    for members in components.values():
        if len(members) < 2:
            continue
        inside = set(members)
        sub = {e: n for e, n in edges.items() if e[0] in inside}
        if _stoer_wagner(sorted(members), sub) < k:
            return False
    return True


Joint = Mapping[tuple[str, str], int]  # (category, age band) → people


class CrossBlocks:
    """The decisions of rule 1–3 above for one question (or index) of one campaign.

    `tree`: the UnitTree of the question's respondents; `joint`: per unit (where people are
    attached) the respondents by (category, coarse age band).
    """

    def __init__(self, tree: UnitTree, joint: Mapping[int, Joint], k: int) -> None:
        self.tree, self.k = tree, k
        self.shown = tree.shown_units(k)
        self.owner: dict[int, int] = {}
        blocks: dict[int, dict[tuple[str, str], int]] = {}
        for uid, cells in joint.items():
            d = tree.owner(uid, self.shown)
            if d is None:
                continue
            self.owner[uid] = d
            block = blocks.setdefault(d, {})
            for key, n in cells.items():
                block[key] = block.get(key, 0) + int(n)
        # d → dimension ("category"/"age") → values kept apart
        self.apart: dict[int, dict[str, set[str]]] = {d: self._decide(cells) for d, cells in blocks.items()}

    def _decide(self, cells: dict[tuple[str, str], int]) -> dict[str, set[str]]:
        k = self.k
        cats: dict[str, int] = {}
        ages: dict[str, int] = {}
        for (cat, age), n in cells.items():
            cats[cat] = cats.get(cat, 0) + n
            ages[age] = ages.get(age, 0) + n
        cat_hidden: set[str] = suppress(cats, k)
        age_hidden: set[str] = suppress(ages, k)
        cat_apart = {c for c, n in cats.items() if n > 0} - cat_hidden
        age_apart = {a for a, n in ages.items() if n > 0} - age_hidden
        if self._safe(cells, cat_apart, age_apart):
            return {"category": cat_apart, "age": age_apart}
        # The two breakdowns together would give a small group away. Pool more of one of them,
        # smallest value first, until the block passes (with one breakdown pooled whole it
        # does; pooling a value of ≥ k keeps the pool at 0 or ≥ k); keep whichever way leaves
        # more people apart (the age bands are pooled on a tie).
        options = []
        for dimension, counts in (("age", ages), ("category", cats)):
            keep = {"category": set(cat_apart), "age": set(age_apart)}
            while keep[dimension] and not self._safe(cells, keep["category"], keep["age"]):
                keep[dimension].discard(min(keep[dimension], key=lambda v: (counts[v], v)))
            apart = sum(cats[c] for c in keep["category"]) + sum(ages[a] for a in keep["age"])
            options.append((apart, dimension == "age", keep))
        return max(options, key=lambda o: (o[0], o[1]))[2]

    def _safe(self, cells: dict[tuple[str, str], int], cat_apart: set[str], age_apart: set[str]) -> bool:
        edges: dict[tuple[str, str], int] = {}
        for (cat, age), n in cells.items():
            key = ("c:" + (cat if cat in cat_apart else REST), "a:" + (age if age in age_apart else REST))
            edges[key] = edges.get(key, 0) + n
        return min_cut_ok(edges, self.k)

    def part(self, uid: int, dimension: str, value: str) -> str | None:
        """The published column a respondent attached to `uid` with this value counts in
        (the value itself, or REST); None when their unit is not under a shown unit."""
        d = self.owner.get(uid)
        if d is None:
            return None
        return value if value in self.apart.get(d, {}).get(dimension, set()) else REST
