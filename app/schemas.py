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

    @field_validator("text", "url", "title", "source")
    @classmethod
    def _without_nul(cls, value: str | None) -> str | None:
        # PostgreSQL text cannot hold NUL, and no article needs one.
        return value.replace("\x00", "") if value is not None else None

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


class FeedIn(BaseModel):
    """A feed to ingest: its URL (fetched) or its XML (uploaded); `every` keeps polling it."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, max_length=2048, description="RSS or Atom feed URL.")
    xml: str | None = Field(default=None, description="The feed document itself.")
    every: str | None = Field(
        default=None,
        max_length=16,
        description="Poll the URL on a schedule: 30s, 15m, 2h, 1d (cron-exact intervals).",
    )

    @model_validator(mode="after")
    def _one_source(self) -> "FeedIn":
        if (self.url is None) == (self.xml is None):
            raise ValueError("give the feed's `url`, or its `xml`, not both")
        if self.every is not None and self.url is None:
            raise ValueError("`every` needs a `url` to poll")
        return self


class FeedIngested(BaseModel):
    """What a feed gave: items read, new articles, duplicates, failures, items over the cap."""

    feed_id: int | None = Field(description="The registered feed, when `every` was given.")
    title: str | None
    items: int
    new: int
    duplicate: int
    failed: int
    truncated: int = Field(description="Items beyond the per-feed cap, not read.")
    every: str | None
    new_ids: list[int] = Field(description="Ids of the new articles, queued for extraction.")


class FeedOut(BaseModel):
    """A registered feed and how its polls went."""

    id: int
    url: str
    title: str | None
    every: str | None
    active: bool
    last_polled_at: datetime | None
    last_error: str | None
    items_new: int
    items_duplicate: int
    items_failed: int
    created_at: datetime


class FeedList(BaseModel):
    """The feeds being polled."""

    items: list[FeedOut]
