"""Checking a bulk-loaded store against the real code, on a sample: the benchmark must time
attaching to the store `app.events` itself would have built, not to rows it would not make."""

import random

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.events.anchors import candidates
from app.events.consolidate import consolidate
from app.events.facts import of_record
from app.events.processes import describe
from app.events.refresh import reports_of
from app.events.similarity import compare
from app.events.tables import Event, Process
from app.events.tuning import tuning

_EVENT_FIELDS = [
    "status",
    "summary",
    "parties",
    "mediators",
    "location",
    "countries",
    "date",
    "end_date",
    "date_from",
    "date_to",
    "sort_date",
    "count",
    "source_count",
    "first_reported_at",
    "last_reported_at",
]
_PROCESS_FIELDS = "title parties countries mediators date_from date_to latest_status event_count"


def check_store(engine: Engine, *, sample: int, seed: int) -> None:
    """Raise AssertionError unless sampled events are what consolidation makes of their
    reports, their reports match each other and nothing else, and a process is its events'."""
    with Session(engine) as session:
        top = session.exec(select(func.max(Event.id))).one()
        assert top, "no event stored"
        rng = random.Random(seed)
        for event_id in sorted({rng.randint(1, top) for _ in range(sample)}):
            event = session.get(Event, event_id)
            assert event is not None, f"event {event_id} missing"
            _check_event(session, event)
        event = session.get(Event, top)
        assert event is not None
        assert event.process_id is not None
        _check_process(session, event.process_id)


def _check_event(session: Session, event: Event) -> None:
    reports = reports_of(session, _id(event.id))
    fields = vars(consolidate(reports))
    for name in _EVENT_FIELDS:
        assert getattr(event, name) == fields[name], (event.id, name, getattr(event, name))
    members = {r.record.id for r in reports}
    settings = tuning().event
    for report in reports:
        facts = of_record(report.record)
        matched = set()
        for candidate in candidates(session, facts, settings):
            match = compare(facts, of_record(candidate), settings)
            if match is not None and match.score >= settings.threshold:
                matched.add(candidate.id)
                assert candidate.event_id == event.id, (report.record.id, candidate.id)
        assert matched == members - {report.record.id}, (event.id, report.record.id, matched)


def _check_process(session: Session, process_id: int) -> None:
    stored = session.get(Process, process_id)
    assert stored is not None
    events = session.exec(
        select(Event).where(Event.process_id == process_id).order_by(col(Event.id))
    ).all()
    expected = Process()
    describe(expected, events)
    for name in _PROCESS_FIELDS.split():
        assert getattr(stored, name) == getattr(expected, name), (process_id, name)


def _id(value: int | None) -> int:
    assert value is not None
    return value
