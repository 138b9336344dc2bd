"""Finding events and processes: the filters of records through the events' own index rows,
newest development first, keyset pages over (sort day, id)."""

import base64
import binascii
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, or_
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.errors import InvalidInput
from app.events.tables import Event, EventCountry, EventMediator, Process
from app.records.search import RecordQuery, text_condition
from app.records.tables import Record

_BAD_CURSOR = "invalid cursor: pass back a next_cursor from a previous page"
_MAX_ID = 2_147_483_647  # the id columns' range


@dataclass(frozen=True)
class EventQuery:
    """The record filters plus the event's own: its process and how many sources it has."""

    records: RecordQuery
    process: int | None = None
    min_sources: int | None = None


@dataclass(frozen=True)
class Position:
    """Where a page ended: the last item's sort day and id."""

    day: dt.date
    id: int


def encode_position(position: Position) -> str:
    """An opaque cursor pointing after `position`."""
    raw = json.dumps({"d": position.day.isoformat(), "id": position.id}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_position(cursor: str) -> Position:
    """The position a cursor points after; a 422 for anything we did not issue."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        position = Position(dt.date.fromisoformat(data["d"]), data["id"])
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput(_BAD_CURSOR) from exc
    if not isinstance(position.id, int) or isinstance(position.id, bool):
        raise InvalidInput(_BAD_CURSOR)
    if not 1 <= position.id <= _MAX_ID:
        raise InvalidInput(_BAD_CURSOR)
    return position


def find_events(
    session: Session, query: EventQuery, *, limit: int, after: Position | None = None
) -> Sequence[Event]:
    """Events matching every filter, newest development first, at most `limit`.

    With a country (else a mediator), its index rows, which carry the sort key, give the order:
    a page reads about `limit` of them, however common or rare the country. Filtering the
    events' own order instead leaves the planner to choose between walking every event back
    until enough match (slow for a rare country) and sorting all of a country's events (slow
    for a common one); PostgreSQL chose badly at some counts, SQLite always sorted.
    """
    f = query.records
    stmt = select(Event)
    day, ident = col(Event.sort_date), col(Event.id)
    if f.country:
        stmt = stmt.join(EventCountry, col(EventCountry.event_id) == Event.id)
        stmt = stmt.where(EventCountry.country == f.country)
        day, ident = col(EventCountry.sort_date), col(EventCountry.event_id)
    elif f.mediator:
        stmt = stmt.join(EventMediator, col(EventMediator.event_id) == Event.id)
        stmt = stmt.where(EventMediator.mediator == f.mediator)
        day, ident = col(EventMediator.sort_date), col(EventMediator.event_id)
    if f.country and f.mediator:
        by_mediator = select(EventMediator.event_id).where(EventMediator.mediator == f.mediator)
        stmt = stmt.where(col(Event.id).in_(by_mediator))
    stmt = _filtered(session, stmt, query)
    if f.since:
        stmt = stmt.where(day >= f.since)
    if after is not None:
        stmt = stmt.where(_before(day, ident, after))
    return session.exec(stmt.order_by(day.desc(), ident.desc()).limit(limit)).all()


def matching_events(session: Session, query: EventQuery) -> SelectOfScalar[Event]:
    """The events matching every filter, unordered (for counting them)."""
    f = query.records
    stmt = select(Event)
    if f.country:
        by_country = select(EventCountry.event_id).where(EventCountry.country == f.country)
        stmt = stmt.where(col(Event.id).in_(by_country))
    if f.mediator:
        by_mediator = select(EventMediator.event_id).where(EventMediator.mediator == f.mediator)
        stmt = stmt.where(col(Event.id).in_(by_mediator))
    if f.since:
        stmt = stmt.where(col(Event.sort_date) >= f.since)
    return _filtered(session, stmt, query)


def count_events(session: Session, query: EventQuery) -> dict[str, dict[str, int]]:
    """How many events match the filters, per kind and per status."""
    matching = matching_events(session, query).subquery()
    counts: dict[str, dict[str, int]] = {}
    for field in ("kind", "status"):
        column = matching.c[field]
        rows = session.exec(select(column, func.count()).group_by(column)).all()
        counts[field] = {str(value): int(n) for value, n in rows}
    return counts


def _filtered(
    session: Session, stmt: SelectOfScalar[Event], query: EventQuery
) -> SelectOfScalar[Event]:
    """`stmt` with the filters the order does not depend on (all but country, mediator, since)."""
    f = query.records
    if f.kind:
        stmt = stmt.where(Event.kind == f.kind)
    if f.status:
        stmt = stmt.where(Event.status == f.status)
    if f.until:  # like records: the development's span overlaps the range
        stmt = stmt.where(func.coalesce(col(Event.date_from), col(Event.sort_date)) <= f.until)
    if f.q:
        reports = select(Record.event_id).where(text_condition(session, f.q))
        stmt = stmt.where(col(Event.id).in_(reports))
    if query.process is not None:
        stmt = stmt.where(Event.process_id == query.process)
    if f.review is not None:
        reviewed = select(Record.event_id).where(Record.review == f.review)
        stmt = stmt.where(col(Event.id).in_(reviewed))
    if query.min_sources is not None:
        stmt = stmt.where(col(Event.source_count) >= query.min_sources)
    return stmt


def _before(
    day: Mapped[dt.date], ident: Mapped[int | None], position: Position
) -> ColumnElement[bool]:
    # The first term alone bounds an index range; the rest is the exact keyset condition.
    return and_(
        day <= position.day,
        or_(day < position.day, and_(day == position.day, ident < position.id)),
    )


def find_processes(
    session: Session, query: RecordQuery, *, limit: int, after: Position | None = None
) -> Sequence[Process]:
    """Processes with an event matching the filters (country, mediator, q), the most recently
    active first."""
    stmt = select(Process).where(col(Process.date_to).is_not(None))
    events = select(Event.process_id)
    if query.country:
        events = events.where(
            col(Event.id).in_(
                select(EventCountry.event_id).where(EventCountry.country == query.country)
            )
        )
    if query.mediator:
        events = events.where(
            col(Event.id).in_(
                select(EventMediator.event_id).where(EventMediator.mediator == query.mediator)
            )
        )
    if query.q:
        events = events.where(
            col(Event.id).in_(select(Record.event_id).where(text_condition(session, query.q)))
        )
    if query.country or query.mediator or query.q:
        stmt = stmt.where(col(Process.id).in_(events))
    if after is not None:
        stmt = stmt.where(
            or_(
                col(Process.date_to) < after.day,
                and_(col(Process.date_to) == after.day, col(Process.id) < after.id),
            )
        )
    order = (col(Process.date_to).desc(), col(Process.id).desc())
    return session.exec(stmt.order_by(*order).limit(limit)).all()


def timeline(session: Session, process_id: int) -> Sequence[Event]:
    """A process's events in date order, oldest first."""
    stmt = select(Event).where(Event.process_id == process_id)
    return session.exec(stmt.order_by(col(Event.sort_date), col(Event.id))).all()
