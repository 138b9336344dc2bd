"""Stored events (one development, many reports) and processes (the thread of events)."""

import datetime as dt
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from app.db.types import empty_list, enum_column, timestamp
from app.extraction.vocabulary import RecordKind, RecordStatus, ThirdPartyRole


class Process(SQLModel, table=True):
    """A peace process: events of the same sides, linked over months; its span and sides."""

    __tablename__ = "process"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(default="", sa_column=Column(Text, nullable=False))
    parties: list[dict[str, Any]] = Field(default_factory=empty_list, sa_column=Column(JSON))
    countries: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON))
    mediators: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON))
    date_from: dt.date | None = None
    date_to: dt.date | None = Field(default=None, index=True)
    latest_status: RecordStatus | None = Field(
        default=None, sa_column=enum_column(RecordStatus, 16, nullable=True)
    )
    event_count: int = 0
    updated_at: datetime = timestamp()


class Event(SQLModel, table=True):
    """One development, consolidated from the records that report it."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_sort", "sort_date", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: RecordKind = Field(sa_column=enum_column(RecordKind, 32, index=True))
    status: RecordStatus = Field(sa_column=enum_column(RecordStatus, 16, index=True))
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    parties: list[dict[str, Any]] = Field(default_factory=empty_list, sa_column=Column(JSON))
    mediators: list[dict[str, Any]] = Field(default_factory=empty_list, sa_column=Column(JSON))
    location: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    countries: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON))
    date: str | None = Field(default=None, max_length=10)
    end_date: str | None = Field(default=None, max_length=10)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    # Newest development first: the event's last day, else the day it was first reported.
    sort_date: dt.date
    count: int | None = None
    process_id: int | None = Field(default=None, foreign_key="process.id", index=True)
    source_count: int = 0
    first_reported_at: datetime | None = timestamp(nullable=True)
    last_reported_at: datetime | None = timestamp(nullable=True)
    updated_at: datetime = timestamp()


class EventCountry(SQLModel, table=True):
    """Index row: an event concerns this country; carries the sort key so a country's events
    come out of the index already in order."""

    __tablename__ = "event_country"
    __table_args__ = (Index("ix_event_country_sorted", "country", "sort_date", "event_id"),)

    event_id: int = Field(foreign_key="event.id", primary_key=True, ondelete="CASCADE")
    country: str = Field(max_length=3, primary_key=True)
    sort_date: dt.date


class EventMediator(SQLModel, table=True):
    """Index row: a third party (ISO3 or canonical organisation name) of an event; carries the
    sort key, like EventCountry."""

    __tablename__ = "event_mediator"
    __table_args__ = (Index("ix_event_mediator_sorted", "mediator", "sort_date", "event_id"),)

    event_id: int = Field(foreign_key="event.id", primary_key=True, ondelete="CASCADE")
    mediator: str = Field(max_length=200, primary_key=True)
    role: ThirdPartyRole = Field(sa_column=enum_column(ThirdPartyRole, 16))
    sort_date: dt.date


class EventAnchor(SQLModel, table=True):
    """Where a record sits for candidate search: one row per country it concerns, so finding
    the reports near a new one is an index range (kind, country, days), never a scan."""

    __tablename__ = "event_anchor"
    __table_args__ = (Index("ix_event_anchor_search", "kind", "country", "day_from"),)

    record_id: int = Field(foreign_key="record.id", primary_key=True, ondelete="CASCADE")
    country: str = Field(max_length=3, primary_key=True)
    kind: RecordKind = Field(sa_column=enum_column(RecordKind, 32))
    day_from: dt.date
    day_to: dt.date
