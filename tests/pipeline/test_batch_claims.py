"""Which articles wait for a batch: a batch is due when enough wait or the oldest waited long
enough; the sweeper leaves them to the collector; a batch whose workflow is gone frees them."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.articles.tables import Article, ArticleStatus
from app.config import Settings
from app.db.engine import make_engine
from app.db.migrate import ensure_current
from app.db.types import utcnow
from app.pipeline.batch_claims import due, release
from app.pipeline.sweeper import waiting_jobs


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    ensure_current(engine, auto_migrate=False)
    yield engine
    engine.dispose()


def add(engine: Engine, n: int, *, mode: str = "batch", age: float = 0.0, **values: Any) -> None:
    with Session(engine) as session:
        for _ in range(n):
            created = utcnow() - timedelta(seconds=age)
            session.add(Article(text="t", extraction_mode=mode, created_at=created, **values))
        session.commit()


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, llm_batch="auto", **values)


def test_a_batch_is_due_when_enough_articles_wait_or_the_oldest_waited_long_enough(
    engine: Engine,
) -> None:
    patient = settings(llm_batch_max_articles=3, llm_batch_wait_seconds=60)
    assert not due(engine, patient)
    add(engine, 2, age=10)
    assert not due(engine, patient)
    add(engine, 1)
    assert due(engine, patient)
    assert due(engine, settings(llm_batch_max_articles=10, llm_batch_wait_seconds=5))


def test_sync_and_claimed_articles_do_not_make_a_batch_due(engine: Engine) -> None:
    add(engine, 2, mode="sync", age=100)
    add(engine, 2, age=100, batch_key="batch-1")

    assert not due(engine, settings(llm_batch_wait_seconds=5))


def test_the_sweeper_leaves_batch_articles_to_the_collector_only_when_batching(
    engine: Engine,
) -> None:
    add(engine, 1, mode="sync")
    add(engine, 1)
    with Session(engine) as session:
        batching = waiting_jobs(session, 0, 100, batching=True)
        not_batching = waiting_jobs(session, 0, 100)
        modes = [session.get_one(Article, job.article_id).extraction_mode for job in batching]

    assert modes == ["sync"]
    assert len(not_batching) == 2


def test_articles_of_a_batch_whose_workflow_is_gone_are_freed_for_the_next(
    engine: Engine,
) -> None:
    add(engine, 2, batch_key="batch-gone", status=ArticleStatus.PROCESSING)
    add(engine, 1, batch_key="batch-gone", status=ArticleStatus.DONE)

    assert release(engine, ["batch-gone"]) == 2
    assert due(engine, settings(llm_batch_max_articles=2))


def test_the_sweeper_leaves_articles_claimed_by_a_batch_alone_even_with_batching_off(
    engine: Engine,
) -> None:
    add(engine, 1, batch_key="batch-running", status=ArticleStatus.PROCESSING)
    with Session(engine) as session:
        assert waiting_jobs(session, 0, 100) == []
