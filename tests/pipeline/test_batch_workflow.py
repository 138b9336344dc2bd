"""Batch-mode articles go through the OpenAI Batch API (a fake one over real HTTP): one
request per chunk, files split by the API's limits, answers validated and grounded like a
synchronous answer, the rest sent to the synchronous path; every article ends done."""

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from app.config import Settings
from tests.support.app import running, wait_for_article
from tests.support.batch_server import ERROR, EXPIRE, UNGROUNDED, serving
from tests.support.corpus import TESTS
from tests.support.loopback import LoopbackServer, send
from tests.support.processes import article_key, article_text


@pytest.fixture
def fake_llm() -> Iterator[str]:
    """The fake chat and Batch API endpoint; its base URL."""
    with serving(batch_delay=0.3) as base_url:
        yield base_url


@pytest.fixture
def make_batch_settings(
    make_settings: Callable[..., Settings], fake_llm: str
) -> Callable[..., Settings]:
    """Batching on against the fake, sending at once, with quick polls."""

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "openai_base_url": fake_llm,
            "llm_batch": "auto",
            "llm_batch_wait_seconds": 0,
            "llm_batch_poll_seconds": 0.1,
        }
        return make_settings(**(values | overrides))

    return build


@pytest.fixture
def batch_settings(make_batch_settings: Callable[..., Settings]) -> Settings:
    """Batching on, with files of two requests at most."""
    return make_batch_settings(llm_batch_max_requests=2)


def calls(base_url: str) -> dict[str, Any]:
    """What the fake was asked: synchronous completions, batch requests, batches created."""
    body: dict[str, Any] = httpx.get(base_url.removesuffix("/v1") + "/calls").json()
    return body


def metric(body: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", body, re.M)
    return float(match.group(1)) if match else 0.0


async def post_all(client: httpx.AsyncClient, texts: list[str], mode: str) -> list[int]:
    ids = []
    for text in texts:
        response = await client.post("/v1/articles", json={"text": text, "mode": mode})
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
    return ids


async def test_batch_articles_are_extracted_through_batches_split_by_the_request_limit(
    make_batch_settings: Callable[..., Settings], fake_llm: str
) -> None:
    # Due only once all five wait: a collector round between two posts would otherwise send a
    # smaller batch first (seen on a loaded CI machine: four batches).
    settings = make_batch_settings(
        llm_batch_max_requests=2, llm_batch_max_articles=5, llm_batch_wait_seconds=3600
    )
    async with running(settings) as (client, _):
        before = (await client.get("/metrics")).text
        ids = await post_all(client, [article_text(n) for n in range(5)], "batch")
        articles = [await wait_for_article(client, i) for i in ids]
        after = (await client.get("/metrics")).text

    asked = calls(fake_llm)
    assert asked["total"] == 0, "no synchronous call for a batch answered in full"
    assert asked["batch_requests"] == {article_key(n): 1 for n in range(5)}
    assert asked["batches_created"] == 3  # two requests per file
    for article in articles:
        assert article["status"] == "done"
        assert article["extraction_mode"] == "batch"
        assert len(article["records"]) == 1
        extraction = article["extraction"]
        assert extraction["mode"] == "batch"
        assert extraction["usage"] == {
            "prompt_tokens": 1000,
            "completion_tokens": 100,
            "llm_calls": 1,
        }
        # Half of 1000 x 0.15 + 100 x 0.60 per million tokens.
        assert extraction["cost_usd"] == pytest.approx(0.000105)
    counted = 'parley_extractions_total{mode="batch"}'
    assert metric(after, counted) - metric(before, counted) == 5
    batches = 'parley_llm_batches_total{status="completed"}'
    assert metric(after, batches) - metric(before, batches) == 3


async def test_error_lines_and_ungrounded_answers_go_to_the_synchronous_path_counted(
    batch_settings: Settings, fake_llm: str
) -> None:
    texts = [article_text(0), article_text(1) + f" {ERROR}.", article_text(2) + f" {UNGROUNDED}."]
    async with running(batch_settings) as (client, _):
        before = (await client.get("/metrics")).text
        ids = await post_all(client, texts, "batch")
        articles = [await wait_for_article(client, i) for i in ids]
        after = (await client.get("/metrics")).text

    assert [a["status"] for a in articles] == ["done"] * 3
    assert [a["extraction"]["mode"] for a in articles] == ["batch", "sync", "sync"]
    assert [a["extraction_mode"] for a in articles] == ["batch", "sync", "sync"]
    assert calls(fake_llm)["by_article"] == {article_key(1): 1, article_key(2): 1}
    for reason in ("request_error", "invalid"):
        name = f'parley_batch_fallbacks_total{{reason="{reason}"}}'
        assert metric(after, name) - metric(before, name) == 1
    sync = 'parley_extractions_total{mode="sync"}'
    assert metric(after, sync) - metric(before, sync) == 2
    # The ungrounded answer was paid for: its tokens count with the used answer's.
    tokens = 'parley_llm_mode_tokens_total{kind="prompt",mode="batch"}'
    assert metric(after, tokens) - metric(before, tokens) == 2000


async def test_an_expired_batch_keeps_its_answers_and_sends_the_rest_to_the_sync_path(
    make_batch_settings: Callable[..., Settings], fake_llm: str
) -> None:
    settings = make_batch_settings()
    texts = [article_text(0), article_text(1) + f" {EXPIRE}."]
    async with running(settings) as (client, _):
        ids = await post_all(client, texts, "batch")
        articles = [await wait_for_article(client, i) for i in ids]

    assert [a["status"] for a in articles] == ["done", "done"]
    assert [a["extraction"]["mode"] for a in articles] == ["batch", "sync"]
    assert calls(fake_llm)["by_article"] == {article_key(1): 1}


async def test_a_long_article_sends_one_request_per_chunk_and_merges_their_records(
    make_batch_settings: Callable[..., Settings], fake_llm: str
) -> None:
    settings = make_batch_settings(chunk_chars=2_000, chunk_overlap_chars=0)
    long_text = " ".join(article_text(n) for n in range(40))
    async with running(settings) as (client, _):
        [article_id] = await post_all(client, [long_text], "batch")
        article = await wait_for_article(client, article_id)

    asked = calls(fake_llm)
    chunks = sum(asked["batch_requests"].values())
    assert chunks > 1
    assert article["extraction"]["usage"]["llm_calls"] == chunks
    assert article["extraction"]["mode"] == "batch"
    assert len(article["records"]) >= 1


async def test_sync_articles_and_batching_off_use_the_synchronous_path(
    make_batch_settings: Callable[..., Settings], fake_llm: str
) -> None:
    settings = make_batch_settings(llm_batch="off")
    async with running(settings) as (client, _):
        [article_id] = await post_all(client, [article_text(0)], "batch")
        article = await wait_for_article(client, article_id)

    assert article["extraction"]["mode"] == "sync"
    assert article["extraction"]["cost_usd"] == pytest.approx(0.00021)
    assert calls(fake_llm)["batches_created"] == 0


async def test_a_url_sent_in_batch_mode_is_fetched_then_extracted_in_a_batch(
    make_batch_settings: Callable[..., Settings], fake_llm: str
) -> None:
    page = (TESTS / "fixtures" / "pages" / "article_without_canonical.html").read_bytes()
    with LoopbackServer() as site:
        site.routes["/story"] = lambda h: send(h, body=page)
        settings = make_batch_settings(fetch_allow_hosts=f"127.0.0.1:{site.port}")
        async with running(settings) as (client, _):
            posted = await client.post(
                "/v1/articles", json={"url": site.url("/story"), "mode": "batch"}
            )
            article = await wait_for_article(client, posted.json()["id"])

    assert article["status"] == "done"
    assert article["extraction"]["mode"] == "batch"
    assert sum(calls(fake_llm)["batch_requests"].values()) == 1
    assert calls(fake_llm)["total"] == 0


async def test_a_bulk_upload_in_batch_mode_is_fed_to_batches_not_to_the_sync_queue(
    batch_settings: Settings, fake_llm: str
) -> None:
    lines = [{"text": article_text(n), "mode": "batch"} for n in range(3)]
    lines.append({"text": article_text(3)})  # no mode: the synchronous path
    body = "".join(json.dumps(line) + "\n" for line in lines)
    async with running(batch_settings) as (client, _):
        response = await client.post(
            "/v1/articles/bulk", content=body, headers={"Content-Type": "application/x-ndjson"}
        )
        results = [json.loads(line) for line in response.text.splitlines()]
        articles = [await wait_for_article(client, r["id"]) for r in results]

    assert [r["result"] for r in results] == ["created"] * 4
    assert [a["extraction"]["mode"] for a in articles] == ["batch"] * 3 + ["sync"]
    assert calls(fake_llm)["batch_requests"] == {article_key(n): 1 for n in range(3)}
    assert calls(fake_llm)["total"] == 1
