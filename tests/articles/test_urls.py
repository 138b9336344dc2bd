"""POST /v1/articles with a URL: fetched through the guard, main text and metadata, dedup."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from tests.support.app import wait_for_article
from tests.support.llm import LLM_BASE_URL, llm_reply
from tests.support.loopback import LoopbackServer, send

PAGES = Path(__file__).parents[1] / "fixtures" / "pages"
CANONICAL_PAGE = (PAGES / "article_with_canonical.html").read_bytes()
PLAIN_PAGE = (PAGES / "article_without_canonical.html").read_bytes()


def record_quoting(first_words: str) -> Any:
    """A fake model that quotes the sentence starting with `first_words`."""

    def answer(body: dict[str, Any]) -> list[dict[str, Any]]:
        prompt = body["messages"][1]["content"]
        start = prompt.index(first_words)
        sentence = prompt[start : prompt.index(".", start) + 1]
        return [
            {
                "kind": "negotiation",
                "status": "ongoing",
                "summary": "Talks entered a third day.",
                "parties": [],
                "evidence": [sentence],
            }
        ]

    return answer


@pytest.fixture
def site() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        server.routes["/story"] = lambda h: send(h, body=CANONICAL_PAGE)
        server.routes["/plain"] = lambda h: send(h, body=PLAIN_PAGE)
        server.routes["/gone"] = lambda h: send(h, status=404, body=b"not here")
        yield server


@pytest.fixture
def settings(make_settings: Any, site: LoopbackServer) -> Any:
    return make_settings(fetch_allow_hosts=f"127.0.0.1:{site.port}")


@pytest.fixture
def llm() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=LLM_BASE_URL, assert_all_called=False) as mock:
        mock.route(host="127.0.0.1").pass_through()
        mock.post("/chat/completions").mock(side_effect=llm_reply(record_quoting("Negotiators")))
        yield mock


async def test_a_url_is_fetched_and_its_text_and_metadata_stored(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    posted = await client.post("/v1/articles", json={"url": site.url("/story?utm_source=x")})
    assert posted.status_code == 202

    article = await wait_for_article(client, posted.json()["id"])

    assert article["status"] == "done", article["error"]
    assert article["title"].startswith("Ceasefire deal within reach")
    assert article["author"] == "Maria Okafor"
    assert article["site_name"] == "Frontline Review"
    assert article["language"] == "en"
    assert article["published_at"].startswith("2025-05-22")
    assert "Subscribe" not in article["text"]
    assert article["canonical_url"].endswith("/world/2025/05/22/ceasefire-deal-within-reach/?id=42")
    (record,) = article["records"]
    (evidence,) = record["evidence"]
    assert article["text"][evidence["start"] : evidence["end"]].startswith("Negotiators from both")


async def test_the_same_url_with_tracking_parameters_is_one_article(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    first = await client.post("/v1/articles", json={"url": site.url("/plain?utm_medium=rss")})
    await wait_for_article(client, first.json()["id"])

    again = await client.post("/v1/articles", json={"url": site.url("/plain#comments")})

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert len([r for r in site.received if r.path.startswith("/plain")]) == 1


async def test_the_url_as_posted_stays_known_when_the_page_declares_another_canonical(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    first = await client.post("/v1/articles", json={"url": site.url("/story?utm_source=x")})
    article = await wait_for_article(client, first.json()["id"])
    assert article["canonical_url"] != site.url("/story")  # the page named another address

    again = await client.post("/v1/articles", json={"url": site.url("/story?utm_medium=y")})

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert len([r for r in site.received if r.path.startswith("/story")]) == 1


async def test_the_declared_canonical_url_is_known_too(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    first = await client.post("/v1/articles", json={"url": site.url("/story")})
    article = await wait_for_article(client, first.json()["id"])

    again = await client.post("/v1/articles", json={"url": article["canonical_url"]})

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]


async def test_a_page_already_known_by_its_text_becomes_a_duplicate_without_an_llm_call(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    site.routes["/mirror"] = lambda h: send(h, body=PLAIN_PAGE)
    first = await client.post("/v1/articles", json={"url": site.url("/plain")})
    await wait_for_article(client, first.json()["id"])
    calls = llm.routes[1].call_count

    mirror = await client.post("/v1/articles", json={"url": site.url("/mirror")})
    article = await wait_for_article(client, mirror.json()["id"])

    assert article["status"] == "done"
    assert article["duplicate_of"] == first.json()["id"]
    assert article["records"] == []
    assert llm.routes[1].call_count == calls


async def test_an_upstream_404_fails_the_article_with_the_reason(
    client: httpx.AsyncClient, site: LoopbackServer, llm: respx.MockRouter
) -> None:
    posted = await client.post("/v1/articles", json={"url": site.url("/gone")})

    article = await wait_for_article(client, posted.json()["id"])

    assert article["status"] == "failed"
    assert "404" in article["error"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://10.0.0.1/story",
        "http://169.254.169.254/latest/meta-data/",
        "http://2130706433/",
        "http://[::ffff:127.0.0.1]/",
        "http://localhost/admin",
        "file:///etc/passwd",
        "http://user:pass@example.com/",
        "gopher://example.com/",
    ],
)
async def test_forbidden_urls_are_refused_at_once_with_422(
    client: httpx.AsyncClient, url: str
) -> None:
    response = await client.post("/v1/articles", json={"url": url})

    assert response.status_code == 422
    assert response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://xn--.com/", "xn--.com"),
        ("https://news.xn--.example/story", "xn--.example"),
        (f"http://{'a' * 64}.com/story", "63"),
        ("http://a..example/story", "empty"),
    ],
)
async def test_a_url_whose_host_is_not_a_valid_domain_name_is_422_naming_it(
    client: httpx.AsyncClient, url: str, problem: str
) -> None:
    response = await client.post("/v1/articles", json={"url": url})

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "forbidden_url"
    assert "host" in error["message"]
    assert problem in error["message"]


async def test_a_url_the_standard_library_cannot_split_is_a_422(client: httpx.AsyncClient) -> None:
    # Found by the URL fuzz: httpx read it, urllib (which canonicalises) raised, a 500.
    answer = await client.post("/v1/articles", json={"url": "HTTP://["})

    assert answer.status_code == 422
    assert "invalid URL" in answer.json()["error"]["message"]
