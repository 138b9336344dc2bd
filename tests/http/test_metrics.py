"""/metrics: HTTP traffic by route template, articles by status and queue depth from the
database, and the pipeline's counters; one registry per app."""

from collections.abc import Callable

import httpx
from prometheus_client.parser import text_string_to_metric_families

from app.auth.keys import Scope
from app.config import Settings
from app.observability.metrics import BREAKER_STATE, LLM_CALLS, LLM_TOKENS
from tests.support.app import serve
from tests.support.keys import bearer, mint


async def scrape(
    client: httpx.AsyncClient, **headers: str
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics, keyed by name and sorted labels."""
    answer = await client.get("/metrics", headers=headers)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }


async def test_requests_are_counted_by_route_template_not_raw_path(
    make_settings: Callable[..., Settings],
) -> None:
    async with serve(make_settings(run_worker=False)) as client:
        for article_id in (101, 102, 103):
            assert (await client.get(f"/v1/articles/{article_id}")).status_code == 404
        await client.get("/no/such/path")
        samples = await scrape(client)
    route = (("method", "GET"), ("route", "/v1/articles/{article_id}"), ("status", "404"))
    assert samples[("parley_http_requests_total", route)] == 3
    assert not any("/v1/articles/101" in str(labels) for _, labels in samples)
    unmatched = (("method", "GET"), ("route", "unmatched"), ("status", "404"))
    assert samples[("parley_http_requests_total", unmatched)] == 1
    latency = (("method", "GET"), ("route", "/v1/articles/{article_id}"))
    assert samples[("parley_http_request_duration_seconds_count", latency)] == 3


async def test_articles_by_status_and_queue_depth_come_from_the_database(
    make_settings: Callable[..., Settings],
) -> None:
    async with serve(make_settings(run_worker=False)) as client:
        for text in ("Talks in Doha resumed.", "A ceasefire took hold in Idlib."):
            assert (await client.post("/v1/articles", json={"text": text})).status_code == 202
        samples = await scrape(client)
    assert samples[("parley_articles", (("status", "queued"),))] == 2
    assert samples[("parley_articles", (("status", "done"),))] == 0
    assert samples[("parley_queue_depth", ())] == 2


async def test_pipeline_counters_are_exported(make_settings: Callable[..., Settings]) -> None:
    async with serve(make_settings(run_worker=False)) as client:
        before = await scrape(client)
        LLM_CALLS.inc()
        LLM_TOKENS.labels(kind="prompt").inc(1200)
        BREAKER_STATE.set(2)
        after = await scrape(client)
    calls = ("parley_llm_calls_total", ())
    prompt = ("parley_llm_tokens_total", (("kind", "prompt"),))
    assert after[calls] - before.get(calls, 0) == 1
    assert after[prompt] - before.get(prompt, 0) == 1200
    assert after[("parley_llm_breaker_state", ())] == 2
    BREAKER_STATE.set(0)


async def test_each_app_has_its_own_registry(make_settings: Callable[..., Settings]) -> None:
    key = (
        "parley_http_requests_total",
        (("method", "GET"), ("route", "/healthz"), ("status", "200")),
    )
    for _ in range(2):
        async with serve(make_settings(run_worker=False)) as client:
            await client.get("/healthz")
            assert (await scrape(client))[key] == 1


async def test_metrics_need_the_read_scope_once_auth_is_on(
    make_settings: Callable[..., Settings], database_url: str
) -> None:
    reader, ingester = mint(database_url, Scope.READ), mint(database_url, Scope.INGEST)
    async with serve(make_settings(run_worker=False)) as client:
        assert (await client.get("/metrics")).status_code == 401
        assert (await client.get("/metrics", headers=bearer(ingester))).status_code == 403
        assert "parley_queue_depth" in (await client.get("/metrics", headers=bearer(reader))).text
