"""Scoring a grouping against gold groups: pairwise precision/recall/F1 and B-cubed.

Items are paired records (or gold events, for processes); each has a system group and a gold
group. Pairwise: over every two items, the system joins them or not, gold does or not. B-cubed:
per item, the share of its system group that shares its gold group (precision) and of its gold
group that shares its system group (recall), averaged over items.
"""

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from app.evaluation.scoring import Prf, prf


@dataclass(frozen=True)
class GroupingScore:
    """How a grouping compares to gold."""

    items: int
    pairwise: Prf
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    system_groups: int
    gold_groups: int

    @property
    def ratio(self) -> float:
        """System groups per gold group (above 1: over-split; below 1: over-joined)."""
        return self.system_groups / self.gold_groups if self.gold_groups else 0.0


def score_grouping(system: Sequence[Hashable], gold: Sequence[Hashable]) -> GroupingScore:
    """Compare two labelings of the same items (`system[i]` and `gold[i]` label item i)."""
    if len(system) != len(gold):
        raise ValueError("both groupings must label the same items")
    both = Counter(zip(system, gold, strict=True))
    mine, theirs = Counter(system), Counter(gold)
    joined_both = sum(_pairs(n) for n in both.values())
    pairwise = prf(joined_both, sum(map(_pairs, mine.values())), sum(map(_pairs, theirs.values())))
    n = len(system)
    precision = sum(c * c / mine[s] for (s, _), c in both.items()) / n if n else 1.0
    recall = sum(c * c / theirs[g] for (_, g), c in both.items()) / n if n else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return GroupingScore(n, pairwise, precision, recall, f1, len(mine), len(theirs))


def _pairs(n: int) -> int:
    return n * (n - 1) // 2
