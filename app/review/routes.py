"""Review routes: correct, approve or reject records; merge and split events; the history of
both; the review queue. Changing anything needs the `review` scope (app.auth.guard)."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from app.errors import NotFound
from app.events.mapping import event_detail
from app.events.schemas import EventDetail
from app.events.tables import Event
from app.http.deps import CallerDep, ResourceId, SessionDep, UnitDep
from app.http.errors import GUARDED, error_responses
from app.records.mapping import records_out
from app.records.review_state import ReviewState
from app.records.schemas import RecordOut
from app.records.tables import Record
from app.review import events as event_review
from app.review.corrections import correct
from app.review.history import history
from app.review.queue import queued
from app.review.schemas import (
    ChangeOut,
    Correction,
    History,
    Merge,
    Queue,
    QueueItem,
    Split,
    Verdict,
)
from app.review.tables import Change, Subject
from app.review.verdicts import judge

router = APIRouter(tags=["review"], responses=error_responses(*GUARDED))
CHANGED = error_responses(404)
# Routes with a JSON body: malformed JSON is a 400, an oversized body a 413.
WRITES = error_responses(400, 404, 413)


class SplitResult(BaseModel):
    """The event that stayed and the new one the records went to."""

    event: EventDetail
    new_event: EventDetail


def _history(changes: list[Change]) -> History:
    return History(
        items=[
            ChangeOut(
                id=c.id or 0,
                subject=c.subject,
                subject_id=c.subject_id,
                action=c.action,
                who=c.actor,
                at=c.at,
                before=c.before,
                after=c.after,
                reason=c.reason,
            )
            for c in changes
        ]
    )


@router.patch("/v1/records/{record_id}", response_model=RecordOut, responses=WRITES)
def correct_record(
    record_id: ResourceId, body: Correction, unit: UnitDep, caller: CallerDep
) -> RecordOut:
    """Correct fields of a record; it becomes `corrected` and moves to the event it now fits."""
    record = correct(unit.session, record_id, body.changes, caller.who, body.reason)
    unit.commit()
    return records_out(unit.session, [record])[0]


@router.post("/v1/records/{record_id}/review", response_model=RecordOut, responses=WRITES)
def review_record(
    record_id: ResourceId, body: Verdict, unit: UnitDep, caller: CallerDep
) -> RecordOut:
    """Approve or reject a record; a rejected one leaves its event and is hidden."""
    record = judge(unit.session, record_id, ReviewState(body.verdict), caller.who, body.reason)
    unit.commit()
    return records_out(unit.session, [record])[0]


@router.get("/v1/records/{record_id}/history", response_model=History, responses=CHANGED)
def record_history(record_id: ResourceId, session: SessionDep) -> History:
    """Every change people made to a record, oldest first (the first `before` is the machine's)."""
    changes = list(history(session, Subject.RECORD, record_id))
    if not changes and session.get(Record, record_id) is None:
        raise NotFound(f"record {record_id} not found")
    return _history(changes)


@router.post("/v1/events/{event_id}/merge", response_model=EventDetail, responses=WRITES)
def merge_event(event_id: ResourceId, body: Merge, unit: UnitDep, caller: CallerDep) -> EventDetail:
    """Move this event's records into another; this event is gone afterwards."""
    target = event_review.merge(unit.session, event_id, body.into, caller.who, body.reason)
    unit.commit()
    return event_detail(unit.session, target)


@router.post("/v1/events/{event_id}/split", response_model=SplitResult, responses=WRITES)
def split_event(event_id: ResourceId, body: Split, unit: UnitDep, caller: CallerDep) -> SplitResult:
    """Move some of this event's records to a new event."""
    new = event_review.split(unit.session, event_id, body.records, caller.who, body.reason)
    unit.commit()
    stayed = event_review.get_event(unit.session, event_id)
    return SplitResult(
        event=event_detail(unit.session, stayed), new_event=event_detail(unit.session, new)
    )


@router.get("/v1/events/{event_id}/history", response_model=History, responses=CHANGED)
def event_history(event_id: ResourceId, session: SessionDep) -> History:
    """Every merge and split of an event, oldest first (a merged-away event keeps its own)."""
    changes = list(history(session, Subject.EVENT, event_id))
    if not changes and session.get(Event, event_id) is None:
        raise NotFound(f"event {event_id} not found")
    return _history(changes)


@router.get("/v1/review/queue", response_model=Queue)
def review_queue(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500, description="How many to return.")] = 50,
) -> Queue:
    """Unreviewed records, those most worth a person's minute first (see `reasons`)."""
    ranked, total = queued(session, limit)
    shapes = records_out(session, [record for _, _, record in ranked])
    items = [
        QueueItem(priority=points, reasons=reasons, record=shape)
        for (points, reasons, _), shape in zip(ranked, shapes, strict=True)
    ]
    return Queue(items=items, total=total)
