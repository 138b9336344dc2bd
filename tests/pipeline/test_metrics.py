"""The pipeline's counters reach /metrics: LLM calls, tokens, failures, breaker state."""

import re

import httpx
import respx

from tests.support.app import wait_for_article
from tests.support.llm import LLM_BASE_URL, llm_reply
from tests.support.samples import RECORD, TEXT


def metric(body: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", body, re.M)
    return float(match.group(1)) if match else 0.0


async def test_llm_calls_tokens_and_failures_are_counted(client: httpx.AsyncClient) -> None:
    before = (await client.get("/metrics")).text
    with respx.mock(base_url=LLM_BASE_URL) as llm:
        route = llm.post("/chat/completions").mock(side_effect=llm_reply([RECORD]))
        done = await client.post("/v1/articles", json={"text": TEXT})
        await wait_for_article(client, done.json()["id"])
        route.mock(return_value=httpx.Response(400, json={"error": {"message": "bad"}}))
        failed = await client.post("/v1/articles", json={"text": TEXT + " Again."})
        await wait_for_article(client, failed.json()["id"])
    after = (await client.get("/metrics")).text

    assert metric(after, "parley_llm_calls_total") - metric(before, "parley_llm_calls_total") == 1
    prompt = 'parley_llm_tokens_total{kind="prompt"}'
    assert metric(after, prompt) - metric(before, prompt) == 1200
    failures = 'parley_extraction_failures_total{reason="llm_error"}'
    assert metric(after, failures) - metric(before, failures) == 1
    assert metric(after, "parley_llm_breaker_state") == 0
    assert metric(after, 'parley_articles{status="done"}') == 1
    assert metric(after, 'parley_articles{status="failed"}') == 1
