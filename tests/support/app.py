"""The real app, lifespan and all, over ASGI: the one way tests boot it."""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from app.config import Settings
from app.extraction.protocol import Extractor
from app.services import Services


@asynccontextmanager
async def running(
    settings: Settings, extractor: Extractor | None = None
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    """A client of the app, and the services its lifespan opened (one app at a time: DBOS is
    process-wide)."""
    from app.main import create_app

    app = create_app(settings, extractor=extractor)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://parley.test") as c:
            yield c, app.state.services


@asynccontextmanager
async def serve(
    settings: Settings, extractor: Extractor | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app with these settings."""
    async with running(settings, extractor) as (client, _):
        yield client


async def wait_for_article(
    client: httpx.AsyncClient,
    article_id: int,
    within: float = 30.0,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Poll an article until its extraction is done or failed (`headers`: a key, if needed)."""
    deadline = time.monotonic() + within
    while True:
        response = await client.get(f"/v1/articles/{article_id}", headers=headers)
        body: dict[str, Any] = response.json()
        if body["status"] in ("done", "failed"):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"article {article_id} still {body['status']} after {within}s")
        await asyncio.sleep(0.05)
