"""Database tables. API shapes live in `app.schemas`; the LLM contract in `app.extraction`."""

import datetime as dt
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import JSON, Column, DateTime, Dialect, Index, Text, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them without an offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC; naive values are taken to be UTC already."""
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read back aware UTC datetimes."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _timestamp(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default_factory=utcnow if not nullable else None,
        sa_column=Column(UTCDateTime(), nullable=nullable, index=index),
    )


class Article(SQLModel, table=True):
    """An article a newsroom sent, its text and where its extraction stands."""

    __tablename__ = "article"

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default="queued", max_length=16, index=True)
    error: str | None = Field(default=None, sa_column=Column(Text))
    title: str | None = Field(default=None, sa_column=Column(Text))
    url: str | None = Field(default=None, sa_column=Column(Text))
    canonical_url: str | None = Field(default=None, max_length=2048, unique=True)
    source: str | None = Field(default=None, max_length=300)
    published_at: datetime | None = _timestamp(nullable=True)
    author: str | None = Field(default=None, max_length=500)
    site_name: str | None = Field(default=None, max_length=300)
    language: str | None = Field(default=None, max_length=16)
    text: str | None = Field(default=None, sa_column=Column(Text))
    text_hash: str | None = Field(default=None, max_length=64, unique=True)
    feed_id: int | None = Field(default=None, foreign_key="feed.id", index=True)
    # Set when a fetched page turns out to be an article we already have.
    duplicate_of: int | None = Field(default=None, foreign_key="article.id")
    attempts: int = 0
    # Names this article's jobs; unique even if the database is recreated beside an old queue.
    job_key: str = Field(default_factory=lambda: uuid4().hex, max_length=32)
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class Extraction(SQLModel, table=True):
    """One extractor run over an article: who extracted, at what cost, what it dropped."""

    __tablename__ = "extraction"

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    extractor: str = Field(max_length=16)
    model: str | None = Field(default=None, max_length=200)
    prompt_version: str | None = Field(default=None, max_length=64)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_calls: int = 0
    records_dropped: int = 0
    drop_reasons: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    skipped_by_gate: bool = False
    created_at: datetime = _timestamp()


class Record(SQLModel, table=True):
    """A stored, grounded and normalised record."""

    __tablename__ = "record"
    __table_args__ = (
        UniqueConstraint("article_id", "seq", name="uq_record_article_seq"),
        Index("ix_record_date_range", "date_from", "date_to"),
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    extraction_id: int = Field(foreign_key="extraction.id", index=True)
    seq: int
    kind: str = Field(max_length=32, index=True)
    status: str = Field(max_length=16, index=True)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    parties: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    mediators: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    location: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    countries: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    date: str | None = Field(default=None, max_length=10)
    end_date: str | None = Field(default=None, max_length=10)
    # The span a partial date covers ("2024-08" → Aug 1..31), for since/until filters.
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    round: int | None = None
    format: str | None = Field(default=None, max_length=16)
    topics: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    count: int | None = None
    count_qualifier: str | None = Field(default=None, max_length=16)
    programme: str | None = Field(default=None, max_length=200)
    attributed_to: str | None = Field(default=None, max_length=200)
    background: bool = False
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = _timestamp()


class RecordCountry(SQLModel, table=True):
    """Index row: a record concerns this country (ISO3)."""

    __tablename__ = "record_country"
    __table_args__ = (Index("ix_record_country_country", "country", "record_id"),)

    record_id: int = Field(foreign_key="record.id", primary_key=True, ondelete="CASCADE")
    country: str = Field(max_length=3, primary_key=True)


class RecordMediator(SQLModel, table=True):
    """Index row: a third party (ISO3 or canonical organisation name) in a record."""

    __tablename__ = "record_mediator"
    __table_args__ = (Index("ix_record_mediator_mediator", "mediator", "record_id"),)

    record_id: int = Field(foreign_key="record.id", primary_key=True, ondelete="CASCADE")
    mediator: str = Field(max_length=200, primary_key=True)
    role: str = Field(max_length=16)


class Feed(SQLModel, table=True):
    """A registered RSS/Atom feed, polled on a schedule."""

    __tablename__ = "feed"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2048, unique=True)
    title: str | None = Field(default=None, sa_column=Column(Text))
    every_seconds: int | None = None
    active: bool = True
    etag: str | None = Field(default=None, max_length=500)
    last_modified: str | None = Field(default=None, max_length=100)
    last_polled_at: datetime | None = _timestamp(nullable=True)
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    items_new: int = 0
    items_duplicate: int = 0
    items_failed: int = 0
    created_at: datetime = _timestamp()


class ApiKey(SQLModel, table=True):
    """An API key; only its hash is stored."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str | None = Field(default=None, max_length=200)
    prefix: str = Field(max_length=16, index=True)
    key_hash: str = Field(max_length=128, unique=True)
    scopes: str = Field(max_length=100)
    created_at: datetime = _timestamp()
    revoked_at: datetime | None = _timestamp(nullable=True)
    last_used_at: datetime | None = _timestamp(nullable=True)


class IdempotentRequest(SQLModel, table=True):
    """A POST answered under an `Idempotency-Key`, replayed for the same key and body."""

    __tablename__ = "idempotent_request"

    key: str = Field(max_length=255, primary_key=True)
    principal: str = Field(max_length=64, primary_key=True)
    request_hash: str = Field(max_length=64)
    status_code: int | None = None
    response_body: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = _timestamp()
