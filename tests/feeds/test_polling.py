"""Registered feeds: `every` registers a DBOS schedule, polls use ETag, DELETE stops them."""

import asyncio
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
import respx
from dbos import DBOS

from app.feeds.polling import schedule_feed, schedule_name
from tests.support.app import serve, wait_for_article
from tests.support.llm import LLM_BASE_URL, llm_reply
from tests.support.loopback import LoopbackServer, send
from tests.support.news_site import localised, requested, rss, rss_item, serve_feed, site_settings

FULL = "Both delegations met again on Monday to discuss the exchange of prisoners held. " * 4


@pytest.fixture
def site() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        server.routes["/peace/feed"] = serve_feed(
            localised("wordpress_rss2.xml", server), etag='"v1"'
        )
        yield server


@pytest.fixture
def settings(make_settings: Any, site: LoopbackServer) -> Any:
    return site_settings(make_settings, site)


@pytest.fixture
def llm() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=LLM_BASE_URL, assert_all_called=False) as mock:
        mock.route(host="127.0.0.1").pass_through()
        mock.post("/chat/completions").mock(side_effect=llm_reply([]))
        yield mock


async def register(client: httpx.AsyncClient, site: LoopbackServer, every: str = "15m") -> int:
    answer = await client.post("/v1/feeds", json={"url": site.url("/peace/feed"), "every": every})
    assert answer.status_code == 201, answer.text
    feed_id: int = answer.json()["feed_id"]
    return feed_id


async def listed(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await client.get("/v1/feeds")).json()["items"]
    return items


async def poll_now(feed_id: int) -> None:
    """Fire the feed's schedule at once, as the scheduler would, and wait for the poll.

    The cron itself is paused first: at its own minute (second = feed id) it would poll too, and
    a second poll adds its own counts to the ones these tests check.
    """
    await asyncio.to_thread(DBOS.pause_schedule, schedule_name(feed_id))
    handle = await asyncio.to_thread(DBOS.trigger_schedule, schedule_name(feed_id))
    await asyncio.wait_for(asyncio.to_thread(handle.get_result), timeout=30)


async def schedules() -> dict[str, Any]:
    found = await DBOS.list_schedules_async(schedule_name_prefix="parley-feed-")
    return {s["schedule_name"]: s for s in found}


async def test_every_registers_a_schedule_and_the_feed_is_listed_with_its_counts(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    answer = await client.post("/v1/feeds", json={"url": site.url("/peace/feed"), "every": "15m"})

    assert answer.status_code == 201
    body = answer.json()
    assert (body["every"], body["new"]) == ("15m", 3)
    (feed,) = await listed(client)
    assert feed["id"] == body["feed_id"]
    assert feed["url"] == site.url("/peace/feed")
    assert feed["title"] == "Peace Archives - The Defense Post"
    assert (feed["every"], feed["active"], feed["last_error"]) == ("15m", True, None)
    assert (feed["items_new"], feed["items_duplicate"], feed["items_failed"]) == (3, 0, 0)
    assert feed["last_polled_at"] is not None
    schedule = (await schedules())[schedule_name(feed["id"])]
    assert schedule["context"] == feed["id"]
    assert schedule["schedule"] == f"{feed['id']} */15 * * * *"


async def test_registering_the_same_feed_again_is_the_same_feed_with_the_new_interval(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    feed_id = await register(client, site, "15m")

    again = await client.post("/v1/feeds", json={"url": site.url("/peace/feed#top"), "every": "2h"})

    assert again.status_code == 200
    assert again.json()["feed_id"] == feed_id
    (feed,) = await listed(client)
    assert (feed["every"], feed["items_new"], feed["items_duplicate"]) == ("2h", 3, 3)
    assert (await schedules())[schedule_name(feed_id)]["schedule"] == f"{feed_id} 0 */2 * * *"


@pytest.mark.parametrize("every", ["7m", "90s", "5h", "2d", "fortnightly", "15", "10s"])
async def test_an_interval_cron_cannot_keep_or_too_short_is_422_naming_the_forms(
    client: httpx.AsyncClient, site: LoopbackServer, every: str
) -> None:
    answer = await client.post("/v1/feeds", json={"url": site.url("/peace/feed"), "every": every})

    assert answer.status_code == 422
    message = answer.json()["error"]["message"]
    assert "15m" in message or "shortest interval is 60s" in message
    assert await listed(client) == []
    assert requested(site, "/peace/feed") == 0


async def test_a_poll_answered_304_updates_last_polled_at_and_adds_nothing(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    feed_id = await register(client, site)
    (before,) = await listed(client)

    await poll_now(feed_id)

    (after,) = await listed(client)
    assert datetime.fromisoformat(after["last_polled_at"]) > datetime.fromisoformat(
        before["last_polled_at"]
    )
    assert (after["items_new"], after["items_duplicate"], after["last_error"]) == (3, 0, None)
    conditional = [r for r in site.received if r.path == "/peace/feed"][-1]
    assert conditional.headers.get("If-None-Match") == '"v1"'


async def test_a_poll_of_a_changed_feed_stores_only_its_new_items(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    feed_id = await register(client, site)
    extra = rss_item(site.url("/news/new-round"), "A new round", FULL)
    old = localised("wordpress_rss2.xml", site)
    changed = old.replace(b"<item>", extra.encode() + b"<item>", 1)
    site.routes["/peace/feed"] = serve_feed(changed, etag='"v2"')

    await poll_now(feed_id)

    (feed,) = await listed(client)
    assert (feed["items_new"], feed["items_duplicate"], feed["items_failed"]) == (4, 3, 0)
    assert requested(site, "/news/new-round") == 0


async def test_a_failed_poll_records_the_error_and_the_next_success_clears_it(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    feed_id = await register(client, site)
    site.routes["/peace/feed"] = lambda h: send(h, status=500, body=b"oops")

    await poll_now(feed_id)

    (failed,) = await listed(client)
    assert "HTTP 500" in failed["last_error"]
    site.routes["/peace/feed"] = serve_feed(rss([rss_item(site.url("/n/1"), "One", FULL)]))
    await poll_now(feed_id)
    (recovered,) = await listed(client)
    assert recovered["last_error"] is None
    assert recovered["items_new"] == 4


async def test_a_poll_of_a_feed_that_became_unreadable_records_why(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    feed_id = await register(client, site)
    site.routes["/peace/feed"] = lambda h: send(h, body=b"<html><p>moved</p></html>")

    await poll_now(feed_id)

    (feed,) = await listed(client)
    assert feed["last_error"].startswith("invalid_feed")


async def test_delete_removes_the_schedule_and_the_feed_from_the_list(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    feed_id = await register(client, site)

    deleted = await client.delete(f"/v1/feeds/{feed_id}")

    assert deleted.status_code == 204
    assert schedule_name(feed_id) not in await schedules()
    assert await listed(client) == []
    assert (await client.get(f"/v1/feeds/{feed_id}")).status_code == 404
    assert (await client.delete(f"/v1/feeds/{feed_id}")).status_code == 404


async def test_a_deleted_feed_registered_again_is_polled_again(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    feed_id = await register(client, site)
    await client.delete(f"/v1/feeds/{feed_id}")

    again = await register(client, site, "1h")

    assert again == feed_id
    assert schedule_name(feed_id) in await schedules()
    assert [f["every"] for f in await listed(client)] == ["1h"]


async def test_unknown_feeds_are_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/feeds/999")).status_code == 404
    assert (await client.delete("/v1/feeds/999")).status_code == 404


async def test_start_restores_lost_schedules_and_drops_those_of_stopped_feeds(
    make_settings: Any, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    settings = site_settings(make_settings, site)
    async with serve(settings) as client:
        answer = await client.post(
            "/v1/feeds", json={"url": site.url("/peace/feed"), "every": "15m"}
        )
        feed_id = answer.json()["feed_id"]
        for article_id in answer.json()["new_ids"]:
            await wait_for_article(client, article_id)
        await DBOS.delete_schedule_async(schedule_name(feed_id))
        await schedule_feed(feed_id + 1, 900)

    async with serve(settings):
        names = await schedules()

    assert schedule_name(feed_id) in names
    assert schedule_name(feed_id + 1) not in names


async def test_a_poll_stores_the_good_items_of_a_feed_with_one_invalid_item_link(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    feed_id = await register(client, site)
    items = [
        rss_item("http://[oops/story", "Bad link", FULL),
        rss_item(site.url("/news/next-round"), "Next round", "Next: " + FULL),
    ]
    site.routes["/peace/feed"] = serve_feed(rss(items), etag='"v2"')

    await poll_now(feed_id)

    (feed,) = await listed(client)
    assert feed["last_error"] is None
    assert (feed["items_new"], feed["items_failed"]) == (4, 1)
