"""POST /v1/feeds: a feed's items become articles, full content as is, the rest fetched."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from tests.support.app import serve, wait_for_article
from tests.support.llm import LLM_BASE_URL, llm_reply
from tests.support.loopback import LoopbackServer, send
from tests.support.news_site import (
    ATOM,
    fixture,
    localised,
    requested,
    rss,
    rss_item,
    serve_feed,
    site_settings,
    story,
)

WORDPRESS_ITEMS = (
    "/2025/06/03/ceasefire-talks-doha/",
    "/2025/06/02/prisoner-exchange-un/",
    "/2025/05/30/second-round-peace-talks/",
)


@pytest.fixture
def site() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        server.routes["/peace/feed"] = serve_feed(localised("wordpress_rss2.xml", server))
        server.routes["/atom.xml"] = serve_feed(localised("atom.xml", server), ATOM)
        server.routes[WORDPRESS_ITEMS[2]] = lambda h: send(h, body=story("a second round"))
        server.routes["/2025/06/truce-extended"] = lambda h: send(h, body=story("the truce"))
        server.routes["/2025/06/talks-adjourned"] = lambda h: send(h, body=story("adjourning"))
        yield server


@pytest.fixture
def settings(make_settings: Any, site: LoopbackServer) -> Any:
    return site_settings(make_settings, site)


@pytest.fixture
def llm() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=LLM_BASE_URL, assert_all_called=False) as mock:
        mock.route(host="127.0.0.1").pass_through()
        mock.post("/chat/completions", name="chat").mock(side_effect=llm_reply([]))
        yield mock


async def articles(client: httpx.AsyncClient, ids: list[int]) -> list[dict[str, Any]]:
    return [await wait_for_article(client, i) for i in ids]


async def test_wordpress_feed_with_full_content_becomes_articles_without_fetching_them(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    answer = await client.post("/v1/feeds", json={"url": site.url("/peace/feed")})

    assert answer.status_code == 200
    body = answer.json()
    assert body["title"] == "Peace Archives - The Defense Post"
    assert (body["items"], body["new"], body["duplicate"], body["failed"]) == (3, 3, 0, 0)
    assert body["feed_id"] is None
    assert body["truncated"] == 0
    doha, exchange, second = await articles(client, body["new_ids"])
    assert doha["title"] == "Warring Parties Agree to 30-Day Ceasefire After Talks in Doha"
    assert doha["published_at"].startswith("2025-06-03T14:21:07")
    assert doha["source"] == "Peace Archives - The Defense Post"
    assert doha["author"] == "Agence France-Presse"
    assert "release prisoners held since January" in doha["text"]
    assert doha["url"] == site.url(WORDPRESS_ITEMS[0])
    assert "84 detainees" in exchange["text"]
    assert requested(site, WORDPRESS_ITEMS[0]) == requested(site, WORDPRESS_ITEMS[1]) == 0
    assert requested(site, WORDPRESS_ITEMS[2]) >= 1
    assert "a second round" in second["text"]
    assert second["status"] == "done"


async def test_the_same_feed_posted_again_is_all_duplicates_and_no_llm_call(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    first = (await client.post("/v1/feeds", json={"url": site.url("/peace/feed")})).json()
    await articles(client, first["new_ids"])
    calls = llm.routes["chat"].call_count

    again = await client.post("/v1/feeds", json={"url": site.url("/peace/feed?utm_source=x")})

    assert again.status_code == 200
    assert (again.json()["new"], again.json()["duplicate"]) == (0, 3)
    assert llm.routes["chat"].call_count == calls


async def test_an_article_posted_before_its_feed_item_is_the_same_article(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    posted = await client.post(
        "/v1/articles", json={"url": site.url(WORDPRESS_ITEMS[2] + "?utm_medium=rss")}
    )

    feed = (await client.post("/v1/feeds", json={"url": site.url("/peace/feed")})).json()

    assert (feed["new"], feed["duplicate"]) == (2, 1)
    assert posted.json()["id"] not in feed["new_ids"]
    # No workflow may outlive the test: on PostgreSQL the next test reuses these article ids.
    await articles(client, [posted.json()["id"], *feed["new_ids"]])


async def test_an_item_whose_page_names_another_canonical_url_is_not_fetched_again(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    page = story("the truce").replace(b"<head>", b"<head><link rel='canonical' href='/a/truce'>")
    site.routes["/news/truce"] = lambda h: send(h, body=page)
    site.routes["/bare.xml"] = serve_feed(rss([rss_item(site.url("/news/truce"), "Truce")]))
    first = (await client.post("/v1/feeds", json={"url": site.url("/bare.xml")})).json()
    (article,) = await articles(client, first["new_ids"])
    assert article["canonical_url"] == site.url("/a/truce")
    fetched = requested(site, "/news/truce")

    again = (await client.post("/v1/feeds", json={"url": site.url("/bare.xml")})).json()

    assert (again["new"], again["duplicate"]) == (0, 1)
    assert requested(site, "/news/truce") == fetched


async def test_atom_content_is_used_and_a_summary_only_entry_is_fetched(
    make_settings: Any, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    settings = make_settings(fetch_allow_hosts=f"127.0.0.1:{site.port}", feed_min_content_chars=50)
    async with serve(settings) as client:
        body = (await client.post("/v1/feeds", json={"url": site.url("/atom.xml")})).json()
        truce, adjourned = await articles(client, body["new_ids"])

    assert body["title"] == "Negotiations Monitor"
    assert truce["text"].startswith("The truce agreed in May was extended by two weeks")
    assert truce["published_at"].startswith("2025-06-04T06:30")
    assert requested(site, "/2025/06/truce-extended") == 0
    assert "adjourning" in adjourned["text"]
    assert requested(site, "/2025/06/talks-adjourned") >= 1


async def test_content_shorter_than_the_threshold_is_a_teaser_and_its_page_is_fetched(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    body = (await client.post("/v1/feeds", json={"url": site.url("/atom.xml")})).json()
    truce, _ = await articles(client, body["new_ids"])

    assert requested(site, "/2025/06/truce-extended") >= 1
    assert "the truce" in truce["text"]


async def test_rss_without_content_has_every_item_page_fetched(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    for topic in ("prisoners", "corridors"):
        site.routes[f"/news/{topic}"] = lambda h, t=topic: send(h, body=story(t))
    items = [rss_item(site.url(f"/news/{t}"), t.title()) for t in ("prisoners", "corridors")]
    site.routes["/bare.xml"] = serve_feed(rss(items))

    body = (await client.post("/v1/feeds", json={"url": site.url("/bare.xml")})).json()
    done = await articles(client, body["new_ids"])

    assert [a["status"] for a in done] == ["done", "done"]
    assert "prisoners" in done[0]["text"]
    assert "corridors" in done[1]["text"]
    assert requested(site, "/news/prisoners") >= 1
    assert requested(site, "/news/corridors") >= 1


async def test_an_uploaded_feed_is_read_without_fetching_the_feed(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    xml = localised("wordpress_rss2.xml", site).decode()

    answer = await client.post("/v1/feeds", json={"xml": xml})

    assert answer.status_code == 200
    assert (answer.json()["new"], answer.json()["failed"]) == (3, 0)
    assert requested(site, "/peace/feed") == 0


async def test_items_without_a_usable_link_or_with_a_forbidden_one_count_as_failed(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    items = [
        "<item><title>no link at all</title></item>",
        rss_item("http://10.0.0.1/internal", "Private address, no content"),
        rss_item("http://10.0.0.2/full", "Private address, full content", "x " * 200),
    ]

    body = (await client.post("/v1/feeds", json={"xml": rss(items).decode()})).json()

    assert (body["items"], body["new"], body["failed"]) == (3, 1, 2)


@pytest.mark.parametrize("name", ["not_a_feed.xml", "entity_bomb.xml", "external_entity.xml"])
async def test_a_document_that_is_not_a_safe_feed_is_refused_with_422(
    client: httpx.AsyncClient, site: LoopbackServer, name: str
) -> None:
    site.routes["/bad.xml"] = serve_feed(fixture(name), "application/xml")

    fetched = await client.post("/v1/feeds", json={"url": site.url("/bad.xml")})
    uploaded = await client.post("/v1/feeds", json={"xml": fixture(name).decode()})

    for answer in (fetched, uploaded):
        assert answer.status_code == 422
        assert answer.json()["error"]["code"] == "invalid_feed"


async def test_a_ten_thousand_item_feed_is_capped_and_says_how_many_were_left(
    make_settings: Any, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    text = "The sides met again on Monday to discuss the exchange of prisoners. " * 4
    items = [rss_item(site.url(f"/big/{i}"), f"Item {i}", f"{i}: {text}") for i in range(10_000)]
    site.routes["/big.xml"] = serve_feed(rss(items))
    settings = site_settings(make_settings, site, feed_max_items=25)

    async with serve(settings) as client:
        body = (await client.post("/v1/feeds", json={"url": site.url("/big.xml")})).json()
        await articles(client, body["new_ids"])

    assert (body["items"], body["new"], body["truncated"]) == (25, 25, 9_975)


@pytest.mark.parametrize(
    "url",
    ["http://10.0.0.1/feed", "http://localhost/feed.xml", "file:///etc/passwd", "ftp://x.org/f"],
)
async def test_a_forbidden_feed_url_is_refused_with_422(
    client: httpx.AsyncClient, url: str
) -> None:
    answer = await client.post("/v1/feeds", json={"url": url})

    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "forbidden_url"


async def test_an_upstream_failure_answers_with_the_fetch_error_status(
    client: httpx.AsyncClient, site: LoopbackServer
) -> None:
    site.routes["/down.xml"] = lambda h: send(h, status=503, body=b"down")
    site.routes["/image.xml"] = lambda h: send(
        h, body=b"GIF89a", headers={"Content-Type": "image/gif"}
    )

    down = await client.post("/v1/feeds", json={"url": site.url("/down.xml")})
    image = await client.post("/v1/feeds", json={"url": site.url("/image.xml")})

    assert down.status_code == 502
    assert image.status_code == 415


async def test_an_uploaded_feed_larger_than_the_fetch_limit_is_413(
    make_settings: Any, site: LoopbackServer
) -> None:
    settings = make_settings(fetch_max_bytes=1000)
    async with serve(settings) as client:
        answer = await client.post(
            "/v1/feeds", json={"xml": fixture("wordpress_rss2.xml").decode()}
        )

    assert answer.status_code == 413


@pytest.mark.parametrize(
    "payload",
    [{}, {"url": "https://a.example/f", "xml": "<rss/>"}, {"xml": "<rss/>", "every": "15m"}],
)
async def test_a_request_without_exactly_one_source_is_422(
    client: httpx.AsyncClient, payload: dict[str, str]
) -> None:
    answer = await client.post("/v1/feeds", json=payload)

    assert answer.status_code == 422


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://xn--.com/feed", "xn--.com"),
        (f"http://{'a' * 64}.com/feed", "63"),
    ],
)
async def test_a_feed_url_whose_host_is_not_a_valid_domain_name_is_422_naming_it(
    client: httpx.AsyncClient, url: str, problem: str
) -> None:
    for payload in ({"url": url}, {"url": url, "every": "15m"}):
        answer = await client.post("/v1/feeds", json=payload)

        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["code"] == "forbidden_url"
        assert problem in answer.json()["error"]["message"]


@pytest.mark.parametrize("where", ["item", "feed"])
async def test_a_character_reference_to_a_lone_surrogate_is_refused_with_422_naming_it(
    client: httpx.AsyncClient, site: LoopbackServer, where: str
) -> None:
    ref = "&#xDC00;"
    item = rss_item(site.url("/n/1"), "Talks" + ref if where == "item" else "Talks")
    xml = rss([item], title="Wire" + ref if where == "feed" else "Wire")
    site.routes["/surrogate.xml"] = serve_feed(xml)

    uploaded = await client.post("/v1/feeds", json={"xml": xml.decode()})
    fetched = await client.post("/v1/feeds", json={"url": site.url("/surrogate.xml")})

    for answer in (uploaded, fetched):
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["code"] == "invalid_feed"
        assert "surrogate" in answer.json()["error"]["message"]


async def test_a_lone_surrogate_escaped_in_the_posted_xml_is_422_naming_it(
    client: httpx.AsyncClient,
) -> None:
    body = b'{"xml": "<rss version=\\"2.0\\"><channel><title>W\\udc00</title></channel></rss>"}'

    answer = await client.post(
        "/v1/feeds", content=body, headers={"content-type": "application/json"}
    )

    assert answer.status_code == 422, answer.text
    assert "xml: Value error, lone surrogate" in answer.json()["error"]["message"]


FULL = "Both delegations met again on Monday to discuss the exchange of prisoners held. " * 4
BAD_LINKS = ["http://[oops/story", "http://xn--.com/story", f"http://{'a' * 64}.com/story"]


@pytest.mark.parametrize("content", [FULL, None], ids=["full content", "no content"])
@pytest.mark.parametrize("link", BAD_LINKS)
async def test_one_item_with_an_invalid_link_fails_alone_and_the_rest_go_in(
    client: httpx.AsyncClient,
    site: LoopbackServer,
    llm: respx.MockRouter,
    link: str,
    content: str | None,
) -> None:
    items = [
        rss_item(site.url("/n/before"), "Before", "Before: " + FULL),
        rss_item(link, "Bad link", content),
        rss_item(site.url("/n/after"), "After", "After: " + FULL),
    ]

    answer = await client.post("/v1/feeds", json={"xml": rss(items).decode()})

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["items"], body["new"], body["failed"]) == (3, 2, 1)


async def test_items_with_nul_or_surrogate_references_or_impossible_dates_still_go_in(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    nul = rss_item(site.url("/n/nul"), "Talks&#0; resumed", "Nul: " + FULL)
    dated = rss_item(site.url("/n/dated"), "Dated", "Dated: " + FULL).replace(
        "Mon, 02 Jun 2025 10:00:00 GMT", "0000-00-00T00:00:00Z"
    )
    # Inside CDATA the reference is HTML, whose decoder turns a lone surrogate into U+FFFD.
    html = rss_item(site.url("/n/html"), "Html", "Html &#xDC00; " + FULL)

    xml = rss([nul, dated, html], "Wire&#0;").decode()
    answer = await client.post("/v1/feeds", json={"xml": xml})

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["items"], body["new"], body["failed"]) == (3, 3, 0)
    assert body["title"] == "Wire"
    stored = [(await client.get(f"/v1/articles/{i}")).json() for i in body["new_ids"]]
    assert (stored[0]["title"], stored[0]["source"]) == ("Talks resumed", "Wire")
    assert stored[1]["published_at"] is None
    assert stored[2]["text"].startswith("Html \ufffd Both delegations")
