"""Backpressure: a full queue refuses new articles and feeds with 503 and Retry-After."""

from collections.abc import Callable

from app.config import Settings
from tests.support.app import serve, wait_for_article

TEXTS = [f"Delegations met in Doha on day {n} of the talks, mediators said." for n in range(4)]


async def test_articles_beyond_the_queue_limit_are_refused_with_retry_after(
    make_settings: Callable[..., Settings],
) -> None:
    # No worker runs, so accepted articles stay queued.
    async with serve(make_settings(run_worker=False, max_queued_articles=2)) as client:
        answers = [await client.post("/v1/articles", json={"text": t}) for t in TEXTS[:3]]
        feed = await client.post("/v1/feeds", json={"xml": "<rss/>"})

    assert [a.status_code for a in answers] == [202, 202, 503]
    refused = answers[2]
    assert refused.headers["Retry-After"] == "30"
    assert refused.json()["error"]["code"] == "unavailable"
    assert "2 articles are waiting" in refused.json()["error"]["message"]
    assert feed.status_code == 503


async def test_without_a_limit_every_article_is_accepted(
    make_settings: Callable[..., Settings],
) -> None:
    async with serve(make_settings(run_worker=False, max_queued_articles=None)) as client:
        answers = [await client.post("/v1/articles", json={"text": t}) for t in TEXTS]

    assert [a.status_code for a in answers] == [202] * 4


async def test_the_llm_rate_limit_does_not_throttle_the_rules_extractor(
    make_settings: Callable[..., Settings],
) -> None:
    # One extraction a minute is the LLM's limit; the rules extractor calls no LLM.
    settings = make_settings(
        extractor_choice="rules", queue_rate_limit=1, queue_rate_period_seconds=60
    )
    async with serve(settings) as client:
        ids = [(await client.post("/v1/articles", json={"text": t})).json()["id"] for t in TEXTS]
        finished = [await wait_for_article(client, i, within=20) for i in ids]

    assert {a["status"] for a in finished} == {"done"}, [a["error"] for a in finished]
