"""A person approving or rejecting a record. A rejected record leaves its event (events are
built from what people have not rejected) and is hidden unless asked for."""

from sqlmodel import Session

from app.errors import NotFound
from app.events.attach import attach_record, detach_record, serialise_attaching
from app.events.refresh import refresh_events
from app.events.tuning import tuning
from app.records.review_state import ReviewState
from app.records.tables import Record
from app.review.corrections import snapshot
from app.review.history import keep
from app.review.tables import Action, Subject


def judge(
    session: Session, record_id: int, verdict: ReviewState, who: str, reason: str | None
) -> Record:
    """Approve or reject a record (rejecting an approved one, or the reverse, is allowed)."""
    record = session.get(Record, record_id)
    if record is None:
        raise NotFound(f"record {record_id} not found")
    serialise_attaching(session)
    before = snapshot(record)
    was_rejected = record.review == ReviewState.REJECTED
    record.review = verdict
    session.flush()
    if verdict == ReviewState.REJECTED and not was_rejected:
        detach_record(session, record)
    elif verdict != ReviewState.REJECTED and was_rejected:
        refresh_events(session, attach_record(session, record, tuning().event))
    action = Action.REJECTED if verdict == ReviewState.REJECTED else Action.APPROVED
    keep(
        session,
        Subject.RECORD,
        record_id,
        action,
        who,
        before=before,
        after=snapshot(record),
        reason=reason,
    )
    return record
