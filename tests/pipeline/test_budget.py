"""The daily LLM token budget: once spent, articles wait queued instead of spending more."""

import asyncio
import time
from typing import Any

import httpx
import respx
from asgi_lifespan import LifespanManager

from app.main import create_app
from tests.support.app import wait_for_article
from tests.support.llm import LLM_BASE_URL, llm_reply
from tests.support.samples import RECORD, TEXT


async def test_articles_wait_once_the_daily_token_budget_is_spent(make_settings: Any) -> None:
    # One fake completion costs 1,350 tokens, so a budget of 1,000 allows exactly one call.
    app = create_app(make_settings(llm_daily_token_budget=1000))
    with respx.mock(base_url=LLM_BASE_URL) as llm:
        route = llm.post("/chat/completions").mock(side_effect=llm_reply([RECORD]))
        async with LifespanManager(app, startup_timeout=60) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                first = await client.post("/v1/articles", json={"text": TEXT})
                assert (await wait_for_article(client, first.json()["id"]))["status"] == "done"

                second = await client.post("/v1/articles", json={"text": TEXT + " More."})
                waiting = await _waiting(client, second.json()["id"])

    assert "budget" in waiting["error"]
    assert route.call_count == 1


async def _waiting(client: httpx.AsyncClient, article_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        body: dict[str, Any] = (await client.get(f"/v1/articles/{article_id}")).json()
        if body["status"] == "queued" and body["error"]:
            return body
        assert body["status"] not in ("done", "failed"), body
        await asyncio.sleep(0.05)
    raise AssertionError("the article never started waiting")
