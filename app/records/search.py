"""Finding records: filters that use the indexes, full-text search, keyset pagination."""

import base64
import binascii
import datetime as dt
import json
import re
from dataclasses import dataclass

from sqlalchemy import Integer, text
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.errors import InvalidInput
from app.records.dates import date_span
from app.records.review_state import ReviewState
from app.records.tables import Record, RecordCountry, RecordMediator

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class RecordQuery:
    """Resolved filters: countries as ISO3, mediators as identities, dates as days."""

    country: str | None = None
    mediator: str | None = None
    kind: str | None = None
    status: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    q: str | None = None
    # None hides rejected records; a state shows only records in it (rejected included).
    review: ReviewState | None = None


def encode_cursor(last_id: int) -> str:
    """An opaque cursor pointing after the record `last_id`."""
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The record id a cursor points after; a 422 for anything we did not issue."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        after = json.loads(raw)["after"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput("invalid cursor: pass back a next_cursor from a previous page") from exc
    # Within the id column's range: a crafted cursor is a 422, never a database error.
    if not isinstance(after, int) or isinstance(after, bool) or not 1 <= after <= 2_147_483_647:
        raise InvalidInput("invalid cursor: pass back a next_cursor from a previous page")
    return after


def parse_day(value: str | None, *, end: bool) -> dt.date | None:
    """A filter date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) as its first or last day."""
    if value is None:
        return None
    span = date_span(value) if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value) else None
    if span is None:
        raise InvalidInput(f"invalid date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD")
    return span[1] if end else span[0]


def text_condition(session: Session, q: str) -> ColumnElement[bool]:
    """Records whose summary, evidence, names or places contain every word of `q`."""
    words = _WORD.findall(q)
    if not words:
        raise InvalidInput("q has no words to search for")
    if session.get_bind().dialect.name == "sqlite":
        # Each word quoted: user input is never FTS5 syntax.
        match = " ".join('"' + w.replace('"', '""') + '"' for w in words)
        ids = text("SELECT rowid FROM record_fts WHERE record_fts MATCH :match").bindparams(
            match=match
        )
        return col(Record.id).in_(ids.columns(rowid=Integer))
    return text("record.search_vector @@ plainto_tsquery('english', :q)").bindparams(  # type: ignore[return-value]
        q=" ".join(words)
    )


def find_records(
    session: Session, query: RecordQuery, *, limit: int, after: int | None = None
) -> list[Record]:
    """Records matching every filter, newest first, at most `limit`."""
    stmt = select(Record)
    if query.country:
        stmt = stmt.where(
            col(Record.id).in_(
                select(RecordCountry.record_id).where(RecordCountry.country == query.country)
            )
        )
    if query.mediator:
        stmt = stmt.where(
            col(Record.id).in_(
                select(RecordMediator.record_id).where(RecordMediator.mediator == query.mediator)
            )
        )
    if query.kind:
        stmt = stmt.where(Record.kind == query.kind)
    if query.status:
        stmt = stmt.where(Record.status == query.status)
    if query.since:
        stmt = stmt.where(col(Record.date_to) >= query.since)
    if query.until:
        stmt = stmt.where(col(Record.date_from) <= query.until)
    if query.q:
        stmt = stmt.where(text_condition(session, query.q))
    if query.review is None:
        stmt = stmt.where(Record.review != ReviewState.REJECTED)
    else:
        stmt = stmt.where(Record.review == query.review)
    if after is not None:
        stmt = stmt.where(col(Record.id) < after)
    return list(session.exec(stmt.order_by(col(Record.id).desc()).limit(limit)).all())
