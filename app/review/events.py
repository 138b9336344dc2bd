"""A person merging two events or splitting one. The records they place are pinned: attaching
and rebuilding never move them again."""

from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.errors import InvalidInput, NotFound
from app.events.attach import serialise_attaching
from app.events.refresh import refresh_events
from app.events.tables import Event
from app.records.tables import Record
from app.review.history import keep
from app.review.tables import Action, Subject


def get_event(session: Session, event_id: int) -> Event:
    """An event, or a 404."""
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound(f"event {event_id} not found")
    return event


def _members(session: Session, event_id: int) -> Sequence[Record]:
    return session.exec(
        select(Record).where(Record.event_id == event_id).order_by(col(Record.id))
    ).all()


def merge(session: Session, event_id: int, into: int, who: str, reason: str | None) -> Event:
    """Move every record of `event_id` into `into`; the first event is gone afterwards."""
    if event_id == into:
        raise InvalidInput("an event cannot be merged into itself")
    serialise_attaching(session)
    get_event(session, event_id)
    target = get_event(session, into)
    moved = _members(session, event_id)
    for record in [*moved, *_members(session, into)]:
        record.event_pinned = True
        record.event_through = None  # a person placed it: it links as they placed it
    for record in moved:
        record.event_id = into
        record.event_reasons = [f"merged into event {into} by {who}"]
    session.flush()
    refresh_events(session, {event_id, into})
    ids = [r.id for r in moved]
    keep(
        session,
        Subject.EVENT,
        event_id,
        Action.MERGED,
        who,
        before={"records": ids},
        after={"into": into},
        reason=reason,
    )
    keep(
        session,
        Subject.EVENT,
        into,
        Action.MERGED_INTO,
        who,
        before={"from": event_id},
        after={"records": [r.id for r in _members(session, into)]},
        reason=reason,
    )
    return target


def split(
    session: Session, event_id: int, record_ids: list[int], who: str, reason: str | None
) -> Event:
    """Move `record_ids` (records of `event_id`, not all of them) to a new event."""
    serialise_attaching(session)
    event = get_event(session, event_id)
    members = {r.id: r for r in _members(session, event_id)}
    strangers = sorted(set(record_ids) - set(members))
    if strangers:
        raise InvalidInput(
            f"records not in event {event_id}: {', '.join(map(str, strangers))}",
            details={"not_in_event": strangers},
        )
    if set(record_ids) >= set(members):
        raise InvalidInput("a split must leave at least one record in the event")
    new = Event(kind=event.kind, status=event.status, sort_date=event.sort_date)
    session.add(new)
    session.flush()
    for record in members.values():
        record.event_pinned = True
        record.event_through = None  # a person placed it: it links as they placed it
        if record.id in record_ids:
            record.event_id = new.id
            record.event_reasons = [f"split from event {event_id} by {who}"]
    session.flush()
    assert new.id is not None
    refresh_events(session, {event_id, new.id})
    keep(
        session,
        Subject.EVENT,
        event_id,
        Action.SPLIT,
        who,
        before={"records": sorted(members)},
        after={"new_event": new.id, "moved": sorted(record_ids)},
        reason=reason,
    )
    return new
