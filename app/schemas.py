"""API shapes: what clients send and receive. Tables live in `app.models`."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.extraction.schemas import Actor, Place, RecordKind, RecordStatus, ThirdParty

ArticleStatus = Literal["queued", "processing", "done", "failed"]


class ArticleIn(BaseModel):
    """An article to extract: its text, or a URL for the service to fetch."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, description="Article text (plain).")
    url: str | None = Field(default=None, max_length=2048, description="Where it was published.")
    title: str | None = Field(default=None, max_length=1000)
    published_at: datetime | None = Field(
        default=None, description="ISO 8601; anchors relative dates. Naive times are UTC."
    )
    source: str | None = Field(default=None, max_length=300, description="Publication name.")

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("text is empty")
        return value

    @model_validator(mode="after")
    def _text_or_url(self) -> "ArticleIn":
        if self.text is None and self.url is None:
            raise ValueError("give the article's `text`, or a `url` to fetch it from")
        return self


class Accepted(BaseModel):
    """The answer to a new article: its id and status."""

    id: int
    status: ArticleStatus


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
    parties: list[Actor]
    mediators: list[ThirdParty]
    location: Place | None
    countries: list[str] = Field(description="ISO3 codes of the conflict.")
    date: str | None
    end_date: str | None
    round: int | None
    format: str | None
    topics: list[str]
    count: int | None
    count_qualifier: str | None
    programme: str | None
    attributed_to: str | None
    background: bool
    evidence: list[Evidence]
    extractor: str
    model: str | None
    prompt_version: str | None
    usage: Usage
    created_at: datetime


class DroppedOut(BaseModel):
    """A record the extractor returned that was not stored, and why."""

    kind: str
    reason: str
    evidence: list[str]


class ExtractionOut(BaseModel):
    """Who extracted the article's records and at what cost."""

    extractor: str
    model: str | None
    prompt_version: str | None
    usage: Usage
    records_dropped: int
    dropped: list[DroppedOut]
    skipped_by_relevance_gate: bool


class ArticleOut(BaseModel):
    """An article, its stored text (evidence offsets point into it) and its records."""

    id: int
    status: ArticleStatus
    error: str | None
    title: str | None
    url: str | None
    canonical_url: str | None
    published_at: datetime | None
    source: str | None
    author: str | None
    site_name: str | None
    language: str | None
    text: str | None
    duplicate_of: int | None = Field(
        description="Set when the fetched page is an article already known; its records are there."
    )
    created_at: datetime
    updated_at: datetime
    extraction: ExtractionOut | None
    records: list[RecordOut]


class RecordPage(BaseModel):
    """A page of records; pass `next_cursor` back as `cursor` for the next one."""

    items: list[RecordOut]
    next_cursor: str | None


class ErrorBody(BaseModel):
    """What went wrong, for people and programs."""

    code: str
    message: str
    details: Any = None


class ErrorOut(BaseModel):
    """Every error response has this shape."""

    error: ErrorBody


class Health(BaseModel):
    """Liveness and what the service runs with."""

    status: Literal["ok", "degraded"]
    database: Literal["ok", "unreachable"]
    extractor: str
    version: str
