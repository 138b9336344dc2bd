"""The LLM circuit breaker: an outage leaves articles queued, then they complete."""

import asyncio
import time

import httpx
import respx

from app.extraction.breaker import CircuitBreaker
from tests.support.app import wait_for_article
from tests.support.llm import LLM_BASE_URL, llm_reply
from tests.support.samples import RECORD, TEXT


def test_breaker_opens_after_consecutive_failures_and_probes_once_after_cooldown() -> None:
    breaker = CircuitBreaker(threshold=2, cooldown=0.2)
    breaker.failed()
    assert breaker.state == "closed"
    breaker.failed()
    assert breaker.state == "open"
    assert breaker.wait_time() > 0

    time.sleep(0.25)
    assert breaker.wait_time() == 0  # the single probe
    assert breaker.wait_time() > 0  # everyone else keeps waiting
    breaker.succeeded()
    assert breaker.state == "closed"
    assert breaker.wait_time() == 0


def test_a_failed_probe_opens_the_breaker_again() -> None:
    breaker = CircuitBreaker(threshold=3, cooldown=0.1)
    for _ in range(3):
        breaker.failed()
    time.sleep(0.15)
    assert breaker.wait_time() == 0

    breaker.failed()

    assert breaker.state == "open"


def test_the_provider_counts_as_down_from_the_trip_until_a_call_goes_through() -> None:
    # A failure seen after the cool-down ended is still one of the outage: it must not count
    # as one of the article's attempts (a loaded machine made that race common).
    breaker = CircuitBreaker(threshold=1, cooldown=0.05)
    assert not breaker.is_tripped()
    breaker.failed()
    time.sleep(0.1)
    assert breaker.state == "half_open"
    assert breaker.is_tripped()

    breaker.succeeded()

    assert not breaker.is_tripped()


def test_a_probe_that_never_reports_lets_the_next_caller_probe_after_a_cooldown() -> None:
    # Its holder may never call: the job was moot, or the relevance gate spared the call.
    breaker = CircuitBreaker(threshold=1, cooldown=0.1)
    breaker.failed()
    time.sleep(0.15)
    assert breaker.wait_time() == 0  # the probe, never heard of again
    assert breaker.wait_time() > 0

    time.sleep(0.15)

    assert breaker.wait_time() == 0
    assert breaker.wait_time() > 0


async def test_provider_outage_leaves_articles_queued_and_they_complete_after(
    make_settings, database_url
) -> None:
    from asgi_lifespan import LifespanManager

    from app.main import create_app

    settings = make_settings(
        llm_breaker_threshold=2, llm_breaker_cooldown_seconds=0.5, job_max_attempts=2
    )
    app = create_app(settings)
    with respx.mock(base_url=LLM_BASE_URL) as llm:
        route = llm.post("/chat/completions").mock(
            return_value=httpx.Response(503, json={"error": {"message": "down"}})
        )
        async with LifespanManager(app, startup_timeout=60) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                posted = await client.post("/v1/articles", json={"text": TEXT})
                article_id = posted.json()["id"]
                waiting = await _parked_after_failures(client, article_id, route, failures=3)
                assert "unavailable" in waiting["error"]
                # More failures than job_max_attempts, yet the article waits instead of failing.

                route.mock(side_effect=llm_reply([RECORD]))
                done = await wait_for_article(client, article_id)

    assert done["status"] == "done"
    assert done["error"] is None
    assert len(done["records"]) == 1


async def _parked_after_failures(
    client: httpx.AsyncClient, article_id: int, route: respx.Route, failures: int
) -> dict[str, object]:
    """The article once it has been parked after at least `failures` failed calls."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        body: dict[str, object] = (await client.get(f"/v1/articles/{article_id}")).json()
        assert body["status"] != "failed", body
        if route.call_count >= failures and body["status"] == "queued":
            return body
        await asyncio.sleep(0.02)
    raise AssertionError(f"article never parked; {route.call_count} calls")
