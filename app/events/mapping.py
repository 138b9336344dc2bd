"""Stored events and processes to their API shapes, loading sources in one query per page."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import null
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from app.articles.tables import Article
from app.events.schemas import (
    EventDetail,
    EventOut,
    ProcessDetail,
    ProcessOut,
)
from app.events.tables import Event, Process
from app.records.schemas import ActorOut
from app.records.tables import Record


def _sources(
    session: Session, event_ids: Sequence[int], *, evidence: bool
) -> dict[int, list[dict[str, Any]]]:
    """The events' sources (fields of SourceOut, with `evidence` when asked), oldest article
    first. Only the columns shown are read: loading whole records and articles (text
    included) for every source of a page took most of the page's time."""
    columns = (
        col(Record.event_id),
        col(Record.id),
        col(Record.event_score),
        col(Record.event_reasons),
        col(Record.evidence) if evidence else null(),
        col(Article.id),
        col(Article.title),
        col(Article.source),
        col(Article.url),
        col(Article.published_at),
    )
    stmt = (
        sa_select(*columns)
        .join(Article, col(Article.id) == Record.article_id)
        .where(col(Record.event_id).in_(event_ids))
        .order_by(col(Article.published_at), col(Record.id))
    )
    rows = session.connection().execute(stmt).all()  # plain rows: no ORM objects to build
    found: dict[int, list[dict[str, Any]]] = {e: [] for e in event_ids}
    for event_id, record_id, score, reasons, quotes, article_id, title, source, url, at in rows:
        fields = {
            "article_id": article_id,
            "record_id": record_id,
            "title": title,
            "source": source,
            "url": url,
            "published_at": at,
            "score": score,
            "reasons": reasons or [],
        }
        found[event_id].append({**fields, "evidence": quotes or []} if evidence else fields)
    return found


def _fields(event: Event) -> dict[str, object]:
    """An event's own fields as stored, for its API shape to validate in one pass."""
    return {
        "id": event.id,
        "kind": event.kind,
        "status": event.status,
        "summary": event.summary,
        "parties": event.parties,
        "mediators": event.mediators,
        "location": event.location,
        "countries": event.countries,
        "date": event.date,
        "end_date": event.end_date,
        "count": event.count,
        "process_id": event.process_id,
        "source_count": event.source_count,
        "first_reported_at": event.first_reported_at,
        "last_reported_at": event.last_reported_at,
    }


def events_out(session: Session, events: Sequence[Event]) -> list[EventOut]:
    """Events in their list shape: sources without evidence."""
    sources = _sources(session, [_id(e.id) for e in events], evidence=False)
    return [EventOut.model_validate({**_fields(e), "sources": sources[_id(e.id)]}) for e in events]


def event_detail(session: Session, event: Event) -> EventDetail:
    """One event with each source's evidence."""
    sources = _sources(session, [_id(event.id)], evidence=True)[_id(event.id)]
    return EventDetail.model_validate({**_fields(event), "sources": sources})


def process_out(process: Process) -> ProcessOut:
    """A process in its list shape."""
    return ProcessOut(
        id=_id(process.id),
        title=process.title,
        parties=[ActorOut.model_validate(p) for p in process.parties],
        countries=process.countries,
        mediators=process.mediators,
        date_from=process.date_from,
        date_to=process.date_to,
        latest_status=process.latest_status,
        event_count=process.event_count,
    )


def process_detail(session: Session, process: Process, events: Sequence[Event]) -> ProcessDetail:
    """A process with its events (given in timeline order)."""
    return ProcessDetail(**process_out(process).model_dump(), events=events_out(session, events))


def _id(value: int | None) -> int:
    assert value is not None
    return value
