"""Fetching pages is work of its own: slow sites hold fetch slots, never extraction slots, and
an article's fetch, all attempts included, ends at the fetch deadline."""

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from dbos import DBOS

from app.articles.jobs import ExtractArticle
from app.articles.tables import Article
from app.config import Settings
from app.services import Services
from tests.support.app import running, serve, wait_for_article
from tests.support.loopback import LoopbackServer, send
from tests.support.news_site import story

TEXT = (
    "Negotiators from both delegations met in Doha on Monday and agreed to a ceasefire in the "
    "northern province, the mediators said in a statement."
)


def drip_a_byte_a_second(stop: threading.Event) -> Callable[[BaseHTTPRequestHandler], None]:
    """A page whose headers come at once and whose body comes a byte a second (for 60 s)."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        for _ in range(60):
            if stop.wait(1.0):
                return
            try:
                handler.wfile.write(b"x")
                handler.wfile.flush()
            except OSError:
                return

    return route


@pytest.fixture
def site() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        slow = drip_a_byte_a_second(server.stop)
        server.routes["/slow"] = slow
        # Slow the first time, a page after that.
        server.routes["/once-slow"] = lambda h: (
            slow(h) if len(server.received) == 1 else send(h, body=story("a truce"))
        )
        yield server


async def until(condition: Callable[[], bool], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "condition never met"
        await asyncio.sleep(0.01)


def slow_site_settings(
    make_settings: Callable[..., Settings], site: LoopbackServer, **overrides: Any
) -> Settings:
    return make_settings(
        extractor_choice="rules", fetch_allow_hosts=f"127.0.0.1:{site.port}", **overrides
    )


async def test_a_text_article_is_extracted_while_slow_urls_are_being_fetched(
    make_settings: Callable[..., Settings], site: LoopbackServer
) -> None:
    # Four URLs dripping a byte a second, as many as there are extraction slots: fetched in
    # those slots, they held every one for all their attempts (21 s here, 66 s by default).
    settings = slow_site_settings(
        make_settings,
        site,
        queue_concurrency=4,
        fetch_concurrency=4,
        fetch_timeout_seconds=5,
        fetch_deadline_seconds=30,
    )
    async with serve(settings) as client:
        slow = [
            (await client.post("/v1/articles", json={"url": site.url(f"/slow?n={n}")})).json()
            for n in range(4)
        ]
        await until(lambda: len(site.received) == 4)  # every slow fetch is under way
        posted = await client.post("/v1/articles", json={"text": TEXT})
        article = await wait_for_article(client, posted.json()["id"], within=30)
        still = [(await client.get(f"/v1/articles/{a['id']}")).json()["status"] for a in slow]

    assert article["status"] == "done"
    assert article["records"]
    # Done while every slow fetch is still under way: it never waited for a slot they held.
    assert set(still) == {"processing"}


async def test_a_page_dripping_a_byte_a_second_fails_at_the_fetch_deadline(
    make_settings: Callable[..., Settings], site: LoopbackServer
) -> None:
    # Each attempt may take the fetch timeout (5 s): three attempts and the waits between them
    # took 21 s; the deadline ends the whole fetch at 3 s.
    settings = slow_site_settings(
        make_settings, site, fetch_timeout_seconds=5, fetch_deadline_seconds=3
    )
    async with serve(settings) as client:
        posted = await client.post("/v1/articles", json={"url": site.url("/slow")})
        await until(lambda: bool(site.received))
        started = time.monotonic()
        article = await wait_for_article(client, posted.json()["id"], within=40)
        took = time.monotonic() - started

    assert article["status"] == "failed"
    assert "deadline" in article["error"]
    # Well short of the 21 s the attempts take without it; the slack is for a loaded machine.
    assert 2.5 < took < 12, f"the fetch ended {took:.1f} s after it began"


def job_of(services: Services, article_id: int) -> ExtractArticle:
    with services.unit() as unit:
        article = unit.session.get(Article, article_id)
        assert article is not None
        return ExtractArticle.of(article)


def sweep(services: Services) -> int:
    assert services.queue is not None
    return services.queue.sweep()


async def test_the_sweeper_leaves_a_fetch_under_way_alone_and_retries_one_that_ended(
    make_settings: Callable[..., Settings], site: LoopbackServer
) -> None:
    settings = slow_site_settings(make_settings, site, fetch_timeout_seconds=30)
    async with running(settings) as (client, services):
        posted = await client.post("/v1/articles", json={"url": site.url("/once-slow")})
        await until(lambda: bool(site.received))
        job = job_of(services, posted.json()["id"])
        under_way = await asyncio.to_thread(sweep, services)
        # The fetch ends unfinished (cancelled, as an operator might, or out of retries).
        await asyncio.to_thread(DBOS.cancel_workflow, job.fetch_workflow_id)
        ended = await asyncio.to_thread(sweep, services)
        article = await wait_for_article(client, posted.json()["id"])

    assert job.fetch_first
    assert (under_way, ended) == (0, 1)
    assert article["status"] == "done", article["error"]
    assert len(site.received) == 2
