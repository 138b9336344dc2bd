"""An event's own fields, consolidated from the reports it holds.

Every choice depends only on the reports' content and their articles, never on ids or the order
they arrived in, so the same reports always give the same event:
- status: the most reported; a tie goes to the later stage (LIFECYCLE order);
- parties, mediators: the union by identity, each under its most used name (then the longest)
  and, for mediators, its most given role (then the first in ROLE_ORDER);
- date, end_date: the most precise given, the most reported among those, then the earliest;
- location, count: the most reported (a tie: the place with a country, the larger count);
- summary: the first report's (earliest article, then title, then wording).
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from app.articles.tables import Article
from app.events.facts import mediator_key, precision_of, side_identity
from app.extraction.vocabulary import RecordStatus, ThirdPartyRole
from app.records.dates import date_span
from app.records.tables import Record

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

LIFECYCLE = [
    RecordStatus.PROPOSED,
    RecordStatus.SCHEDULED,
    RecordStatus.AGREED,
    RecordStatus.ONGOING,
    RecordStatus.COMPLETED,
    RecordStatus.EXTENDED,
    RecordStatus.STALLED,
    RecordStatus.VIOLATED,
    RecordStatus.COLLAPSED,
    RecordStatus.ENDED,
]
ROLE_ORDER = list(ThirdPartyRole)
_PRECISION_RANK = {"day": 3, "month": 2, "year": 1}


@dataclass(frozen=True)
class Report:
    """A record with the article that carries it."""

    record: Record
    article: Article

    @property
    def reported_at(self) -> datetime:
        """When the article came out (when Parley got it, if it gives no date)."""
        return self.article.published_at or self.article.created_at


@dataclass
class Consolidated:
    """The fields an event takes from its reports."""

    status: RecordStatus
    summary: str
    parties: list[dict[str, Any]]
    mediators: list[dict[str, Any]]
    location: dict[str, Any] | None
    countries: list[str]
    date: str | None
    end_date: str | None
    date_from: dt.date | None
    date_to: dt.date | None
    sort_date: dt.date
    count: int | None
    first_reported_at: datetime
    last_reported_at: datetime
    source_count: int


def most_common(values: Iterable[K], tie: Callable[[K], Any]) -> K | None:
    """The most frequent value; ties go to the largest `tie(value)`."""
    counts = Counter(values)
    if not counts:
        return None
    return max(counts, key=lambda v: (counts[v], tie(v)))


def consolidate(reports: Sequence[Report]) -> Consolidated:
    """The event `reports` tell of (at least one report)."""
    records = [r.record for r in reports]
    first = min(reports, key=lambda r: (r.reported_at, r.article.title or "", r.record.summary))
    date = _best_date(r.date for r in records)
    span = date_span(date) or _union_span(records)
    times = [r.reported_at for r in reports]
    status = most_common((r.status for r in records), LIFECYCLE.index)
    assert status is not None
    return Consolidated(
        status=status,
        summary=first.record.summary,
        parties=_union(records, lambda r: r.parties, side_identity),
        mediators=_union(records, lambda r: r.mediators, lambda m: mediator_key(m) or m["name"]),
        location=_location(records),
        countries=sorted({c for r in records for c in r.countries}),
        date=date,
        end_date=_best_date(r.end_date for r in records),
        date_from=span[0] if span else None,
        date_to=span[1] if span else None,
        sort_date=span[1] if span else min(times).date(),
        count=most_common((r.count for r in records if r.count is not None), lambda c: c),
        first_reported_at=min(times),
        last_reported_at=max(times),
        source_count=len({r.article.id for r in reports}),
    )


def _best_date(dates: Iterable[str | None]) -> str | None:
    given = [d for d in dates if d]
    if not given:
        return None
    finest = max(_PRECISION_RANK[precision_of(d)] for d in given)
    candidates = [d for d in given if _PRECISION_RANK[precision_of(d)] == finest]
    counts = Counter(candidates)  # the most reported; a tie goes to the earliest
    return min(counts, key=lambda d: (-counts[d], d))


def _union_span(records: Sequence[Record]) -> tuple[dt.date, dt.date] | None:
    froms = [r.date_from for r in records if r.date_from]
    tos = [r.date_to for r in records if r.date_to]
    return (min(froms), max(tos)) if froms and tos else None


def _union(
    records: Sequence[Record],
    actors: Callable[[Record], list[dict[str, Any]]],
    identity: Callable[[Mapping[str, Any]], str],
) -> list[dict[str, Any]]:
    seen: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        for actor in actors(record):
            seen.setdefault(identity(actor), []).append(actor)
    return [_merge_actor(variants) for _, variants in sorted(seen.items())]


def _merge_actor(variants: list[dict[str, Any]]) -> dict[str, Any]:
    name = most_common((str(v["name"]) for v in variants), lambda n: (len(n), n))
    chosen = next(v for v in variants if v["name"] == name)
    merged = dict(chosen)
    if "role" in chosen:
        roles = (ThirdPartyRole(v["role"]) for v in variants if v.get("role"))
        role = most_common(roles, lambda r: -ROLE_ORDER.index(r))
        merged["role"] = str(role) if role else chosen["role"]
    return merged


def _location(records: Sequence[Record]) -> dict[str, Any] | None:
    places = [r.location for r in records if r.location]
    keyed = {(str(p["name"]), p.get("country") or ""): p for p in places}
    best = most_common(
        ((str(p["name"]), p.get("country") or "") for p in places),
        lambda key: (bool(key[1]), key),
    )
    return keyed[best] if best is not None else None
