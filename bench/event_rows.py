"""Rows of every table a stored, attached report touches, for loading a synthetic store in bulk.

A development becomes one event; each of its reports one article (with its extraction) and one
record, already attached (`event_id`, score, reasons), with its index rows. The event's fields
are what `app.events.consolidate` makes of such reports (they agree on everything but wording);
a country's events are one process. `bench.events` checks a sample against the real code.

Values are plain strings and numbers both SQLite (as SQLAlchemy stores them) and PostgreSQL
(COPY text, session time zone UTC) read: dates `YYYY-MM-DD`, times `YYYY-MM-DD HH:MM:SS.ffffff`.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import SQLModel

import app.tables  # noqa: F401  (every model, so the metadata holds the whole schema)
from app.events.attach import STARTED
from app.events.consolidate import LIFECYCLE
from bench.event_text import OUTLETS, article_text, wording
from bench.event_world import Country, Development

Row = tuple[object, ...]

# The order rows are written in: every foreign key points at a row already written.
TABLES = (
    "process",
    "article",
    "extraction",
    "event",
    "record",
    "record_country",
    "record_mediator",
    "event_anchor",
    "event_country",
    "event_mediator",
)
# Each table's columns, from the models the migrations are checked against.
COLUMNS = {name: tuple(SQLModel.metadata.tables[name].columns.keys()) for name in TABLES}


def row(table: str, **values: object) -> Row:
    """A row of `table` in its column order; columns not given are NULL."""
    unknown = values.keys() - COLUMNS[table]
    assert not unknown, (table, unknown)
    return tuple(values.get(column) for column in COLUMNS[table])


def stamp(day: dt.date, minutes: int) -> str:
    """A UTC time on `day`, as SQLAlchemy stores it on SQLite (PostgreSQL reads it too)."""
    return f"{day.isoformat()} {6 + minutes // 60:02d}:{minutes % 60:02d}:00.000000"


def dumps(value: Any) -> str:
    """JSON as SQLAlchemy's JSON type writes it."""
    return json.dumps(value)


@dataclass
class Process:
    """A country's process, summed up as its events are written."""

    id: int
    country: Country
    date_from: dt.date
    date_to: dt.date
    latest: tuple[dt.date, int]
    events: int = 0

    def add(self, development: Development) -> None:
        """Count in one more event."""
        self.date_from = min(self.date_from, development.day)
        self.date_to = max(self.date_to, development.day)
        self.latest = max(self.latest, (development.day, LIFECYCLE.index(development.status)))
        self.events += 1

    def row(self) -> Row:
        """The process row (`app.events.processes.describe` of its events)."""
        c = self.country
        return row(
            "process",
            id=self.id,
            title=" – ".join(str(p["name"]) for p in c.parties),
            parties=c.cast_json[0],
            countries=c.cast_json[2],
            mediators=dumps(sorted({str(m["name"]) for m in c.mediators})),
            date_from=self.date_from.isoformat(),
            date_to=self.date_to.isoformat(),
            latest_status=str(LIFECYCLE[self.latest[1]]),
            event_count=self.events,
            updated_at=stamp(self.date_to, 0),
        )


class Rows:
    """Rows for developments, numbered from 1 in the order they come (ids grow with time)."""

    def __init__(self, countries: Iterable[Country]) -> None:
        self.tables: dict[str, list[Row]] = {t: [] for t in TABLES}
        self.processes = {
            c.code: Process(i + 1, c, dt.date.max, dt.date.min, (dt.date.min, 0))
            for i, c in enumerate(countries)
        }
        self.records = 0
        self.events = 0

    def take(self) -> dict[str, list[Row]]:
        """The rows made since the last call."""
        taken, self.tables = self.tables, {t: [] for t in TABLES}
        return taken

    def add(self, development: Development) -> None:
        """An event and its reports, attached."""
        self.events += 1
        process = self.processes[development.country.code]
        process.add(development)
        first = self.records + 1
        for outlet in range(development.reports):
            self.records += 1
            self._report(development, outlet, first)
        self._event(development, process.id)

    def _report(self, d: Development, outlet: int, first: int) -> None:
        rid, t = self.records, self.tables
        summary, sentence = wording(d, outlet)
        text, at = article_text(sentence, rid), stamp(d.day, 37 * outlet)
        t["article"].append(
            row(
                "article",
                id=rid,
                status="done",
                title=f"Dispatch {rid}",
                source=OUTLETS[outlet % len(OUTLETS)],
                published_at=at,
                language="en",
                text=text,
                text_hash=_fingerprint(text),
                attempts=1,
                job_key=f"{rid:032x}",
                extraction_mode="sync",
                created_at=at,
                updated_at=at,
            )
        )
        t["extraction"].append(_extraction(rid, at))
        t["record"].append(self._record(d, summary, sentence, first, at))
        code, day = d.country.code, d.day.isoformat()
        t["record_country"].append(row("record_country", record_id=rid, country=code))
        t["record_mediator"].extend(
            row("record_mediator", record_id=rid, mediator=key, role=role)
            for key, role in d.country.mediator_index
        )
        t["event_anchor"].append(
            row(
                "event_anchor",
                record_id=rid,
                country=code,
                kind=str(d.kind),
                day_from=day,
                day_to=day,
            )
        )

    def _record(self, d: Development, summary: str, sentence: str, first: int, at: str) -> Row:
        rid, day = self.records, d.day.isoformat()
        parties, mediators, countries = d.country.cast_json
        names = [str(p["name"]) for p in d.country.parties]
        joined = rid != first
        return row(
            "record",
            id=rid,
            article_id=rid,
            extraction_id=rid,
            seq=0,
            kind=str(d.kind),
            status=str(d.status),
            summary=summary,
            parties=parties,
            mediators=mediators,
            location=_location(d),
            countries=countries,
            date=day,
            date_from=day,
            date_to=day,
            topics="[]",
            count=d.count,
            count_qualifier=None if d.count is None else "exact",
            background=0,
            evidence=json.dumps([{"quote": sentence, "start": 0, "end": len(sentence)}]),
            search_text="\n".join([summary, sentence, *names, d.town]),
            event_id=self.events,
            event_score=0.9 if joined else None,
            event_reasons=json.dumps([f"matches record {first}"] if joined else [STARTED]),
            event_pinned=0,
            review="unreviewed",
            created_at=at,
        )

    def _event(self, d: Development, process: int) -> None:
        eid, code, day, t = self.events, d.country.code, d.day.isoformat(), self.tables
        parties, mediators, countries = d.country.cast_json
        last = stamp(d.day, 37 * (d.reports - 1))
        t["event"].append(
            row(
                "event",
                id=eid,
                kind=str(d.kind),
                status=str(d.status),
                summary=wording(d, 0)[0],
                parties=parties,
                mediators=mediators,
                location=_location(d),
                countries=countries,
                date=day,
                date_from=day,
                date_to=day,
                sort_date=day,
                count=d.count,
                process_id=process,
                source_count=d.reports,
                first_reported_at=stamp(d.day, 0),
                last_reported_at=last,
                updated_at=last,
            )
        )
        t["event_country"].append(row("event_country", event_id=eid, country=code, sort_date=day))
        t["event_mediator"].extend(
            row("event_mediator", event_id=eid, mediator=key, role=role, sort_date=day)
            for key, role in d.country.mediator_index
        )


def _extraction(rid: int, at: str) -> Row:
    return row(
        "extraction",
        id=rid,
        article_id=rid,
        extractor="llm",
        model="bench",
        prompt_version="extract-v1",
        prompt_tokens=900,
        completion_tokens=120,
        llm_calls=1,
        records_dropped=0,
        drop_reasons="[]",
        skipped_by_gate=0,
        mode="sync",
        created_at=at,
    )


_LOCATIONS: dict[str, str] = {}


def _location(development: Development) -> str:
    found = _LOCATIONS.get(development.town)
    if found is None:
        place = {"name": development.town, "country": development.country.code}
        found = _LOCATIONS[development.town] = dumps(place)
    return found


def _fingerprint(text: str) -> str:
    # app.articles.accept.text_fingerprint without its Unicode and spacing folding: the texts
    # written here are already in that form.
    return hashlib.sha256(text.encode()).hexdigest()
