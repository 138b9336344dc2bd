"""Events as CSV or NDJSON: the CSV columns (their one definition; the README lists them in
this order) and every event matching the filters, newest development first, in keyset batches."""

from collections.abc import Sequence

from fastapi.responses import StreamingResponse
from sqlmodel import Session

from app.events.mapping import events_out
from app.events.schemas import EventOut
from app.events.search import EventQuery, Position, find_events
from app.events.tables import Event
from app.http.exports import (
    Column,
    ExportFormat,
    Keyset,
    batches,
    each,
    export_response,
    field,
    part_of,
)

COLUMNS: tuple[Column, ...] = (
    field("id"),
    field("kind"),
    field("status"),
    field("date"),
    field("end_date"),
    field("summary"),
    field("countries"),
    each("parties", "parties", "name"),
    each("mediators", "mediators", "name"),
    each("mediator_roles", "mediators", "role"),
    part_of("location", "location", "name"),
    part_of("location_country", "location", "country"),
    field("count"),
    field("process_id"),
    field("source_count"),
    field("first_reported_at"),
    field("last_reported_at"),
    each("source_record_ids", "sources", "record_id"),
    each("source_article_ids", "sources", "article_id"),
    each("source_outlets", "sources", "source"),
    each("source_urls", "sources", "url"),
)


def export_events(
    session: Session, query: EventQuery, fmt: ExportFormat, batch_size: int
) -> StreamingResponse:
    """Every event matching `query`, streamed as `fmt` (the first batch read before answering)."""

    def fetch(after: Position | None, size: int) -> Sequence[Event]:
        return find_events(session, query, limit=size, after=after)

    def items(rows: Sequence[Event]) -> list[EventOut]:
        return events_out(session, rows)

    keyset = Keyset(fetch=fetch, key=_position, items=items)
    walk = batches(session, keyset, batch_size)
    return export_response(fmt, "events", COLUMNS, walk)


def _position(event: Event) -> Position:
    assert event.id is not None
    return Position(event.sort_date, event.id)
