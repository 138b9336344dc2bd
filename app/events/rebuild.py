"""Recomputing every event and process from the stored records (`parley events rebuild`).

Because events are the connected groups of the match graph, attaching every record again, in
any order, gives the grouping that attaching them as they arrived gave; a rebuild is needed
after the tuning changes, or to attach records stored before events existed. What people decided
stays: rejected records stay out of every event, and records they merged or split stay where
they put them.
"""

from collections.abc import Callable

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.db.unit import transaction
from app.events.anchors import anchor
from app.events.attach import attach_record, judge_matches_again, serialise_attaching
from app.events.facts import of_record
from app.events.refresh import refresh_events
from app.events.tables import Event, EventAnchor, EventCountry, EventMediator, Process
from app.events.tuning import EventTuning, tuning
from app.records.review_state import ReviewState
from app.records.tables import Record

BATCH = 500


def clear_events(session: Session) -> None:
    """Forget every event the machine made, every process and anchor; records keep their
    content, and reports a person placed (merged, split) keep their event."""
    serialise_attaching(session)
    machine = update(Record).where(~col(Record.event_pinned))
    session.exec(
        machine.values(event_id=None, event_score=None, event_reasons=[], event_through=None)
    )
    for table in (EventAnchor, EventCountry, EventMediator):
        session.exec(delete(table))
    session.exec(update(Event).values(process_id=None, source_count=0))
    curated = select(Record.event_id).where(col(Record.event_pinned))
    session.exec(delete(Event).where(col(Event.id).not_in(curated)))
    session.exec(delete(Process))


def rebuild(engine: Engine, progress: Callable[[int], None] = lambda _: None) -> int:
    """Clear and re-attach every record, in batches of `BATCH` (each its own transaction);
    returns how many records were attached. Running it again after an interruption starts over."""
    settings = tuning().event
    with transaction(engine) as unit:
        clear_events(unit.session)
    done, after = 0, 0
    while True:
        with transaction(engine) as unit:
            serialise_attaching(unit.session)
            batch = unit.session.exec(
                select(Record).where(col(Record.id) > after).order_by(col(Record.id)).limit(BATCH)
            ).all()
            if not batch:
                return done
            touched: set[int] = set()
            for record in batch:
                touched |= _again(unit.session, record, settings)
            refresh_events(unit.session, touched)
        after = batch[-1].id or after
        done += len(batch)
        progress(done)


def _again(session: Session, record: Record, settings: EventTuning) -> set[int]:
    """Attach one record again: rejected ones stay out, placed ones stay put (anchored, so
    new reports still find them)."""
    if record.review == ReviewState.REJECTED:
        return set()
    if record.event_pinned and record.event_id is not None:
        anchor(session, of_record(record))
        return {record.event_id, *judge_matches_again(session, record, settings)}
    return attach_record(session, record, settings)
