"""Records as CSV or NDJSON: the CSV columns (their one definition; the README lists them in
this order) and every record matching the filters, newest first, in keyset batches."""

from collections.abc import Sequence

from fastapi.responses import StreamingResponse
from sqlmodel import Session

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
from app.records.mapping import records_out
from app.records.schemas import RecordOut
from app.records.search import RecordQuery, find_records
from app.records.tables import Record

COLUMNS: tuple[Column, ...] = (
    field("id"),
    field("article_id"),
    field("event_id"),
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
    field("round"),
    field("format"),
    field("topics"),
    field("count"),
    field("count_qualifier"),
    field("programme"),
    field("attributed_to"),
    field("background"),
    each("evidence", "evidence", "quote"),
    field("extractor"),
    field("model"),
    field("prompt_version"),
    field("created_at"),
    field("review"),
    field("confidence"),
)


def export_records(
    session: Session, query: RecordQuery, fmt: ExportFormat, batch_size: int
) -> StreamingResponse:
    """Every record matching `query`, streamed as `fmt` (the first batch read before answering)."""

    def fetch(after: int | None, size: int) -> Sequence[Record]:
        return find_records(session, query, limit=size, after=after)

    def items(rows: Sequence[Record]) -> list[RecordOut]:
        return records_out(session, rows)

    keyset = Keyset(fetch=fetch, key=_record_id, items=items)
    walk = batches(session, keyset, batch_size)
    return export_response(fmt, "records", COLUMNS, walk)


def _record_id(record: Record) -> int:
    assert record.id is not None
    return record.id
