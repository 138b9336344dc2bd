"""Events grouped into processes: events of the same sides within months of each other are
linked, and a process is a connected group of linked events (so, like events, it does not
depend on the order events arrived in). Its timeline is its events in date order."""

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.events.clustering import UnionFind
from app.events.co_reported import co_reported_pairs, sharing_articles
from app.events.consolidate import LIFECYCLE
from app.events.facts import group_keys, side_identity
from app.events.similarity import same_side, side_overlap
from app.events.tables import Event, EventCountry, Process
from app.events.tuning import ProcessTuning, tuning
from app.extraction.vocabulary import RecordKind, ThirdPartyRole


def linked(a: Event, b: Event, settings: ProcessTuning, *, co_reported: bool = False) -> bool:
    """Whether two events belong to one process: near in time (or, within a few years,
    reported together by one article, as a development and the history it recalls), mostly
    the same sides, and nothing that marks another initiative (other armed groups, another lead
    mediator, talks in another country)."""
    window = settings.co_reported_days if co_reported else settings.window_days
    if abs((a.sort_date - b.sort_date).days) > window:
        return False
    sides_a, sides_b = _sides(a), _sides(b)
    if side_overlap(sides_a, sides_b) < settings.sides_threshold:
        return False
    return not (
        _apart(_groups(a), _groups(b))
        or _apart(_leads(a), _leads(b))
        or _apart(_talks_country(a), _talks_country(b))
    )


def signature(event: Event) -> tuple[object, ...]:
    """Everything `linked` reads of an event: an event whose signature did not change needs
    no regrouping."""
    return (
        event.sort_date,
        frozenset(_sides(event)),
        frozenset(_groups(event)),
        frozenset(_leads(event)),
        frozenset(_talks_country(event)),
    )


def _sides(event: Event) -> set[str]:
    return {side_identity(p) for p in event.parties} or set(event.countries)


def _groups(event: Event) -> set[str]:
    return {k for p in event.parties for k in group_keys(p)}


def _leads(event: Event) -> set[str]:
    return {str(m["name"]) for m in event.mediators if m.get("role") == ThirdPartyRole.MEDIATOR}


def _talks_country(event: Event) -> set[str]:
    place = event.location or {}
    if event.kind != RecordKind.NEGOTIATION or not place.get("country"):
        return set()
    return {str(place["country"])}


def _apart(a: set[str], b: set[str]) -> bool:
    """Both sets are known and share nothing."""
    return bool(a) and bool(b) and not any(same_side(x, y) for x in a for y in b)


def group_events(
    events: Sequence[Event], settings: ProcessTuning, co_reported: Iterable[tuple[int, int]] = ()
) -> list[list[int]]:
    """Connected groups of events (ids, each sorted), comparing events within the window and
    the pairs `co_reported` by one article within the longer window such pairs have."""
    ordered = sorted(events, key=lambda e: (e.sort_date, _id(e.id)))
    sets = UnionFind(_id(e.id) for e in ordered)
    window = dt.timedelta(days=settings.window_days)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.sort_date - a.sort_date > window:
                break
            if sets.find(_id(a.id)) != sets.find(_id(b.id)) and linked(a, b, settings):
                sets.union(_id(a.id), _id(b.id))
    by_id = {_id(e.id): e for e in events}
    for x, y in sorted(co_reported):
        known = x in by_id and y in by_id and sets.find(x) != sets.find(y)
        if known and linked(by_id[x], by_id[y], settings, co_reported=True):
            sets.union(x, y)
    return sets.groups()


def settle_processes(session: Session, moved: Iterable[int], gone: Iterable[int] = ()) -> None:
    """Regroup the processes around events that appeared or moved, and of processes that lost
    an event; every other process is untouched."""
    settings = tuning().process
    scope: dict[int, Event] = {}
    processes = set(gone)
    moved = set(moved)
    for event_id in sorted(moved | sharing_articles(session, moved)):
        event = session.get(Event, event_id)
        if event is not None:
            scope[event_id] = event
            scope.update((_id(e.id), e) for e in _neighbours(session, event, settings))
    processes |= {e.process_id for e in scope.values() if e.process_id is not None}
    if processes:
        members = select(Event).where(col(Event.process_id).in_(processes))
        scope.update((_id(e.id), e) for e in session.exec(members).all())
    if scope or processes:
        pairs = co_reported_pairs(session, scope)
        _assign(session, list(scope.values()), processes, settings, pairs)


def join_processes(session: Session, arrived: Iterable[int]) -> None:
    """Place events that just appeared and have no process yet. An arrival can only link
    processes together (adding an event never splits one), so it joins the process of every
    neighbour it links, merging them, or starts its own: a cost that does not grow with the
    length of the process, unlike regrouping it."""
    settings = tuning().process
    for event_id in sorted(arrived):
        event = session.get(Event, event_id)
        if event is None or event.process_id is not None:
            continue
        _join(session, event, _linked_processes(session, event, settings))
        session.flush()


# A dense process (a year of near-daily reports of one conflict) has hundreds of events in the
# window; the first that links settles it, and it is usually among the newest.
_PAGE = 32


def _linked_processes(session: Session, event: Event, settings: ProcessTuning) -> set[int]:
    """The processes holding a neighbour `event` links: each process's neighbours are read
    newest first, a page at a time, until one links, not every event of its window."""
    near = _near(event, settings)
    found = select(Event.process_id).where(col(Event.id).in_(near), col(Event.id) != event.id)
    processes = session.exec(found.where(col(Event.process_id).is_not(None)).distinct()).all()
    joined: set[int] = set()
    for process_id in sorted(p for p in processes if p is not None):
        members = (
            select(Event)
            .where(col(Event.id).in_(near), col(Event.id) != event.id)
            .where(Event.process_id == process_id)
            .order_by(col(Event.sort_date).desc(), col(Event.id))
        )
        if _any_links(session, members, event, settings):
            joined.add(process_id)
    return joined


def _any_links(
    session: Session, members: SelectOfScalar[Event], event: Event, settings: ProcessTuning
) -> bool:
    # Whole pages, each read to its end: no cursor is left open while the caller writes.
    offset = 0
    while True:
        page = session.exec(members.limit(_PAGE).offset(offset)).all()
        if any(linked(event, n, settings) for n in page):
            return True
        if len(page) < _PAGE:
            return False
        offset += _PAGE


def _join(session: Session, event: Event, processes: set[int]) -> None:
    if not processes:
        started = Process()
        session.add(started)
        session.flush()
        event.process_id = started.id
        describe(started, [event])
        return
    event.process_id = min(processes)
    if len(processes) == 1:
        process = session.get(Process, event.process_id)
        assert process is not None
        absorb(process, event)
        return
    merge_processes(session, processes)


def merge_processes(session: Session, processes: set[int]) -> None:
    """Make the processes one: the oldest keeps its id and takes the others' events."""
    target = min(processes)
    others = processes - {target}
    session.exec(update(Event).where(col(Event.process_id).in_(others)).values(process_id=target))
    session.flush()
    for orphan in session.exec(select(Process).where(col(Process.id).in_(others))).all():
        session.delete(orphan)
    process = session.get(Process, target)
    assert process is not None
    describe(process, session.exec(select(Event).where(Event.process_id == target)).all())


def absorb(process: Process, event: Event) -> None:
    """Add one event to a process's own fields, without reading its other events."""
    known = {side_identity(p) for p in process.parties}
    added = [p for p in event.parties if side_identity(p) not in known]
    process.parties = sorted([*process.parties, *added], key=side_identity)
    process.countries = sorted({*process.countries, *event.countries})
    process.mediators = sorted({*process.mediators, *(str(m["name"]) for m in event.mediators)})
    process.title = " – ".join(str(p["name"]) for p in process.parties) or "unnamed sides"
    start = event.date_from or event.sort_date
    process.date_from = min(process.date_from or start, start)
    if process.date_to is None or event.sort_date >= process.date_to:
        later = process.date_to is not None and event.sort_date == process.date_to
        keep = (
            later
            and process.latest_status is not None
            and LIFECYCLE.index(process.latest_status) > LIFECYCLE.index(event.status)
        )
        process.latest_status = process.latest_status if keep else event.status
        process.date_to = event.sort_date
    process.event_count += 1


def _neighbours(session: Session, event: Event, settings: ProcessTuning) -> Sequence[Event]:
    return session.exec(select(Event).where(col(Event.id).in_(_near(event, settings)))).all()


def _near(event: Event, settings: ProcessTuning) -> SelectOfScalar[int]:
    """The ids of the events sharing a country with `event` within the process window."""
    window = dt.timedelta(days=settings.window_days)
    return (
        select(EventCountry.event_id)
        .where(col(EventCountry.country).in_(event.countries))
        .where(col(EventCountry.sort_date) >= event.sort_date - window)
        .where(col(EventCountry.sort_date) <= event.sort_date + window)
    )


def _assign(
    session: Session,
    events: list[Event],
    old: set[int],
    settings: ProcessTuning,
    co_reported: set[tuple[int, int]],
) -> None:
    by_id = {_id(e.id): e for e in events}
    free = sorted(old)
    used: set[int] = set()
    for group in group_events(events, settings, co_reported):
        members = [by_id[i] for i in group]
        # The group keeps the oldest process one of its events was in and no group took yet.
        mine = sorted({e.process_id for e in members if e.process_id is not None} - used)
        process = session.get(Process, mine[0]) if mine else None
        if process is None:
            process = Process()
            session.add(process)
            session.flush()
        used.add(_id(process.id))
        for event in members:
            event.process_id = process.id
        describe(process, members)
    session.flush()
    for process_id in set(free) - used:
        orphan = session.get(Process, process_id)
        if orphan is not None:
            session.delete(orphan)


def describe(process: Process, events: Sequence[Event]) -> None:
    """A process's own fields from its events: sides, span, latest status."""
    timeline = sorted(events, key=lambda e: (e.sort_date, LIFECYCLE.index(e.status)))
    parties: dict[str, dict[str, object]] = {}
    for event in timeline:
        for party in event.parties:
            parties.setdefault(side_identity(party), party)
    process.parties = [parties[k] for k in sorted(parties)]
    process.countries = sorted({c for e in events for c in e.countries})
    process.mediators = sorted({str(m["name"]) for e in events for m in e.mediators})
    process.title = " – ".join(str(p["name"]) for p in process.parties) or "unnamed sides"
    process.date_from = min(e.date_from or e.sort_date for e in events)
    process.date_to = max(e.sort_date for e in events)
    process.latest_status = timeline[-1].status
    process.event_count = len(events)


def _id(value: int | None) -> int:
    assert value is not None
    return value
