"""Vague reports that would bridge two developments.

A report dated only by its month ("a two-stage exchange in Doha in December") matches both
exchanges of that month, the 8th's and the 15th's, and linked to both it would join them into
one event. So a vague report (dated by a month or a year) whose day-dated matches hold two that
conflict (app.events.similarity.conflict), each agreed with by enough others
(`agreeing_reports` in tuning.toml) or both told apart by one article ("the second swap on the
18th, after the first on the 4th"), is ambiguous: it links through one day-dated match only,
the one that conflicts with the fewest of them, then the best scored, then the earliest, then
the lowest id, and no other report links to it but through it. A report of one day alone
against the others is outvoted, not taken for a second development (an extractor's wrong
date). An undated report is not vague here: dated by its article, the kind's window keeps it
near that day.

A report's standing depends on its matches alone, never on the order reports came in:
attaching a report judges again the vague reports it matches, and taking one away attaches
again the vague reports it matched (app.events.attach).
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from app.events.facts import Facts, Precision
from app.events.similarity import Match, conflict
from app.events.tuning import EventTuning


@dataclass(frozen=True)
class Standing:
    """How a report links: through every match, or through one record only (and why)."""

    through: int | None = None
    why: str | None = None


def vague(report: Facts) -> bool:
    """Whether a report is dated by a month or a year only."""
    return report.precision in (Precision.MONTH, Precision.YEAR)


def dated(reports: Iterable[Facts]) -> frozenset[Facts]:
    """The reports dated to the day."""
    return frozenset(r for r in reports if r.precision is Precision.DAY)


def clash(reports: Iterable[Facts], tuning: EventTuning) -> tuple[Facts, Facts, str] | None:
    """Two of the day-dated `reports` that conflict, each agreed with by another; or None."""
    ordered = sorted(reports, key=lambda r: r.id)
    support = {r.id: _agreeing(r, ordered, tuning) for r in ordered}
    for a, b in combinations(ordered, 2):
        why = conflict(a, b, tuning)
        if why is None:
            continue
        # One article telling two developments apart is as good as two reports of each.
        if a.article_id == b.article_id:
            return a, b, "one article tells them apart"
        if min(support[a.id], support[b.id]) >= tuning.agreeing_reports:
            return a, b, why
    return None


def judge(report: Facts, matches: Sequence[tuple[Match, Facts]], tuning: EventTuning) -> Standing:
    """A report's standing among its matches (each with its match to the report)."""
    if not vague(report):
        return Standing()
    day_dated = dated(f for _, f in matches)
    found = clash(day_dated, tuning)
    if found is None:
        return Standing()
    a, b, why = found
    # Through a day-dated match: another vague one contradicts nothing and would always win.
    candidates = [pair for pair in matches if pair[1] in day_dated]
    best = min(candidates, key=lambda pair: _rank(pair, day_dated, tuning))[1]
    return Standing(best.id, f"matches records {a.id} and {b.id}, {why}")


def joined(a: int, a_through: int | None, b: int, b_through: int | None) -> bool:
    """Whether two matching reports, `a` and `b` with the records they link through (None:
    through any match), are linked."""
    if a_through is None and b_through is None:
        return True
    return a_through == b or b_through == a


def _agreeing(report: Facts, reports: Sequence[Facts], tuning: EventTuning) -> int:
    """How many of `reports` (`report` among them) do not conflict with `report`."""
    return sum(1 for other in reports if conflict(report, other, tuning) is None)


def _rank(
    pair: tuple[Match, Facts], day_dated: frozenset[Facts], tuning: EventTuning
) -> tuple[int, float, dt.date, int]:
    """Fewest conflicts with the day-dated matches first, then the best score, the earliest
    date (content, not arrival, decides a tie), and only then the lowest id."""
    match, facts = pair
    conflicts = sum(1 for other in day_dated if conflict(facts, other, tuning) is not None)
    return conflicts, -match.score, facts.day_from or dt.date.min, facts.id
