"""The sweeper reads waiting articles a page at a time: a backlog larger than a page (the
default page is far under SQLite's 32,766 bound parameters) is swept whole, each article once."""

import asyncio
from collections.abc import Callable, Iterator
from functools import partial

import pytest
from sqlalchemy import Engine

from app.articles.tables import Article, ArticleStatus
from app.config import Settings
from app.db.engine import make_engine
from app.db.migrate import ensure_current
from app.db.unit import transaction
from app.lifecycle import running
from app.pipeline.sweeper import sweep, waiting_pages

STATUSES = [ArticleStatus.QUEUED, ArticleStatus.DONE, ArticleStatus.PROCESSING] * 4


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    ensure_current(engine, auto_migrate=False)
    yield engine
    engine.dispose()


def accept_without_jobs(engine: Engine) -> list[int]:
    """Twelve articles, eight of them waiting, none with a job; the waiting ones' ids."""
    with transaction(engine) as unit:
        articles = [
            Article(
                text=None if n == 5 else f"Round {n} of talks.",
                url=f"https://x.test/{n}",
                status=status,
            )
            for n, status in enumerate(STATUSES)
        ]
        unit.session.add_all(articles)
        unit.session.flush()
        return [a.id for a in articles if a.status != ArticleStatus.DONE and a.id is not None]


def test_waiting_articles_come_in_pages_in_id_order_each_once(engine: Engine) -> None:
    waiting = accept_without_jobs(engine)

    pages = list(waiting_pages(engine, page=3))

    assert [len(p) for p in pages] == [3, 3, 2]
    assert [job.article_id for p in pages for job in p] == waiting
    url_only = {job.article_id for p in pages for job in p if job.fetch_first}
    assert url_only == {waiting[3]}


async def test_a_backlog_larger_than_a_page_is_swept_whole_then_left_alone(
    engine: Engine, make_settings: Callable[..., Settings]
) -> None:
    waiting = accept_without_jobs(engine)

    async with running(make_settings(extractor_choice="rules"), work=False) as services:
        assert services.queue is not None
        first = await asyncio.to_thread(partial(sweep, services.engine, services.queue, page=3))
        second = await asyncio.to_thread(partial(sweep, services.engine, services.queue, page=3))

    assert first == len(waiting)
    assert second == 0
