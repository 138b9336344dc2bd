"""API shapes of articles: what clients send and read back. The table lives in
`app.articles.tables`."""

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.articles.tables import ArticleStatus
from app.extraction.vocabulary import ExtractorName
from app.http.schemas import storable_text
from app.records.schemas import RecordOut, Usage

ExtractionMode = Literal["sync", "batch"]


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
    mode: ExtractionMode = Field(
        default="sync",
        description="`batch`: extract through the OpenAI Batch API (half price, within 24 h) "
        "when the service runs with PARLEY_LLM_BATCH=auto; otherwise like `sync`.",
    )

    @field_validator("text", "url", "title", "source", mode="before")
    @classmethod
    def _storable(cls, value: object) -> object:
        # Before the type and length checks, which would only say "unable to parse" a surrogate.
        return storable_text(value) if isinstance(value, str) else value

    @field_validator("published_at")
    @classmethod
    def _in_utc_range(cls, value: datetime | None) -> datetime | None:
        # An offset can take a time near year 1 or 9999 out of range in UTC, where it is stored.
        if value is None or value.tzinfo is None:
            return value
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValueError("out of range in UTC (before year 1 or after year 9999)") from None

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


class DroppedOut(BaseModel):
    """A record the extractor returned that was not stored, and why."""

    kind: str
    reason: str
    evidence: list[str]


class ExtractionOut(BaseModel):
    """Who extracted the article's records and at what cost."""

    extractor: ExtractorName
    model: str | None
    prompt_version: str | None
    usage: Usage
    records_dropped: int
    dropped: list[DroppedOut]
    skipped_by_relevance_gate: bool
    mode: ExtractionMode = Field(description="How the LLM was asked: `sync` or `batch`.")
    cost_usd: float | None = Field(
        description="Estimated cost in US dollars at the configured prices (LLM only)."
    )


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
    extraction_mode: ExtractionMode = Field(
        description="The article's route: `batch` while it waits for a batch, `sync` otherwise "
        "(a batch answer that could not be used turns it to `sync`)."
    )
    created_at: datetime
    updated_at: datetime
    extraction: ExtractionOut | None
    records: list[RecordOut]
