"""Stored events and processes to their API shapes, loading sources in one query per page."""

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy.orm import QueryableAttribute, defer
from sqlmodel import Session, col, select

from app.articles.tables import Article
from app.events.schemas import (
    EventDetail,
    EventOut,
    ProcessDetail,
    ProcessOut,
    SourceOut,
    SourceWithEvidence,
)
from app.events.tables import Event, Process
from app.records.schemas import ActorOut, Evidence, PlaceOut, ThirdPartyOut
from app.records.tables import Record


def _sources(session: Session, event_ids: Sequence[int]) -> dict[int, list[SourceWithEvidence]]:
    rows = session.exec(
        select(Record, Article)
        .join(Article, col(Article.id) == Record.article_id)
        .where(col(Record.event_id).in_(event_ids))
        .order_by(col(Article.published_at), col(Record.id))
        # A source needs the article's title and address, not its text (an export reads
        # every event's sources: whole articles would make a batch's memory theirs).
        .options(defer(_attribute(Article.text)), defer(_attribute(Record.search_text)))
    ).all()
    found: dict[int, list[SourceWithEvidence]] = {e: [] for e in event_ids}
    for record, article in rows:
        assert record.event_id is not None
        assert record.id is not None
        assert article.id is not None
        found[record.event_id].append(
            SourceWithEvidence(
                article_id=article.id,
                record_id=record.id,
                title=article.title,
                source=article.source,
                url=article.url,
                published_at=article.published_at,
                score=record.event_score,
                reasons=record.event_reasons or [],
                evidence=[Evidence.model_validate(e) for e in record.evidence],
            )
        )
    return found


def _attribute(column: object) -> "QueryableAttribute[Any]":
    """A table class's attribute as SQLAlchemy's loader options take it (SQLModel types it as
    its value)."""
    return cast("QueryableAttribute[Any]", column)


def _fields(event: Event) -> dict[str, object]:
    return {
        "id": event.id,
        "kind": event.kind,
        "status": event.status,
        "summary": event.summary,
        "parties": [ActorOut.model_validate(p) for p in event.parties],
        "mediators": [ThirdPartyOut.model_validate(m) for m in event.mediators],
        "location": PlaceOut.model_validate(event.location) if event.location else None,
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
    sources = _sources(session, [_id(e.id) for e in events])
    return [
        EventOut.model_validate(
            {
                **_fields(e),
                "sources": [
                    SourceOut(**s.model_dump(exclude={"evidence"})) for s in sources[_id(e.id)]
                ],
            }
        )
        for e in events
    ]


def event_detail(session: Session, event: Event) -> EventDetail:
    """One event with each source's evidence."""
    sources = _sources(session, [_id(event.id)])[_id(event.id)]
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
