"""Feeds built to make the parser slow: a hundred thousand items, a 5 MB author. Each is read in
well under a second and its first items go in."""

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from app.config import Settings
from tests.support.app import serve
from tests.support.databases import stored_articles
from tests.support.loopback import LoopbackServer
from tests.support.news_site import rss, serve_feed


@pytest.fixture
def site() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        yield server


@pytest.fixture
def settings(make_settings: Callable[..., Settings], site: LoopbackServer) -> Settings:
    # No worker: what is measured is reading the feed and storing its items.
    return make_settings(
        fetch_allow_hosts=f"127.0.0.1:{site.port}",
        fetch_max_bytes=8_000_000,
        feed_max_items=20,
        run_worker=False,
    )


async def post_feed(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    answer = await client.post("/v1/feeds", json={"url": url})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_a_feed_of_a_hundred_thousand_items_is_read_up_to_the_cap(
    settings: Settings, site: LoopbackServer, database_url: str
) -> None:
    # feedparser built every entry before the cap applied (8 s for this 5 MB feed): the cap is
    # now applied to the bytes first (tests/parsing/test_feed_bounds.py shows the cut).
    items = [f"<item><link>{site.url(f'/n/{i}')}</link></item>" for i in range(100_000)]
    site.routes["/huge.xml"] = serve_feed(rss(items))

    async with serve(settings) as client:
        body = await post_feed(client, site.url("/huge.xml"))

    assert (body["items"], body["new"], body["truncated"]) == (20, 20, 99_980)
    assert [a.url for a in stored_articles(database_url)] == [
        site.url(f"/n/{i}") for i in range(20)
    ]


async def test_a_feed_with_a_five_megabyte_author_goes_in_with_the_author_cut(
    settings: Settings, site: LoopbackServer, database_url: str
) -> None:
    # feedparser's e-mail regex is quadratic in an author's length: the parse ran into its
    # 20 s limit and the whole feed was refused.
    huge = "a" * 5_000_000
    items = [
        f"<item><title>First</title><link>{site.url('/first')}</link><author>{huge}</author>"
        "</item>",
        f"<item><title>Second</title><link>{site.url('/second')}</link>"
        "<author>desk@news.example (News desk)</author></item>",
    ]
    site.routes["/authors.xml"] = serve_feed(rss(items))

    async with serve(settings) as client:
        body = await post_feed(client, site.url("/authors.xml"))

    assert (body["items"], body["new"], body["failed"]) == (2, 2, 0)
    first, second = stored_articles(database_url)
    assert (first.title, first.author) == ("First", "a" * 500)
    assert (second.title, second.author) == ("Second", "desk@news.example (News desk)")
