"""Vague reports that would bridge two developments.

A report dated only by its month ("a two-stage exchange in Doha in December") matches both
exchanges of that month, the 8th's and the 15th's, and linked to both it would join them into
one event. So a vague report (dated by a month, a year or its article) whose day-dated matches
hold two that conflict (app.events.similarity.conflict), each agreed with by enough others
(`agreeing_reports` in tuning.toml) or both told apart by one article ("the second swap on the
18th, after the first on the 4th"), is ambiguous: it links through one match only, the one
that conflicts with the fewest of them, then the best scored, then the earliest, then the
lowest id. A report of one day alone against the others is outvoted, not taken for a second
development (an extractor's wrong date). And two vague reports link only if their day-dated
matches together hold no such conflict: "in December" and "last month" must not chain the
8th to the 15th either.

All of it depends on a report's matches and theirs, never on the order reports came in:
attaching a report judges again the vague reports it matches, and taking one away attaches
again the vague reports it matched (app.events.attach).
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from app.events.facts import Facts, Precision
from app.events.similarity import Match, conflict
from app.events.tuning import EventTuning


@dataclass(frozen=True)
class Standing:
    """How a report links: through every match, or through one record only (and why)."""

    through: int | None = None
    why: str | None = None


@dataclass(frozen=True)
class View:
    """What a report's links depend on: its standing and its day-dated matches."""

    standing: Standing = Standing()
    dated: frozenset[Facts] = field(default_factory=frozenset)


def vague(report: Facts) -> bool:
    """Whether a report is dated less precisely than to the day."""
    return report.precision is not Precision.DAY


def dated(reports: Iterable[Facts]) -> frozenset[Facts]:
    """The reports dated to the day."""
    return frozenset(r for r in reports if not vague(r))


def clash(reports: Iterable[Facts], tuning: EventTuning) -> tuple[Facts, Facts, str] | None:
    """Two of the day-dated `reports` that conflict, each agreed with by another; or None."""
    ordered = sorted(reports, key=lambda r: r.id)
    support = {r.id: _agreeing(r, ordered, tuning) for r in ordered}
    for a, b in combinations(ordered, 2):
        # One article telling two developments apart is as good as two reports of each.
        if a.article_id == b.article_id and conflict(a, b, tuning) is not None:
            return a, b, "one article tells them apart"
        if min(support[a.id], support[b.id]) < tuning.agreeing_reports:
            continue
        why = conflict(a, b, tuning)
        if why is not None:
            return a, b, why
    return None


def view(report: Facts, matches: Sequence[tuple[Match, Facts]], tuning: EventTuning) -> View:
    """A report's view of its matches (each with its match to the report)."""
    day_dated = dated(f for _, f in matches)
    if not vague(report):
        return View(dated=day_dated)
    found = clash(day_dated, tuning)
    if found is None:
        return View(dated=day_dated)
    a, b, why = found
    best = min(matches, key=lambda pair: _rank(pair, day_dated, tuning))[1]
    return View(Standing(best.id, f"matches records {a.id} and {b.id}, {why}"), day_dated)


def linked(a: Facts, a_view: View, b: Facts, b_view: View, tuning: EventTuning) -> bool:
    """Whether two matching reports link, given their views."""
    through_a, through_b = a_view.standing.through, b_view.standing.through
    if through_a is not None or through_b is not None:
        return through_a == b.id or through_b == a.id
    if vague(a) and vague(b):
        return clash(a_view.dated | b_view.dated, tuning) is None
    return True


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
