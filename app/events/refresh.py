"""Writing an event's consolidated fields and index rows after its reports changed, and
settling the processes of the events whose sides or dates moved."""

from collections.abc import Iterable

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from app.articles.tables import Article
from app.db.types import utcnow
from app.events.co_reported import sharing_articles
from app.events.consolidate import ROLE_ORDER, Report, consolidate, most_common
from app.events.processes import (
    join_processes,
    linked,
    merge_processes,
    settle_processes,
    signature,
)
from app.events.tables import Event, EventCountry, EventMediator
from app.events.tuning import tuning
from app.extraction.vocabulary import ThirdPartyRole
from app.records.tables import Record, RecordMediator


def refresh_events(session: Session, event_ids: Iterable[int]) -> None:
    """Recompute the given events from their reports (deleting empty ones), then their
    processes where an event appeared, vanished or moved."""
    moved: set[int] = set()
    arrived: set[int] = set()
    gone_processes: set[int] = set()
    for event_id in sorted(set(event_ids)):
        event = session.get(Event, event_id)
        if event is None:
            continue
        # An event never consolidated (made in this transaction) has no index rows yet.
        before = signature(event) if event.source_count else None
        sources = event.source_count
        if not _recompute(session, event, indexed=before is not None):
            if event.process_id is not None:
                gone_processes.add(event.process_id)
            _delete(session, event)
        elif before is None and event.process_id is None:
            arrived.add(event_id)
        # An event that lost a source may have lost the article that tied it to another.
        elif signature(event) != before or event.source_count < sources:
            moved.add(event_id)
    session.flush()
    if moved or gone_processes:
        settle_processes(session, moved, gone_processes)
    join_processes(session, arrived)
    join_co_reported(session, set(event_ids))


def join_co_reported(session: Session, event_ids: set[int]) -> None:
    """Merge each event's process with those of the events its articles also report, where
    they link (`linked`, within `co_reported_days`): a new report only ever adds such ties."""
    settings = tuning().process
    for event_id in sorted(event_ids):
        event = session.get(Event, event_id)
        if event is None or event.process_id is None:
            continue
        others = session.exec(
            select(Event)
            .where(col(Event.id).in_(sharing_articles(session, {event_id})))
            .where(Event.process_id != event.process_id)
        ).all()
        tied = {o.process_id for o in others if linked(event, o, settings, co_reported=True)}
        if tied:
            merge_processes(session, {event.process_id, *(p for p in tied if p is not None)})


def reports_of(session: Session, event_id: int) -> list[Report]:
    """An event's reports with their articles."""
    rows = session.exec(
        select(Record, Article)
        .join(Article, col(Article.id) == Record.article_id)
        .where(Record.event_id == event_id)
    ).all()
    return [Report(record, article) for record, article in rows]


def _recompute(session: Session, event: Event, *, indexed: bool) -> bool:
    reports = reports_of(session, _id(event.id))
    if not reports:
        return False
    fields = consolidate(reports)
    for name, value in vars(fields).items():
        setattr(event, name, value)
    event.kind = reports[0].record.kind
    event.updated_at = utcnow()
    _reindex(session, event, indexed=indexed)
    return True


def _reindex(session: Session, event: Event, *, indexed: bool) -> None:
    event_id = _id(event.id)
    if indexed:
        _unindex(session, event_id)
    # Multi-row inserts, not ORM objects: nothing reads these rows back as objects here.
    countries = [
        {"event_id": event_id, "country": c, "sort_date": event.sort_date} for c in event.countries
    ]
    if countries:
        session.execute(insert(EventCountry), countries)
    # The records' own mediator index, so filtering events and records agree.
    rows = session.exec(
        select(RecordMediator.mediator, RecordMediator.role)
        .join(Record, col(Record.id) == RecordMediator.record_id)
        .where(Record.event_id == event_id)
    ).all()
    roles: dict[str, list[ThirdPartyRole]] = {}
    for mediator, role in rows:
        roles.setdefault(mediator, []).append(ThirdPartyRole(role))
    mediators = [
        {"event_id": event_id, "mediator": m, "role": _role(r), "sort_date": event.sort_date}
        for m, r in roles.items()
    ]
    if mediators:
        session.execute(insert(EventMediator), mediators)


def _role(roles: list[ThirdPartyRole]) -> ThirdPartyRole:
    role = most_common(roles, lambda r: -ROLE_ORDER.index(r))
    assert role is not None
    return role


def _unindex(session: Session, event_id: int) -> None:
    session.exec(delete(EventCountry).where(col(EventCountry.event_id) == event_id))
    session.exec(delete(EventMediator).where(col(EventMediator.event_id) == event_id))


def _delete(session: Session, event: Event) -> None:
    _unindex(session, _id(event.id))
    session.delete(event)


def _id(value: int | None) -> int:
    assert value is not None
    return value
