"""Attaching stored reports to events in the store step: differently worded reports of one
development join one event, near-twins stay apart, and neither the order articles arrive in,
nor a replay, nor a rebuild changes the grouping. Real SQLite or PostgreSQL, real migrations."""

import random
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from app.articles.tables import Article
from app.evaluation.gold import GoldArticle, GoldRecord, load_gold
from app.events.facts import mediator_key
from app.events.rebuild import rebuild
from app.events.tables import Event, EventAnchor
from app.extraction.contract import ArticleInput, ExtractedRecord
from app.records.normalise import normalise_record
from app.records.tables import Record
from tests.support.corpus import CORPUS as DEV_CORPUS
from tests.support.databases import postgres_database
from tests.support.events import (
    BLIND2,
    HELDOUT,
    WIRE,
    Placed,
    empty_engine,
    gold_partition,
    partitions,
    restore,
    store_all,
    wire,
)

EngineFactory = Callable[[], Engine]


@pytest.fixture
def fresh_engine(tmp_path: Path, postgres_ready: str | None) -> Iterator[EngineFactory]:
    """Empty migrated databases, one per call (PostgreSQL: the worker's, emptied again)."""
    engines: list[Engine] = []

    def make() -> Engine:
        for old in engines:
            old.dispose()
        url = postgres_ready or f"sqlite:///{tmp_path / f'{len(engines)}.db'}"
        engines.append(empty_engine(url))
        return engines[-1]

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture(scope="module")
def stored(
    tmp_path_factory: pytest.TempPathFactory, postgres_ready: str | None
) -> Iterator[tuple[Engine, dict[int, Placed]]]:
    """The tuning set stored once, for this module's read-only tests (a database of its own,
    so the per-test wipe of the others never reaches it)."""
    with ExitStack() as stack:
        url = (
            stack.enter_context(postgres_database("parley_attach"))
            if postgres_ready
            else f"sqlite:///{tmp_path_factory.mktemp('attach') / 'wire.db'}"
        )
        engine = empty_engine(url)
        yield engine, store_all(engine, wire())
        engine.dispose()


def test_each_development_is_one_event_and_near_twins_stay_apart(
    stored: tuple[Engine, dict[int, Placed]],
) -> None:
    engine, placed = stored

    events, processes = partitions(engine, placed)

    assert events == gold_partition(wire(), "event")
    # Background history an article recalls may join the process it is told in, or not, as
    # coders differ on it; the processes of the news itself are the gold's.
    news = {(a.id, i) for a in wire() for i, r in enumerate(a.records) if not r.optional}
    assert _within(processes, news) == _within(gold_partition(wire(), "process"), news)


@pytest.mark.parametrize(
    "gold", [WIRE, HELDOUT, BLIND2, DEV_CORPUS], ids=["wire", "heldout", "blind2", "dev"]
)
def test_the_order_articles_arrive_in_does_not_change_the_grouping(
    fresh_engine: EngineFactory, gold: Path
) -> None:
    articles = load_gold(gold)
    shuffled = articles[:]
    random.Random(20261202).shuffle(shuffled)

    groupings = []
    for order in (articles, articles[::-1], shuffled):
        engine = fresh_engine()
        groupings.append(partitions(engine, store_all(engine, order)))

    assert groupings[0] == groupings[1] == groupings[2]


def test_a_rebuild_recomputes_the_same_events_and_processes(fresh_engine: EngineFactory) -> None:
    engine = fresh_engine()
    placed = store_all(engine, wire())
    before = partitions(engine, placed)

    attached = rebuild(engine)

    assert attached == len(placed)
    assert partitions(engine, placed) == before


def test_storing_an_article_again_attaches_nothing_twice(fresh_engine: EngineFactory) -> None:
    articles = wire()
    engine = fresh_engine()
    store_all(engine, articles)
    counts = _counts(engine)

    with Session(engine) as session:
        again = articles[0]
        article_id = session.exec(select(func.min(Record.article_id))).one()
        records = [normalise_record(g.record) for g in again.records]
        restore(session, article_id, again, records)
        session.commit()

    assert _counts(engine) == counts


def test_an_event_that_loses_the_report_bridging_it_splits(fresh_engine: EngineFactory) -> None:
    # 100 and 150 prisoners are too far apart to be one exchange; 125 is near both.
    first, bridge, last = (_swap(n, name) for n, name in ((100, "a"), (125, "b"), (150, "c")))
    engine = fresh_engine()
    placed = store_all(engine, [first, bridge, last])
    assert len(partitions(engine, placed)[0]) == 1

    with Session(engine) as session:
        bridge_id = session.exec(select(Record.article_id).where(Record.count == 125)).one()
        restore(session, bridge_id, bridge, [])  # re-extracted: it yields nothing now
        session.commit()

    events, _ = partitions(engine, placed)
    assert events == {frozenset({("a", 0)}), frozenset({("c", 0)})}


def test_an_events_fields_are_consolidated_from_its_reports(
    stored: tuple[Engine, dict[int, Placed]],
) -> None:
    engine, _ = stored

    with Session(engine) as session:
        event = session.exec(
            select(Event).order_by(col(Event.source_count).desc(), col(Event.id))
        ).first()
        assert event is not None
        reports = session.exec(select(Record).where(Record.event_id == event.id)).all()
        articles = session.exec(
            select(Article).where(col(Article.id).in_([r.article_id for r in reports]))
        ).all()

    assert event.source_count == len(articles) > 1
    finest = max(len(r.date) for r in reports if r.date)
    assert event.date is not None
    assert len(event.date) == finest
    assert {mediator_key(m) for m in event.mediators} == {
        mediator_key(m) for r in reports for m in r.mediators
    }
    assert event.status in {r.status for r in reports}
    published = sorted(a.published_at for a in articles if a.published_at)
    assert (event.first_reported_at, event.last_reported_at) == (published[0], published[-1])


def test_every_dated_record_is_anchored_once_per_country(
    stored: tuple[Engine, dict[int, Placed]],
) -> None:
    engine, _ = stored

    with Session(engine) as session:
        anchors = session.exec(select(func.count()).select_from(EventAnchor)).one()
        records = session.exec(select(Record)).all()

    assert any(r.date and "-" not in r.date for r in records), "a report dated by a year"
    assert anchors == sum(len(r.countries) for r in records)


@pytest.mark.parametrize("first", ["2016", "2016-11", "2016-06-23"])
def test_a_mention_dated_by_a_year_joins_one_dated_by_its_month_in_either_order(
    fresh_engine: EngineFactory, first: str
) -> None:
    # The year's and the month's searches must find each other, whichever is stored first;
    # a day-dated deal of June stays apart from both, as a year cannot tell it from its twins.
    dates = ["2016", "2016-11", "2016-06-23"]
    order = [first, *(d for d in dates if d != first)]
    engine = fresh_engine()

    placed = store_all(engine, [_accord(date, f"accord {date}") for date in order])

    assert partitions(engine, placed)[0] == {
        frozenset({("accord 2016", 0), ("accord 2016-11", 0)}),
        frozenset({("accord 2016-06-23", 0)}),
    }


def _accord(date: str, name: str) -> GoldArticle:
    text = f"The government and the FARC guerrillas signed a peace agreement ({date})."
    sides = [("Colombia", "state", "COL"), ("FARC", "armed_group", "COL")]
    return _one_record(
        name, text, sides, {"kind": "peace_agreement", "status": "agreed", "date": date}
    )


def _swap(count: int, name: str) -> GoldArticle:
    text = f"Russia and Ukraine swapped {count} prisoners of war on Friday, officials said."
    sides = [("Russia", "state", "RUS"), ("Ukraine", "state", "UKR")]
    fields = {"kind": "prisoner_exchange", "status": "completed", "date": "2026-03-06"}
    return _one_record(name, text, sides, {**fields, "count": count})


def _one_record(
    name: str, text: str, sides: list[tuple[str, str, str]], fields: dict[str, object]
) -> GoldArticle:
    """An article of one sentence and the one record it gives, between `sides`."""
    parties = [{"name": n, "kind": kind, "country": country} for n, kind, country in sides]
    record = ExtractedRecord.model_validate({**fields, "parties": parties, "evidence": [text]})
    return GoldArticle(name, ArticleInput(text=text), [GoldRecord(record)])


def _within(groups: frozenset[frozenset[Placed]], kept: set[Placed]) -> set[frozenset[Placed]]:
    return {group & kept for group in groups if group & kept}


def _counts(engine: Engine) -> tuple[int, int, int, int]:
    with Session(engine) as session:
        return (
            session.exec(select(func.count()).select_from(Record)).one(),
            session.exec(select(func.count()).select_from(Event)).one(),
            session.exec(select(func.count()).select_from(EventAnchor)).one(),
            session.exec(select(func.sum(Event.source_count))).one() or 0,
        )
