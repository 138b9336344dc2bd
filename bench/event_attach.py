"""Timing the attachment of new reports to a loaded store, through the real code path.

Each new report comes as an article of its own with one record: the article is inserted as
`POST /v1/articles` would, then stored and attached in one transaction exactly as the
pipeline's store step does (`detach_article`, `store_extraction`, `attach_article`, `mark`).
"""

import datetime as dt
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import select

from app.articles.accept import text_fingerprint
from app.articles.status import mark
from app.articles.tables import Article, ArticleStatus
from app.db.unit import transaction
from app.events.attach import attach_article, detach_article
from app.extraction.contract import ExtractedRecord, ExtractionResult
from app.extraction.vocabulary import ExtractorName
from app.records.store import store_extraction
from app.records.tables import Record
from bench.event_text import OUTLETS, extracted
from bench.event_world import Development, Stream


@dataclass(frozen=True)
class Arrival:
    """A new report of a development, and whether a stored report already tells of it."""

    development: Development
    outlet: int
    joins: bool


@dataclass(frozen=True)
class Timing:
    """One attachment: milliseconds attaching (detach + attach; wall clock, and CPU time of
    this process), the whole store step with its commit, and whether the report joined."""

    attach_ms: float
    attach_cpu_ms: float
    step_ms: float
    joined: bool
    expected: bool


def arrivals(streams: Sequence[Stream], count: int, seed: int) -> list[Arrival]:
    """`count` new reports in the store's streams, taking turns: one tells of a stream's latest
    development (stored, or begun by an earlier arrival), the next of a development after it."""
    rng = random.Random(seed)
    told: dict[tuple[str, str, dt.date], int] = {}
    found = []
    for i in range(count):
        stream = rng.choice(streams)
        joins = bool(stream.recent) and i % 2 == 0
        development = stream.recent[-1] if joins else stream.develop(rng)
        key = (development.country.code, development.kind, development.day)
        outlet = told.get(key, development.reports if joins else 0)
        told[key] = outlet + 1
        found.append(Arrival(development, outlet, joins))
    return found


def time_arrivals(engine: Engine, news: Sequence[Arrival], first_serial: int) -> list[Timing]:
    """Store and attach each new report in turn; one timing each."""
    return [attach_one(engine, a, first_serial + i) for i, a in enumerate(news)]


def attach_one(engine: Engine, arrival: Arrival, serial: int) -> Timing:
    """Post, then store and attach one new report; how long attaching took."""
    text, record = extracted(arrival.development, arrival.outlet, serial)
    published = dt.datetime.combine(arrival.development.day, dt.time(12), dt.UTC)
    article_id = _post(engine, text, serial, arrival.outlet, published)
    started = time.perf_counter()
    with transaction(engine) as unit:  # as app.pipeline.steps.store
        session = unit.session
        article = session.get(Article, article_id)
        assert article is not None
        a, a_cpu = time.perf_counter(), time.process_time()
        left = detach_article(session, article_id)
        b, b_cpu = time.perf_counter(), time.process_time()
        store_extraction(session, article_id, text, published.date(), _result(record))
        c, c_cpu = time.perf_counter(), time.process_time()
        attach_article(session, article_id, left)
        d, d_cpu = time.perf_counter(), time.process_time()
        mark(session, article, ArticleStatus.DONE)
    step = time.perf_counter() - started
    with transaction(engine) as unit:
        stored = unit.session.exec(select(Record).where(Record.article_id == article_id)).one()
    joined = stored.event_score is not None
    wall, cpu = b - a + d - c, b_cpu - a_cpu + d_cpu - c_cpu
    return Timing(1000 * wall, 1000 * cpu, 1000 * step, joined, joined == arrival.joins)


def _post(engine: Engine, text: str, serial: int, outlet: int, published: dt.datetime) -> int:
    with transaction(engine) as unit:
        article = Article(
            text=text,
            text_hash=text_fingerprint(text),
            status=ArticleStatus.PROCESSING,
            title=f"Dispatch {serial}",
            source=OUTLETS[outlet % len(OUTLETS)],
            published_at=published,
        )
        unit.session.add(article)
        unit.session.flush()
        assert article.id is not None
        return article.id


def _result(record: ExtractedRecord) -> ExtractionResult:
    return ExtractionResult(
        records=[record], extractor=ExtractorName.LLM, model="bench", prompt_version="extract-v1"
    )
