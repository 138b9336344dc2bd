"""API shapes of records: what clients read. Tables live in `app.records.tables`; the LLM
contract in `app.extraction.contract`; `app.records.mapping` maps between them."""

from datetime import datetime

from pydantic import BaseModel, Field

from app.extraction.vocabulary import (
    ActorKind,
    CountQualifier,
    ExtractorName,
    RecordKind,
    RecordStatus,
    TalksFormat,
    ThirdPartyRole,
)
from app.records.review_state import ReviewState


class ActorOut(BaseModel):
    """A side of the conflict, normalised."""

    name: str
    kind: ActorKind
    country: str | None = Field(description="ISO 3166-1 alpha-3, or null.")


class ThirdPartyOut(ActorOut):
    """A mediator, host, facilitator, observer or guarantor."""

    role: ThirdPartyRole


class PlaceOut(BaseModel):
    """Where the development takes or took place."""

    name: str
    country: str | None = Field(description="ISO 3166-1 alpha-3, or null.")


class Evidence(BaseModel):
    """A quote located in the article text: `text[start:end]` is the quoted span."""

    quote: str
    start: int
    end: int


class Usage(BaseModel):
    """Tokens the extraction call spent."""

    prompt_tokens: int
    completion_tokens: int
    llm_calls: int


class RecordOut(BaseModel):
    """A stored record, grounded and normalised."""

    id: int
    article_id: int
    kind: RecordKind
    status: RecordStatus
    summary: str
    parties: list[ActorOut]
    mediators: list[ThirdPartyOut]
    location: PlaceOut | None
    countries: list[str] = Field(description="ISO3 codes of the conflict.")
    date: str | None
    end_date: str | None
    round: int | None
    format: TalksFormat | None
    topics: list[str]
    count: int | None
    count_qualifier: CountQualifier | None
    programme: str | None
    attributed_to: str | None
    background: bool
    confidence: float | None = Field(
        description="How sure the rules extractor is that the record is right (0-1, calibrated "
        "on its case table; see the README); null for LLM records."
    )
    evidence: list[Evidence]
    review: ReviewState = Field(
        description="unreviewed (machine output), approved, corrected or rejected."
    )
    event_id: int | None = Field(
        description="The event (development) this record reports; see /v1/events/{id}."
    )
    extractor: ExtractorName
    model: str | None
    prompt_version: str | None
    usage: Usage
    created_at: datetime


class RecordPage(BaseModel):
    """A page of records; pass `next_cursor` back as `cursor` for the next one."""

    items: list[RecordOut]
    next_cursor: str | None
