"""API shapes of events and processes: what clients read (tables: app.events.tables)."""

import datetime as dt
from datetime import datetime

from pydantic import BaseModel, Field

from app.extraction.vocabulary import RecordKind, RecordStatus
from app.records.schemas import ActorOut, Evidence, PlaceOut, ThirdPartyOut


class SourceOut(BaseModel):
    """One article reporting the development, through the record it yielded."""

    article_id: int
    record_id: int
    title: str | None
    source: str | None
    url: str | None
    published_at: datetime | None
    score: float | None = Field(
        description="How well the report matched the event when it was attached (0..1); null "
        "for the report that started the event."
    )
    reasons: list[str] = Field(description="Why it was attached: the match and its parts.")


class SourceWithEvidence(SourceOut):
    """A source with the quotes its record is grounded in."""

    evidence: list[Evidence]


class EventOut(BaseModel):
    """One development, consolidated from every report of it."""

    id: int
    kind: RecordKind
    status: RecordStatus
    summary: str
    parties: list[ActorOut]
    mediators: list[ThirdPartyOut]
    location: PlaceOut | None
    countries: list[str] = Field(description="ISO3 codes of the conflict.")
    date: str | None
    end_date: str | None
    count: int | None
    process_id: int | None
    source_count: int = Field(description="How many articles report it.")
    first_reported_at: datetime | None
    last_reported_at: datetime | None
    sources: list[SourceOut]


class EventDetail(EventOut):
    """An event with each source's evidence."""

    sources: list[SourceWithEvidence]  # type: ignore[assignment]


class EventPage(BaseModel):
    """A page of events, newest development first; pass `next_cursor` back as `cursor`."""

    items: list[EventOut]
    next_cursor: str | None


class ProcessOut(BaseModel):
    """A peace process: the thread of events of the same sides."""

    id: int
    title: str = Field(description="Its sides, named.")
    parties: list[ActorOut]
    countries: list[str]
    mediators: list[str] = Field(description="Third parties named in any of its events.")
    date_from: dt.date | None = Field(description="The first day of its earliest event.")
    date_to: dt.date | None = Field(description="The day of its latest event.")
    latest_status: RecordStatus | None = Field(description="The status of its latest event.")
    event_count: int


class ProcessDetail(ProcessOut):
    """A process with its timeline: its events in date order, oldest first."""

    events: list[EventOut]


class ProcessPage(BaseModel):
    """A page of processes, the most recently active first."""

    items: list[ProcessOut]
    next_cursor: str | None
