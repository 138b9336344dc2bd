"""A worker polls the extraction queues at the busy pace while jobs wait or run, and at the
idle pace once they have been empty for a while; a job after a quiet spell is still done."""

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import respx
from asgi_lifespan import LifespanManager
from dbos import DBOS

from app.main import create_app
from app.pipeline.pacing import PACED_QUEUES, Pace
from tests.support.app import wait_for_article
from tests.support.llm import LLM_BASE_URL, llm_reply
from tests.support.samples import RECORD, TEXT


def test_the_pace_is_busy_until_the_queues_have_been_empty_long_enough() -> None:
    pace = Pace(busy=0.1, idle=1.0, idle_after=10.0, last_work=0.0)

    assert pace.interval(has_work=False, now=9.9) == 0.1
    assert pace.interval(has_work=False, now=10.0) == 1.0
    assert pace.interval(has_work=True, now=30.0) == 0.1  # work again: busy at once
    assert pace.interval(has_work=False, now=39.9) == 0.1
    assert pace.interval(has_work=False, now=40.0) == 1.0


async def test_idle_queues_slow_down_and_poll_busy_again_while_a_job_runs(
    make_settings: Any,
) -> None:
    settings = make_settings(queue_idle_poll_seconds=0.5, queue_idle_after_seconds=0.5)
    busy = settings.queue_poll_seconds
    reply = llm_reply([RECORD])

    async def slow_reply(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(3)  # the job runs for a while
        return reply(request)

    app = create_app(settings)
    with respx.mock(base_url=LLM_BASE_URL) as llm:
        llm.post("/chat/completions").mock(side_effect=slow_reply)
        async with LifespanManager(app, startup_timeout=60) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                await _until(lambda: _intervals_now() == {0.5})

                article_id = (await client.post("/v1/articles", json={"text": TEXT})).json()["id"]
                await _until(lambda: _intervals_now() == {busy})
                done = await wait_for_article(client, article_id)
                await _until(lambda: _intervals_now() == {0.5})

    assert done["status"] == "done"
    assert len(done["records"]) == 1


async def test_pacing_is_off_when_the_idle_pace_is_no_slower(make_settings: Any) -> None:
    settings = make_settings(queue_idle_poll_seconds=0.1, queue_idle_after_seconds=0.2)
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60):
        await asyncio.sleep(1.5)
        assert await _intervals() == {settings.queue_poll_seconds}


async def _intervals() -> set[float]:
    return await asyncio.to_thread(_intervals_now)


def _intervals_now() -> set[float]:
    queues = [DBOS.retrieve_queue(name) for name in PACED_QUEUES]
    return {q.polling_interval_sec for q in queues if q is not None}


async def _until(check: Callable[[], bool], within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while not await asyncio.to_thread(check):
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.1)
