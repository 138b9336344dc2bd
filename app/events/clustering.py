"""Reports joined into events as the connected groups of the match graph, in memory.

Two reports are linked when `compare` scores them at or above the threshold; an event is a
connected group of linked reports. Groups of a graph do not depend on the order its edges are
found in, which is why attaching reports one by one (app.events.attach), rebuilding, and this
in-memory pass all give the same grouping. The evaluation and the tests use this module.
"""

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TypeVar

from app.events.ambiguity import joined
from app.events.facts import Facts
from app.events.similarity import compare
from app.events.tuning import EventTuning

T = TypeVar("T")


class UnionFind:
    """Disjoint sets over hashable items; the groups come out in a stable order."""

    def __init__(self, items: Iterable[int]) -> None:
        self._parent = {item: item for item in items}

    def find(self, item: int) -> int:
        """The representative (smallest member) of `item`'s set."""
        root = item
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[item] != root:
            self._parent[item], item = root, self._parent[item]
        return root

    def union(self, a: int, b: int) -> None:
        """Join the sets of `a` and `b`; the smaller representative stays."""
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        """Every set, sorted, ordered by their smallest member."""
        found: dict[int, list[int]] = {}
        for item in sorted(self._parent):
            found.setdefault(self.find(item), []).append(item)
        return list(found.values())


def components(
    items: Sequence[T],
    key: Callable[[T], int],
    linked: Callable[[T, T], bool],
    together: Collection[int] = (),
) -> list[list[int]]:
    """Connected groups of `items` (by `key`) under the symmetric relation `linked`; the items
    keyed in `together` are in one group whatever links them."""
    sets = UnionFind(key(item) for item in items)
    bound = sorted(together)
    for item in bound[1:]:
        sets.union(bound[0], item)
    for i, a in enumerate(items):
        for b in items[i + 1 :]:
            if sets.find(key(a)) != sets.find(key(b)) and linked(a, b):
                sets.union(key(a), key(b))
    return sets.groups()


def group_reports(
    reports: Sequence[Facts],
    tuning: EventTuning,
    together: Collection[int] = (),
    through: Mapping[int, int] | None = None,
) -> list[list[int]]:
    """The events `reports` form: lists of report ids, each sorted, by smallest id; the reports
    in `together` (placed by a person) stay in one, and an ambiguous report (its id in
    `through`) links only through the record it names (app.events.ambiguity)."""
    only = through or {}

    def linked(a: Facts, b: Facts) -> bool:
        if a.id in only or b.id in only:
            return joined(a.id, only.get(a.id), b.id, only.get(b.id))
        match = compare(a, b, tuning)
        return match is not None and match.score >= tuning.threshold

    return components(reports, lambda f: f.id, linked, together)
