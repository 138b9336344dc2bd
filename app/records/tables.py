"""Stored records, the extractor runs that produced them, and their search index rows."""

import datetime as dt
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db.types import empty_list, enum_column, timestamp
from app.extraction.vocabulary import (
    CountQualifier,
    ExtractorName,
    RecordKind,
    RecordStatus,
    TalksFormat,
    ThirdPartyRole,
)
from app.records.review_state import ReviewState


class Extraction(SQLModel, table=True):
    """One extractor run over an article: who extracted, at what cost, what it dropped."""

    __tablename__ = "extraction"

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    extractor: ExtractorName = Field(sa_column=enum_column(ExtractorName, 16))
    model: str | None = Field(default=None, max_length=200)
    prompt_version: str | None = Field(default=None, max_length=64)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_calls: int = 0
    records_dropped: int = 0
    drop_reasons: list[dict[str, Any]] = Field(default_factory=empty_list, sa_column=Column(JSON))
    skipped_by_gate: bool = False
    # "sync" or "batch" (the Batch API, half price), and the estimated cost in US dollars.
    mode: str = Field(default="sync", max_length=8, sa_column_kwargs={"server_default": "sync"})
    cost_usd: float | None = None
    created_at: datetime = timestamp()


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
    kind: RecordKind = Field(sa_column=enum_column(RecordKind, 32, index=True))
    status: RecordStatus = Field(sa_column=enum_column(RecordStatus, 16, index=True))
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    parties: list[dict[str, Any]] = Field(default_factory=empty_list, sa_column=Column(JSON))
    mediators: list[dict[str, Any]] = Field(default_factory=empty_list, sa_column=Column(JSON))
    location: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    countries: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON))
    date: str | None = Field(default=None, max_length=10)
    end_date: str | None = Field(default=None, max_length=10)
    # The span a partial date covers ("2024-08" → Aug 1..31), for since/until filters.
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    round: int | None = None
    format: TalksFormat | None = Field(
        default=None, sa_column=enum_column(TalksFormat, 16, nullable=True)
    )
    topics: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON))
    count: int | None = None
    count_qualifier: CountQualifier | None = Field(
        default=None, sa_column=enum_column(CountQualifier, 16, nullable=True)
    )
    programme: str | None = Field(default=None, max_length=200)
    attributed_to: str | None = Field(default=None, max_length=200)
    background: bool = False
    # The rules extractor's estimate that the record is right (0-1); null from the LLM.
    confidence: float | None = None
    evidence: list[dict[str, Any]] = Field(default_factory=empty_list, sa_column=Column(JSON))
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    # The event this record reports (app.events keeps it): how well it matched and why.
    event_id: int | None = Field(default=None, index=True)
    event_score: float | None = None
    event_reasons: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON))
    # Set when its matches include two developments the facts keep apart: the one record it
    # is joined through (app.events.ambiguity).
    event_through: int | None = None
    # Set when a person merged or split its event: the machine never moves it again.
    event_pinned: bool = False
    review: ReviewState = Field(
        default=ReviewState.UNREVIEWED, sa_column=enum_column(ReviewState, 16, index=True)
    )
    created_at: datetime = timestamp()


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
    role: ThirdPartyRole = Field(sa_column=enum_column(ThirdPartyRole, 16))
