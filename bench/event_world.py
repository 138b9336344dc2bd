"""A synthetic world of peace-process news for the events benchmark.

Each country has one conflict (its government against one armed group), one lead mediator and
a few places. For each of the five kinds, a country has a stream of developments: a development
every few days (never closer than `MIN_GAP`), each reported by a handful of outlets on its day,
day-precise. Statuses are drawn so that two developments of one stream inside the kind's window
have the same status or statuses of different phases: the real matching code then tells them
apart, and the grouping the benchmark writes is the one `app.events` itself would make.

Deterministic for a given seed.
"""

import datetime as dt
import heapq
import json
import random
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import pycountry

from app.events.facts import mediator_key, side_identity
from app.events.tuning import tuning
from app.extraction.contract import Actor, ExtractedRecord, ThirdParty
from app.extraction.vocabulary import RecordKind, RecordStatus
from app.normalize.countries import country_name
from app.records.prepare import prepare
from bench.synthetic import MEDIATORS

KINDS: tuple[RecordKind, ...] = tuple(RecordKind)
MIN_GAP = 2  # days: two day-precise reports of one status further apart are two developments
# Outlets reporting one development: mostly a handful, sometimes one, sometimes many.
REPORTS = (1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 8)
MEAN_REPORTS = sum(REPORTS) / len(REPORTS)
END = dt.date(2026, 6, 30)  # the newest day of every store
_GROUP_WORDS = ("Liberation", "Patriotic", "Revolutionary", "Democratic", "Popular", "National")
_GROUP_TYPES = ("Front", "Movement", "Army", "Alliance", "Council", "Forces")
_TOWNS = ("Northgate", "Eastbridge", "Southmoor", "Westfield")


@dataclass(frozen=True)
class Country:
    """A country at war and its conflict's fixed cast, as stored records spell them."""

    code: str
    name: str
    government: str
    group: str
    mediator: tuple[str, str, str | None]  # name, kind, country
    towns: tuple[str, ...]
    parties: list[dict[str, Any]]  # normalised through app.records.prepare, as stored
    mediators: list[dict[str, Any]]
    mediator_index: list[tuple[str, str]]  # (mediator key, role): record_mediator rows
    cast_json: tuple[str, str, str]  # parties, mediators, countries as stored JSON


@dataclass(frozen=True)
class Development:
    """One development and how many outlets report it."""

    country: Country
    kind: RecordKind
    status: RecordStatus
    day: dt.date
    count: int | None
    town: str
    reports: int


@dataclass(frozen=True)
class Layout:
    """Which countries a store covers, how active each is, and over how many days."""

    countries: tuple[Country, ...]
    weights: tuple[float, ...]
    days: int


@dataclass(order=True)
class Stream:
    """The developments of one kind in one country, one after the other."""

    next_day: dt.date
    key: int
    country: Country = field(compare=False)
    kind: RecordKind = field(compare=False)
    mean_gap: float = field(compare=False)
    recent: deque[Development] = field(compare=False, default_factory=lambda: deque(maxlen=4))

    def develop(self, rng: random.Random) -> Development:
        """The next development, on `next_day`; moves `next_day` on."""
        development = Development(
            country=self.country,
            kind=self.kind,
            status=self._status(rng),
            day=self.next_day,
            count=rng.randint(3, 400) if self.kind in _COUNTED else None,
            town=rng.choice(self.country.towns),
            reports=rng.choice(REPORTS),
        )
        self.recent.append(development)
        self.next_day += dt.timedelta(days=self._gap(rng))
        return development

    def _gap(self, rng: random.Random) -> int:
        widest = max(MIN_GAP, round(2 * self.mean_gap) - MIN_GAP)
        return rng.randint(MIN_GAP, widest)

    def _status(self, rng: random.Random) -> RecordStatus:
        settings = tuning().event
        window = dt.timedelta(days=settings.window_days[self.kind])
        near = [d.status for d in self.recent if self.next_day - d.day <= window]
        allowed = [
            s
            for s in RecordStatus
            if all(
                s == n or settings.phase(self.kind, s) != settings.phase(self.kind, n) for n in near
            )
        ]
        return rng.choice(allowed)


_COUNTED = (RecordKind.SURRENDER, RecordKind.PRISONER_EXCHANGE)


def make_country(code: str, serial: int, rng: random.Random) -> Country:
    """A country's conflict; its parties and mediator normalised by the real storage code."""
    name = country_name(code)
    government = f"Government of {name}"
    group = f"{_GROUP_WORDS[serial % 6]} {_GROUP_TYPES[serial // 6 % 6]} of {name}"
    mediator = rng.choice(MEDIATORS)
    quote = f"{government} and the {group} met."
    template = ExtractedRecord(
        kind=RecordKind.NEGOTIATION,
        status=RecordStatus.ONGOING,
        parties=[
            Actor(name=government, kind="state", country=code),
            Actor(name=group, kind="armed_group", country=code),
        ],
        mediators=[
            ThirdParty(name=mediator[0], kind=mediator[1], country=mediator[2], role="mediator")
        ],
        evidence=[quote],
    )
    (prepared,), _ = prepare([template], quote)
    assert prepared.countries == [code], (code, prepared.countries)
    assert [p.name for p in prepared.record.parties] == [government, group], prepared.record
    record = prepared.record
    parties = sorted((p.model_dump(mode="json") for p in record.parties), key=side_identity)
    mediators = sorted(
        (m.model_dump(mode="json") for m in record.mediators),
        key=lambda m: mediator_key(m) or m["name"],
    )
    return Country(
        code=code,
        name=name,
        government=government,
        group=group,
        mediator=mediator,
        towns=tuple(f"{t} ({name})" for t in _TOWNS[: 2 + serial % 3]),
        parties=parties,
        mediators=mediators,
        mediator_index=[(key, str(role)) for key, role in prepared.mediators.items()],
        cast_json=(json.dumps(parties), json.dumps(mediators), json.dumps([code])),
    )


def world(count: int, seed: int) -> list[Country]:
    """`count` countries (at most 249), in a shuffled but fixed order."""
    codes = sorted(c.alpha_3 for c in pycountry.countries)
    random.Random(seed).shuffle(codes)
    rng = random.Random(seed + 1)
    return [make_country(code, i, rng) for i, code in enumerate(codes[:count])]


def streams(layout: Layout, records_per_day: float, seed: int) -> list[Stream]:
    """A stream per country and kind; a country's share of `records_per_day` is its weight's."""
    rng = random.Random(seed)
    total = sum(layout.weights)
    start = END - dt.timedelta(days=layout.days - 1)
    found: list[Stream] = []
    for country, weight in zip(layout.countries, layout.weights, strict=True):
        per_stream = records_per_day * weight / total / len(KINDS)
        gap = MEAN_REPORTS / per_stream
        for kind in KINDS:
            first = start + dt.timedelta(days=rng.randrange(max(1, round(gap))))
            found.append(Stream(first, len(found), country, kind, gap))
    return found


def developments(
    all_streams: Sequence[Stream], *, records: int, seed: int
) -> Iterator[Development]:
    """Developments in day order until `records` reports are told (the last one cut short)."""
    rng = random.Random(seed)
    heap = list(all_streams)
    heapq.heapify(heap)
    told = 0
    while told < records:
        stream = heapq.heappop(heap)
        development = stream.develop(rng)
        if told + development.reports > records:
            development = _cut(development, records - told)
            stream.recent[-1] = development
        told += development.reports
        yield development
        heapq.heappush(heap, stream)


def _cut(development: Development, reports: int) -> Development:
    return replace(development, reports=reports)
