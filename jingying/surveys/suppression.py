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

    def children_shown(self, uid: int, k: int) -> dict[int | str, bool]:
        """For a shown unit: each child cell (and SELF) — shown or hidden."""
        hidden = suppress(self.cells(uid), k)
        return {key: key not in hidden for key in self.cells(uid)}
