"""Attaching stored reports to events, inside the transaction that stores them.

A report joins the event of every stored report it matches (merging those events if it matches
several: the oldest event keeps its id) or starts its own. When an article's reports are
replaced, the events they left are settled again: what stays of each is regrouped, so the
grouping is always the connected groups of the match graph (app.events.clustering), whatever
order the reports came in. Replaying a step attaches nothing twice: the article's previous
reports are detached before its new ones are attached.
"""

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from app.events.ambiguity import Standing, joined, judge, vague
from app.events.anchors import anchor, candidates
from app.events.clustering import group_reports
from app.events.facts import Facts, of_record
from app.events.refresh import refresh_events
from app.events.similarity import Match, compare
from app.events.tables import Event, EventAnchor
from app.events.tuning import EventTuning, tuning
from app.records.review_state import ReviewState
from app.records.tables import Record

STARTED = "no stored report of this development: a new event"


# Any constant works: it names the one lock every attaching transaction takes on PostgreSQL.
_ATTACH_LOCK = 0x5061726C6579  # "Parley"


def serialise_attaching(session: Session) -> None:
    """Let one transaction at a time attach reports, until it ends.

    Two workers storing two reports of one development at once would each miss the other's
    uncommitted report and start two events. SQLite already writes one transaction at a time
    (the store step writes before it reads candidates); PostgreSQL takes an advisory lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.exec(select(func.pg_advisory_xact_lock(_ATTACH_LOCK)))


def detach_article(session: Session, article_id: int) -> set[int]:
    """Unhook the article's machine reports before they are replaced (reviewed ones stay,
    as re-extracting keeps them); the events they were in, and those of the ambiguous reports
    they matched, which are attached again without them.

    Takes the attaching lock (`serialise_attaching`) for the rest of the transaction.
    """
    serialise_attaching(session)
    replaced = session.exec(
        select(Record)
        .where(Record.article_id == article_id)
        .where(Record.review == ReviewState.UNREVIEWED)
    ).all()
    if not replaced:  # an article stored for the first time has none: statements saved
        return set()
    ids = {_id(r.id) for r in replaced}
    session.exec(delete(EventAnchor).where(col(EventAnchor.record_id).in_(ids)))
    left = {r.event_id for r in replaced if r.event_id is not None}
    for record in replaced:
        left |= _judge_near(session, of_record(record), tuning().event, ids)
    return left


def detach_record(session: Session, record: Record, was: Facts | None = None) -> set[int]:
    """Take one report out of its event (a rejection, or before a correction re-attaches it);
    the events it changed, settled. `was`: its facts before a correction, which the reports
    it matched were judged with. Takes the attaching lock."""
    serialise_attaching(session)
    settings = tuning().event
    left = _unhook(session, record)
    record.event_pinned = False
    touched = _judge_near(session, was or of_record(record), settings, {_id(record.id)})
    if left is not None:
        touched |= {left, *_regroup(session, left, settings)}
    refresh_events(session, touched)
    return touched


def reattach_record(session: Session, record: Record, was: Facts) -> None:
    """Attach a corrected report again, where its corrected facts belong; `was`: its facts
    before the correction."""
    detach_record(session, record, was)
    refresh_events(session, attach_record(session, record, tuning().event))


def attach_article(session: Session, article_id: int, left: Iterable[int] = ()) -> None:
    """Attach the article's unattached reports; settle the events in `left` that lost some."""
    settings = tuning().event
    touched = set(left)
    for event_id in sorted(touched):
        touched |= _regroup(session, event_id, settings)
    records = session.exec(
        select(Record)
        .where(Record.article_id == article_id)
        .where(col(Record.event_id).is_(None))
        .where(Record.review != ReviewState.REJECTED)
        .order_by(col(Record.seq))
    ).all()
    for record in records:
        touched |= attach_record(session, record, settings)
    refresh_events(session, touched)


def attach_record(session: Session, record: Record, settings: EventTuning) -> set[int]:
    """Attach one stored report; the ids of the events it changed (merged ones included).
    The vague reports it matches are judged again with it among their matches."""
    report = of_record(record)
    anchor(session, report)
    matches = _matches(session, report, settings)
    mine = judge(report, [(m, f) for m, _, f in matches], settings)
    record.event_through = mine.through
    again = {f.id: _standing(session, f, settings, (m, report)) for m, _, f in matches if vague(f)}
    linked = [
        (m, c)
        for m, c, f in matches
        if joined(report.id, mine.through, f.id, (again.get(f.id) or Standing()).through)
    ]
    touched = _place(session, record, linked, mine)
    for _, candidate, found in matches:
        judged = again.get(found.id)
        changed = judged is not None and judged.through != candidate.event_through
        if changed and not candidate.event_pinned:
            touched |= _replace(session, candidate, settings)
    return touched


def judge_matches_again(session: Session, record: Record, settings: EventTuning) -> set[int]:
    """Judge again the vague reports an anchored report matches (a rebuild anchors a report a
    person placed after some of them were attached without it); the events changed."""
    touched: set[int] = set()
    for _, candidate, found in _matches(session, of_record(record), settings):
        if not vague(found) or candidate.event_pinned:
            continue
        if _standing(session, found, settings).through != candidate.event_through:
            touched |= _replace(session, candidate, settings)
    return touched


def _place(
    session: Session, record: Record, linked: list[tuple[Match, Record]], mine: Standing
) -> set[int]:
    """Start an event for the report, or join (and merge) the events of the reports it links."""
    if not linked:
        event = Event(kind=record.kind, status=record.status, sort_date=_placeholder(record))
        session.add(event)
        session.flush()
        _join(record, event.id, None, (STARTED,))
        return {_id(event.id)}
    match, best = max(linked, key=lambda pair: (pair[0].score, -_id(pair[1].id)))
    events = {c.event_id for _, c in linked if c.event_id is not None}
    # Events a person shaped (merged or split) are never merged by the machine: the report
    # joins the one it matches best, and only machine events merge into it.
    curated = _curated(session, events)
    if len(curated) > 1:
        target = best.event_id if best.event_id in curated else min(curated)
        events -= curated - {target}
    else:
        target = min(curated or events)
    assert target is not None
    _move(session, events - {target}, target)
    why = (f"links through record {mine.through} only: it {mine.why}",) if mine.why else ()
    _join(record, target, match.score, (f"matches record {best.id}", *why, *match.reasons))
    return events


def _matches(
    session: Session, report: Facts, settings: EventTuning
) -> list[tuple[Match, Record, Facts]]:
    found = []
    for candidate in candidates(session, report, settings):
        facts = of_record(candidate)
        match = compare(report, facts, settings)
        if match is not None and match.score >= settings.threshold:
            found.append((match, candidate, facts))
    return found


def _standing(
    session: Session,
    report: Facts,
    settings: EventTuning,
    arriving: tuple[Match, Facts] | None = None,
) -> Standing:
    """A stored report's standing among its stored matches, and `arriving` (a report not
    attached yet, so not found by the search) when given."""
    matches = [(m, f) for m, _, f in _matches(session, report, settings)]
    return judge(report, [*matches, *([arriving] if arriving else [])], settings)


def _judge_near(
    session: Session, gone: Facts, settings: EventTuning, leaving: set[int]
) -> set[int]:
    """Attach again the vague reports `gone` matched, now that it is leaving (with the
    reports in `leaving`): their links may differ without it; the events changed."""
    touched: set[int] = set()
    for _, candidate, facts in _matches(session, gone, settings):
        if vague(facts) and not candidate.event_pinned and candidate.id not in leaving:
            touched |= _replace(session, candidate, settings)
    return touched


def _replace(session: Session, record: Record, settings: EventTuning) -> set[int]:
    """Attach an attached report again, as its matches changed; the events changed."""
    left = _unhook(session, record)
    touched = {left, *_regroup(session, left, settings)} if left is not None else set()
    return touched | attach_record(session, record, settings)


def _unhook(session: Session, record: Record) -> int | None:
    """Take a report out of its event and the anchor index; the event it was in."""
    session.exec(delete(EventAnchor).where(col(EventAnchor.record_id) == record.id))
    left = record.event_id
    _join(record, None, None, ())
    record.event_through = None
    session.flush()
    return left


def _curated(session: Session, events: set[int]) -> set[int]:
    """The events among `events` that hold a report a person placed."""
    pinned = (
        select(Record.event_id)
        .where(col(Record.event_id).in_(events))
        .where(col(Record.event_pinned))
    )
    return {e for e in session.exec(pinned.distinct()).all() if e is not None}


def _regroup(session: Session, event_id: int, settings: EventTuning) -> set[int]:
    """Split what is left of an event into its connected groups (the reports a person placed
    stay together); the new events' ids."""
    members = session.exec(
        select(Record).where(Record.event_id == event_id).order_by(col(Record.id))
    ).all()
    pinned = {_id(m.id) for m in members if m.event_pinned}
    # A report a person placed links as they placed it, never through one match.
    through = {
        _id(m.id): m.event_through
        for m in members
        if m.event_through is not None and not m.event_pinned
    }
    groups = group_reports([of_record(m) for m in members], settings, pinned, through)
    by_id = {m.id: m for m in members}
    created: set[int] = set()
    for group in groups[1:]:  # the group with the oldest report keeps the event
        first = by_id[group[0]]
        event = Event(kind=first.kind, status=first.status, sort_date=_placeholder(first))
        session.add(event)
        session.flush()
        created.add(_id(event.id))
        for record_id in group:
            by_id[record_id].event_id = event.id
    return created


def _move(session: Session, sources: set[int], target: int) -> None:
    if sources:
        session.exec(
            update(Record).where(col(Record.event_id).in_(sources)).values(event_id=target)
        )


def _join(record: Record, event_id: int | None, score: float | None, why: tuple[str, ...]) -> None:
    record.event_id = event_id
    record.event_score = score
    record.event_reasons = list(why)


def _placeholder(record: Record) -> dt.date:
    return record.date_to or record.created_at.date()


def _id(value: int | None) -> int:
    assert value is not None
    return value
