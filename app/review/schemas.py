"""API shapes of review: what reviewers send and read."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.records.schemas import RecordOut
from app.review.tables import Action, Subject

REASON = Field(default=None, max_length=2000, description="Why: kept in the history.")


class Correction(BaseModel):
    """`PATCH /v1/records/{id}`: new values for fields of the record (SPEC §1), and why."""

    model_config = ConfigDict(extra="forbid")

    changes: dict[str, Any] = Field(
        min_length=1,
        description="Field -> new value, for any field of the record schema (kind, status, "
        "parties, mediators, location, date, end_date, round, format, topics, count, "
        "count_qualifier, programme, attributed_to, background, summary, evidence). "
        "Countries are normalised as usual ('DRC' is stored COD).",
    )
    reason: str | None = REASON


class Verdict(BaseModel):
    """`POST /v1/records/{id}/review`: approve or reject the record."""

    model_config = ConfigDict(extra="forbid")

    verdict: Literal["approved", "rejected"]
    reason: str | None = REASON


class Merge(BaseModel):
    """`POST /v1/events/{id}/merge`: this event's reports join another event."""

    model_config = ConfigDict(extra="forbid")

    into: int = Field(ge=1, le=2_147_483_647, description="The event that stays.")
    reason: str | None = REASON


class Split(BaseModel):
    """`POST /v1/events/{id}/split`: these records leave for a new event."""

    model_config = ConfigDict(extra="forbid")

    records: list[int] = Field(min_length=1, max_length=1000)
    reason: str | None = REASON


class ChangeOut(BaseModel):
    """One change in a history: who, when, what before and after, and why."""

    id: int
    subject: Subject
    subject_id: int
    action: Action
    who: str
    at: datetime
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str | None


class History(BaseModel):
    """Every change to a record or an event, oldest first."""

    items: list[ChangeOut]


class QueueItem(BaseModel):
    """A record waiting for review, with why it is worth a minute now."""

    priority: float = Field(description="Higher first; see `reasons`.")
    reasons: list[str]
    record: RecordOut


class Queue(BaseModel):
    """Unreviewed records, those most worth a person's minute first."""

    items: list[QueueItem]
    total: int = Field(description="How many records wait for review in all.")
