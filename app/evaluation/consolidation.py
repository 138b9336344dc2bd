"""Scoring consolidation: the gold articles' records are stored in a scratch database through
the service's own store-and-attach path, and the events and processes it forms are compared to
the gold `event` and `process` keys (see app.evaluation.clusters for the measures).

Fed the gold records themselves, this measures consolidation alone; fed an extractor's records,
end to end (records pair with gold ones as in extraction scoring; unpaired ones do not count).
"""

import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from app.articles.tables import Article, ArticleStatus
from app.db.engine import make_engine
from app.db.migrate import upgrade
from app.evaluation.clusters import GroupingScore, score_grouping
from app.evaluation.gold import GoldArticle
from app.evaluation.scoring import pair_records
from app.events.attach import attach_article, detach_article
from app.events.tables import Event
from app.extraction.contract import ExtractedRecord, ExtractionResult
from app.extraction.vocabulary import ExtractorName
from app.records.prepare import prepare
from app.records.store import store_extraction
from app.records.tables import Record

# A record's place in the input: (gold article id, index among the article's records).
Placed = tuple[str, int]


@dataclass(frozen=True)
class Grouping:
    """What the store made of the records: each record's event and process."""

    event: dict[Placed, int]
    process: dict[Placed, int | None]


@dataclass(frozen=True)
class ConsolidationScore:
    """Events scored over paired records; processes over gold events."""

    events: GroupingScore
    processes: GroupingScore


def has_consolidation_gold(articles: Sequence[GoldArticle]) -> bool:
    """Whether the gold file codes events (the dev corpus and the events test sets do)."""
    return any(g.event for a in articles for g in a.records)


def store_and_group(
    articles: Sequence[GoldArticle], records: Mapping[str, Sequence[ExtractedRecord]]
) -> Grouping:
    """Store every article's records (in the order of `articles`) in a scratch SQLite database
    and read back the events and processes they were attached to."""
    with tempfile.TemporaryDirectory(prefix="parley-eval-") as scratch:
        engine = make_engine(f"sqlite:///{Path(scratch) / 'eval.db'}")
        try:
            upgrade(engine)
            with Session(engine) as session:
                kept = {
                    a.id: store_gold_article(session, a, list(records.get(a.id, [])))
                    for a in articles
                }
                session.commit()
                return _read(session, kept)
        finally:
            engine.dispose()


def store_gold_article(
    session: Session, gold: GoldArticle, records: list[ExtractedRecord]
) -> tuple[int, list[int]]:
    """Store one article's records; its id and the input index of each stored record (by seq:
    storing drops a record none of whose quotes it can ground)."""
    source = gold.article
    kept = [i for i, r in enumerate(records) if prepare([r], source.text)[0]]
    article = Article(
        title=source.title,
        url=source.url,
        source=source.source,
        published_at=source.published_at,
        text=source.text,
        status=ArticleStatus.DONE,
    )
    session.add(article)
    session.flush()
    assert article.id is not None
    published = source.published_at.date() if source.published_at else None
    result = ExtractionResult(records=records, extractor=ExtractorName.RULES)
    left = detach_article(session, article.id)
    store_extraction(session, article.id, source.text, published, result)
    attach_article(session, article.id, left)
    return article.id, kept


def _read(session: Session, stored: Mapping[str, tuple[int, list[int]]]) -> Grouping:
    placed = {
        (article_id, seq): (gold_id, index)
        for gold_id, (article_id, kept) in stored.items()
        for seq, index in enumerate(kept)
    }
    rows = session.exec(
        select(Record.article_id, Record.seq, Record.event_id, Event.process_id)
        .join(Event, col(Event.id) == Record.event_id)
        .order_by(col(Record.id))
    ).all()
    event = {placed[(a, seq)]: e for a, seq, e, _ in rows if e is not None}
    process = {placed[(a, seq)]: p for a, seq, _, p in rows}
    return Grouping(event, process)


def score_consolidation(
    articles: Sequence[GoldArticle], records: Mapping[str, Sequence[ExtractedRecord]]
) -> ConsolidationScore:
    """Store `records` (gold article id -> records, gold's own for consolidation alone) and
    score the events and processes formed against the gold keys."""
    grouping = store_and_group(articles, records)
    system_events: list[int] = []
    gold_events: list[str] = []
    process_votes: dict[str, Counter[int | None]] = {}
    gold_process: dict[str, str] = {}
    for article in articles:
        mine = list(records.get(article.id, []))
        for i, j in pair_records(mine, article.records):
            truth = article.records[j]
            placed = (article.id, i)
            if truth.event is None or placed not in grouping.event:
                continue
            system_events.append(grouping.event[placed])
            gold_events.append(truth.event)
            process_votes.setdefault(truth.event, Counter())[grouping.process[placed]] += 1
            gold_process.setdefault(truth.event, truth.process or truth.event)
    keys = sorted(process_votes)
    system_processes = [_majority(process_votes[k]) for k in keys]
    return ConsolidationScore(
        events=score_grouping(system_events, gold_events),
        processes=score_grouping(system_processes, [gold_process[k] for k in keys]),
    )


def _majority(votes: Counter[int | None]) -> int | None:
    """The process most of a gold event's records landed in (a tie: the smallest id)."""
    return min(votes, key=lambda p: (-votes[p], p or 0))
