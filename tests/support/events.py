"""Storing gold articles through the real store-and-attach path, and reading back the grouping
as partitions that tests can compare (ids differ between runs; groups must not)."""

from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.db.engine import make_engine
from app.db.migrate import upgrade
from app.evaluation.consolidation import store_gold_article
from app.evaluation.gold import GoldArticle, load_gold
from app.events.attach import attach_article, detach_article
from app.events.tables import Event
from app.extraction.contract import ExtractedRecord, ExtractionResult
from app.extraction.vocabulary import ExtractorName
from app.records.normalise import normalise_record
from app.records.store import store_extraction
from app.records.tables import Record
from tests.support.databases import wipe

FIXTURES = Path(__file__).parents[1] / "fixtures" / "events"
WIRE = FIXTURES / "wire.jsonl"
HELDOUT = FIXTURES / "heldout.jsonl"
BLIND = FIXTURES / "blind.jsonl"
BLIND2 = FIXTURES / "blind2.jsonl"

# A record named by its article's gold id and its index among the article's records.
Placed = tuple[str, int]
Partition = frozenset[frozenset[Placed]]


def wire() -> list[GoldArticle]:
    """The events tuning set: developments reported by several outlets, near-twins apart."""
    return load_gold(WIRE)


def restore(
    session: Session, article_id: int, gold: GoldArticle, records: list[ExtractedRecord]
) -> None:
    """What the store step does when an article is extracted again: its new `records`."""
    left = detach_article(session, article_id)
    result = ExtractionResult(records=records, extractor=ExtractorName.RULES)
    store_extraction(session, article_id, gold.article.text, None, result)
    attach_article(session, article_id, left)


def empty_engine(url: str) -> Engine:
    """A migrated engine whose application tables are empty."""
    engine = make_engine(url)
    upgrade(engine)
    if engine.dialect.name == "postgresql":
        wipe(engine)
    return engine


def store_all(engine: Engine, articles: Iterable[GoldArticle]) -> dict[int, Placed]:
    """Store each article's own gold records, one transaction per article as the pipeline
    does; where every stored record came from (record id -> place)."""
    placed: dict[int, Placed] = {}
    for article in articles:
        records = [normalise_record(g.record) for g in article.records]
        with Session(engine) as session:
            article_id, kept = store_gold_article(session, article, records)
            session.commit()
            rows = session.exec(
                select(Record.id, Record.seq).where(Record.article_id == article_id)
            ).all()
        placed.update({rid: (article.id, kept[seq]) for rid, seq in rows if rid is not None})
    return placed


def partitions(engine: Engine, placed: dict[int, Placed]) -> tuple[Partition, Partition]:
    """The events and the processes, as sets of groups of record places."""
    with Session(engine) as session:
        rows = session.exec(
            select(Record.id, Record.event_id, Event.process_id).join(
                Event, col(Event.id) == Record.event_id
            )
        ).all()
    events: dict[int, set[Placed]] = {}
    processes: dict[int, set[Placed]] = {}
    for record_id, event_id, process_id in rows:
        assert record_id is not None
        assert event_id is not None
        assert process_id is not None
        events.setdefault(event_id, set()).add(placed[record_id])
        processes.setdefault(process_id, set()).add(placed[record_id])
    return _frozen(events.values()), _frozen(processes.values())


def gold_partition(articles: Sequence[GoldArticle], key: str) -> Partition:
    """Gold's grouping of the records by their `event` or `process` key."""
    groups: dict[str, set[Placed]] = {}
    for article in articles:
        for index, record in enumerate(article.records):
            groups.setdefault(str(getattr(record, key)), set()).add((article.id, index))
    return _frozen(groups.values())


def _frozen(groups: Iterable[set[Placed]]) -> Partition:
    return frozenset(frozenset(g) for g in groups)
