"""The history of every change a person made: append-only, written in the transaction of the
change itself."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from app.db.types import empty_dict, enum_column, timestamp


class Subject(StrEnum):
    """What a change was made to."""

    RECORD = "record"
    EVENT = "event"


class Action(StrEnum):
    """What a person did."""

    CORRECTED = "corrected"
    APPROVED = "approved"
    REJECTED = "rejected"
    MERGED = "merged"
    MERGED_INTO = "merged_into"
    SPLIT = "split"


class Change(SQLModel, table=True):
    """One change: who, when, the values before and after, and the reason. Never updated."""

    __tablename__ = "change"
    __table_args__ = (Index("ix_change_subject", "subject", "subject_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    subject: Subject = Field(sa_column=enum_column(Subject, 16))
    subject_id: int
    action: Action = Field(sa_column=enum_column(Action, 16))
    actor: str = Field(max_length=200)
    reason: str | None = Field(default=None, sa_column=Column(Text))
    before: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON))
    after: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON))
    at: datetime = timestamp()
