"""A bulk upload is extracted in groups, one workflow per group: every article ends done or
failed as it would on its own, and the hard cases leave the group for a job of their own (a
transient LLM error, a group starting while the provider is down); a lasting error fails its
article only. The LLM endpoint is faked with respx; the app, queue and database are real."""

import asyncio
import json
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import respx
from dbos import DBOS

from app.articles.tables import Article
from app.config import Settings
from app.extraction.contract import ExtractionResult
from app.extraction.vocabulary import ExtractorName
from app.pipeline.groups import settle_group, start_group
from tests.support.app import running, wait_for_article
from tests.support.llm import LLM_BASE_URL, chat_completion
from tests.support.llm_server import article_text, record_for
from tests.support.samples import TEXT

BULK = "/v1/articles/bulk"
FLAKY, BROKEN, DOWN = "FLAKY-WIRE", "BROKEN-WIRE", "DOWN-WIRE"


def story(n: int, mark: str = "") -> str:
    """A distinct short article; `mark` tells the fake endpoint how to answer it."""
    return f"Talks, round {n}. {mark} " + TEXT


def ndjson(texts: list[str]) -> bytes:
    return b"".join(json.dumps({"text": t}).encode() + b"\n" for t in texts)


class Endpoint:
    """Answers each article with one grounded record (1,350 tokens), except: the first
    `outage` calls are 503s, a FLAKY article's first call is a 503 and a DOWN article's every
    call, a BROKEN article's every answer lacks its tool call (it never validates)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.outage = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        text = article_text(body)
        key = text.split(".")[0]
        self.calls[key] += 1
        down = sum(self.calls.values()) <= self.outage or DOWN in text
        if down or (FLAKY in text and self.calls[key] == 1):
            return httpx.Response(503, json={"error": {"message": "overloaded"}})
        if BROKEN in text:
            return httpx.Response(200, json=chat_completion([], mode="json") | _no_tool_call())
        name = body["tools"][0]["function"]["name"]
        return httpx.Response(200, json=chat_completion([record_for(text)], tool=name))


def _no_tool_call() -> dict[str, Any]:
    message = {"role": "assistant", "content": "I cannot help with that."}
    return {"choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    answers = Endpoint()
    with respx.mock(base_url=LLM_BASE_URL, assert_all_called=False) as llm:
        llm.post("/chat/completions").mock(side_effect=answers)
        yield answers


async def workflows_named(name: str) -> list[str]:
    """Ids of the DBOS workflows of this name."""
    found = await DBOS.list_workflows_async(name=name, load_input=False, load_output=False)
    return [w.workflow_id for w in found]


async def upload(client: httpx.AsyncClient, texts: list[str]) -> list[dict[str, Any]]:
    """Post `texts` in one bulk upload and wait for each article to end."""
    answer = await client.post(BULK, content=ndjson(texts))
    ids = [json.loads(line)["id"] for line in answer.text.splitlines()]
    return [await wait_for_article(client, i, within=60) for i in ids]


async def test_a_bulk_upload_is_extracted_by_one_workflow_per_group(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(extractor_choice="rules", queue_group_size=4)
    async with running(settings) as (client, _):
        articles = await upload(client, [story(n) for n in range(10)])
        groups = await workflows_named("parley.process_group")
        singles = await workflows_named("parley.process_article")

    assert [a["status"] for a in articles] == ["done"] * 10
    assert all(a["records"] for a in articles)
    assert len(groups) == 3  # 4 + 4 + 2
    assert singles == []


async def test_a_transient_llm_error_sends_only_that_article_to_a_job_of_its_own(
    make_settings: Callable[..., Settings], endpoint: Endpoint
) -> None:
    texts = [story(0), story(1, FLAKY), story(2), story(3)]
    async with running(make_settings(queue_group_size=4)) as (client, _):
        articles = await upload(client, texts)
        singles = await workflows_named("parley.process_article")

    assert [a["status"] for a in articles] == ["done"] * 4
    assert [len(a["records"]) for a in articles] == [1] * 4
    assert all(a["error"] is None for a in articles)
    assert endpoint.calls == {"Talks, round 0": 1, "Talks, round 1": 2, **_once(2, 3)}
    assert len(singles) == 1, "only the flaky article left its group"


async def test_an_answer_that_never_validates_fails_its_article_only(
    make_settings: Callable[..., Settings], endpoint: Endpoint
) -> None:
    texts = [story(0), story(1, BROKEN), story(2)]
    async with running(make_settings(queue_group_size=4, llm_reasks=1)) as (client, _):
        articles = await upload(client, texts)

    assert [a["status"] for a in articles] == ["done", "failed", "done"]
    assert articles[1]["error"]
    assert articles[1]["records"] == []
    assert endpoint.calls["Talks, round 1"] == 2, "one call and one re-ask, then no retry"


async def test_a_group_starting_while_the_provider_is_down_hands_each_article_its_own_job(
    make_settings: Callable[..., Settings], endpoint: Endpoint
) -> None:
    settings = make_settings(
        queue_group_size=4, llm_breaker_threshold=1, llm_breaker_cooldown_seconds=3.0
    )
    async with running(settings) as (client, services):
        services.breaker.failed()  # the provider looks down as the group starts
        articles = await upload(client, [story(n) for n in range(4)])
        singles = await workflows_named("parley.process_article")

    assert [a["status"] for a in articles] == ["done"] * 4
    assert len(singles) == 4
    assert endpoint.calls == _once(0, 1, 2, 3)


async def test_the_sweeper_sends_a_group_that_never_came_once_and_splits_one_that_ended(
    make_settings: Callable[..., Settings], endpoint: Endpoint
) -> None:
    # Accepted with no worker: the feeding workflow waits, so no group has been queued.
    accepting = make_settings(queue_group_size=4, run_worker=False)
    async with running(accepting) as (client, services):
        answer = await client.post(BULK, content=ndjson([story(n) for n in range(4)]))
        ids = [json.loads(line)["id"] for line in answer.text.splitlines()]
        queue = services.queue
        assert queue is not None
        first = await asyncio.to_thread(queue.sweep)
        groups = await workflows_named("parley.process_group")
        await DBOS.cancel_workflow_async(groups[0])  # as an operator might
        second = await asyncio.to_thread(queue.sweep)
        singles = await workflows_named("parley.process_article")

    assert first == 4
    assert len(groups) == 1, "one group workflow for its four articles"
    assert second == 4
    assert len(singles) == 4, "a job of its own for each article left"
    async with running(make_settings(queue_group_size=4)) as (client, _):
        articles = [await wait_for_article(client, i, within=60) for i in ids]
    assert [a["status"] for a in articles] == ["done"] * 4
    assert endpoint.calls == _once(0, 1, 2, 3)


async def test_a_group_stops_calling_once_the_breaker_opens_and_hands_out_the_rest(
    make_settings: Callable[..., Settings], endpoint: Endpoint
) -> None:
    endpoint.outage = 2  # the first two calls fail: the breaker opens on the second
    settings = make_settings(
        queue_group_size=4, llm_breaker_threshold=2, llm_breaker_cooldown_seconds=1.0
    )
    async with running(settings) as (client, _):
        articles = await upload(client, [story(n) for n in range(4)])
        singles = await workflows_named("parley.process_article")

    assert [a["status"] for a in articles] == ["done"] * 4
    assert len(singles) == 4
    # Rounds 2 and 3 were not tried by the group: one call each, by their own jobs.
    assert endpoint.calls == {"Talks, round 0": 2, "Talks, round 1": 2, **_once(2, 3)}


async def test_a_group_stops_calling_when_its_spending_reaches_the_budget_left(
    make_settings: Callable[..., Settings], endpoint: Endpoint
) -> None:
    settings = make_settings(queue_group_size=4, llm_daily_token_budget=2_000)
    async with running(settings) as (client, _):
        answer = await client.post(BULK, content=ndjson([story(n) for n in range(4)]))
        ids = [json.loads(line)["id"] for line in answer.text.splitlines()]
        done = [await wait_for_article(client, i) for i in ids[:2]]
        waiting = [await _waiting(client, i) for i in ids[2:]]

    assert [a["status"] for a in done] == ["done"] * 2
    assert all("token budget is spent" in a["error"] for a in waiting)
    assert endpoint.calls == _once(0, 1), "1,350 + 1,350 tokens reached the 2,000 left"


async def test_an_article_failing_on_every_call_counts_the_groups_try_as_its_first(
    make_settings: Callable[..., Settings], endpoint: Endpoint
) -> None:
    settings = make_settings(queue_group_size=2, job_max_attempts=2)
    async with running(settings) as (client, _):
        articles = await upload(client, [story(0), story(1, DOWN)])

    assert [a["status"] for a in articles] == ["done", "failed"]
    assert "after 2 attempts" in articles[1]["error"]
    assert endpoint.calls["Talks, round 1"] == 2, "the group's call and one of its own job"


async def test_a_group_settles_only_the_articles_still_in_it(
    make_settings: Callable[..., Settings],
) -> None:
    # No worker: the group's steps are run here, by hand, around an article handed out.
    settings = make_settings(extractor_choice="rules", queue_group_size=2, run_worker=False)
    async with running(settings) as (client, services):
        answer = await client.post(BULK, content=ndjson([story(0), story(1)]))
        first, second = [json.loads(line)["id"] for line in answer.text.splitlines()]
        with services.transaction() as unit:
            group = unit.session.get(Article, first).job_group  # type: ignore[union-attr]
        assert group is not None
        started = await asyncio.to_thread(start_group, group)
        with services.transaction() as unit:
            handed_out = unit.session.get(Article, second)
            assert handed_out is not None
            handed_out.job_group = None  # as the sweeper does for a group cancelled meanwhile
        result = ExtractionResult(records=[], extractor=ExtractorName.RULES)
        both = dict.fromkeys(started.article_ids, result)
        await asyncio.to_thread(settle_group, group, both, {})
        statuses = [
            (await client.get(f"/v1/articles/{i}")).json()["status"] for i in (first, second)
        ]

    assert started.article_ids == [first, second]
    assert statuses == ["done", "processing"]


async def _waiting(client: httpx.AsyncClient, article_id: int) -> dict[str, Any]:
    """The article once it is queued again, waiting, out of its group."""
    for _ in range(400):
        article: dict[str, Any] = (await client.get(f"/v1/articles/{article_id}")).json()
        if article["status"] == "queued" and (article["error"] or "").startswith("waiting"):
            return article
        await asyncio.sleep(0.05)
    raise AssertionError(f"article {article_id} never waited: {article}")


def _once(*rounds: int) -> dict[str, int]:
    return {f"Talks, round {n}": 1 for n in rounds}
