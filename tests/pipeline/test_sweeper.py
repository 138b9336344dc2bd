"""Nothing accepted is left behind: an article whose job ended unfinished gets a new attempt."""

import asyncio
import time
from typing import Any

import httpx
import respx
from asgi_lifespan import LifespanManager
from dbos import DBOS

from app.articles.jobs import ExtractArticle
from app.articles.tables import Article
from app.main import create_app
from app.services import bound
from tests.support.app import wait_for_article
from tests.support.llm import LLM_BASE_URL, llm_reply
from tests.support.samples import RECORD, TEXT


async def test_an_article_whose_job_ended_unfinished_is_queued_again_and_completes(
    make_settings: Any,
) -> None:
    # The provider is down, so the article's job waits (breaker open); then the job is cancelled,
    # as an operator might, or as a job that ran out of database retries ends in error.
    settings = make_settings(llm_breaker_threshold=1, llm_breaker_cooldown_seconds=60)
    app = create_app(settings)
    with respx.mock(base_url=LLM_BASE_URL) as llm:
        route = llm.post("/chat/completions").mock(return_value=httpx.Response(503, json={}))
        async with LifespanManager(app, startup_timeout=60) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                article_id = (await client.post("/v1/articles", json={"text": TEXT})).json()["id"]
                await _until(lambda: route.call_count >= 1)
                first_job = _job_of(article_id)
                await asyncio.to_thread(DBOS.cancel_workflow, first_job)

                route.mock(side_effect=llm_reply([RECORD]))
                bound().breaker.succeeded()
                queued = await asyncio.to_thread(_sweep)
                done = await wait_for_article(client, article_id)
                second_job = _job_of(article_id)

    assert queued == 1
    assert second_job != first_job
    assert done["status"] == "done"
    assert len(done["records"]) == 1


def _job_of(article_id: int) -> str:
    with bound().unit() as unit:
        article = unit.session.get(Article, article_id)
        assert article is not None
        return ExtractArticle.of(article).workflow_id


def _sweep() -> int:
    queue = bound().queue
    assert queue is not None
    return queue.sweep()


async def _until(condition: Any, within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "condition never met"
        await asyncio.sleep(0.02)


async def test_the_app_starts_while_articles_wait_and_finishes_them(make_settings: Any) -> None:
    # The waiting job's durable sleep (the breaker's cool-down) survives the restart.
    settings = make_settings(llm_breaker_threshold=1, llm_breaker_cooldown_seconds=2)
    with respx.mock(base_url=LLM_BASE_URL) as llm:
        route = llm.post("/chat/completions").mock(return_value=httpx.Response(503, json={}))
        async with LifespanManager(create_app(settings), startup_timeout=60) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                article_id = (await client.post("/v1/articles", json={"text": TEXT})).json()["id"]
                await _until(lambda: route.call_count >= 1)

        route.mock(side_effect=llm_reply([RECORD]))
        async with LifespanManager(create_app(settings), startup_timeout=60) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                done = await wait_for_article(client, article_id)

    assert done["status"] == "done"
