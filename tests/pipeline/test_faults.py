"""Fault injection: a hundred articles through the real app while the LLM endpoint misbehaves.

respx answers every call to the fake endpoint from a seeded random mix: rate limits with
Retry-After, 500 and 503 answers, timeouts, truncated JSON, tool calls with wrong arguments,
replies without a tool call, output cut at the token limit, and good answers (some of them
ungrounded). Each article's calls are told apart by a token in its text, and each article draws
its own sequence, so the mix an article meets does not depend on how the queue interleaves them.

What must hold: every article ends done or failed (none stuck), failed ones say why, no stored
record comes from a bad answer or quotes text the article lacks, and the calls spent on one
article stay within (sdk retries + 1) x (re-asks + 1) x job attempts.
"""

import asyncio
import json
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import respx
from pydantic import ValidationError

from app.config import Settings
from app.extraction.breaker import CircuitBreaker
from app.extraction.contract import ExtractedRecord, ExtractionAnswer
from tests.support.app import running
from tests.support.llm import LLM_BASE_URL, chat_completion

pytestmark = pytest.mark.slow

ARTICLES = 100
SEED = 20_240_917
SDK_RETRIES, REASKS, JOB_ATTEMPTS = 1, 1, 3
CALLS_PER_ARTICLE = (SDK_RETRIES + 1) * (REASKS + 1) * JOB_ATTEMPTS
SETTLE_SECONDS = 150.0
TOKEN = re.compile(r"FAULT-\d{3}")
GOOD, UNGROUNDED = "good", "ungrounded"
# Summaries and quotes that only bad or ungrounded answers carry: no stored record may hold one.
BAD_MARK = "BAD-OUTPUT"
UNGROUNDED_QUOTE = "Norway agreed to guarantee the accord, officials confirmed"
# Relative weights of what the endpoint answers.
MIX: dict[str, int] = {
    GOOD: 30,
    UNGROUNDED: 10,
    "rate_limited": 10,
    "server_error": 8,
    "unavailable": 8,
    "timeout": 8,
    "truncated_json": 6,
    "wrong_types": 4,
    "missing_fields": 4,
    "unknown_kind": 4,
    "not_a_list": 2,
    "no_tool_call": 3,
    "cut_at_token_limit": 3,
}
TRANSIENT = {"rate_limited", "server_error", "unavailable", "timeout"}

PLACES = ["Geneva", "Doha", "Ankara", "Nairobi", "Oslo", "Jeddah", "Addis Ababa", "Havana"]
SIDES = [
    ("Armenia", "Azerbaijan"),
    ("Ethiopia", "Somalia"),
    ("Sudan", "South Sudan"),
    ("Colombia", "Venezuela"),
    ("Russia", "Ukraine"),
]


def article_text(n: int) -> str:
    """A short, distinct negotiation report carrying its token FAULT-<n>."""
    a, b = SIDES[n % len(SIDES)]
    place = PLACES[n % len(PLACES)]
    return (
        f"Report FAULT-{n:03d}. Delegations from {a} and {b} opened round {n + 1} of talks in "
        f"{place} on Tuesday, officials said.\n\nThe envoys discussed prisoner releases and a "
        f"ceasefire along the front line, according to a statement issued in {place}."
    )


def evidence_of(n: int) -> str:
    """The sentence of article `n` a good answer quotes."""
    a, b = SIDES[n % len(SIDES)]
    return f"Delegations from {a} and {b} opened round {n + 1} of talks"


def good_record(n: int, *, grounded: bool = True) -> dict[str, Any]:
    """A valid record for article `n`; ungrounded ones quote text no article contains."""
    a, b = SIDES[n % len(SIDES)]
    return {
        "kind": "negotiation",
        "status": "ongoing",
        "summary": f"good answer {n}" if grounded else f"{BAD_MARK} ungrounded {n}",
        "parties": [{"name": a, "kind": "state", "country": a}, {"name": b, "kind": "state"}],
        "round": n + 1,
        "evidence": [evidence_of(n) if grounded else UNGROUNDED_QUOTE],
    }


def _tool_reply(arguments: str, tool: str, finish: str = "tool_calls") -> httpx.Response:
    body = chat_completion([], tool=tool)
    body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = arguments
    body["choices"][0]["finish_reason"] = finish
    return httpx.Response(200, json=body)


def _bad_arguments(kind: str, n: int) -> str:
    """Tool-call arguments that break the schema; grounded, so only validation can stop them."""
    record = {**good_record(n), "summary": f"{BAD_MARK} {kind} {n}"}
    if kind == "wrong_types":
        record.update(status=7, round="third", parties="Armenia")
    elif kind == "missing_fields":
        record = {k: v for k, v in record.items() if k not in ("kind", "status")}
    elif kind == "unknown_kind":
        record["kind"] = "armistice"
    elif kind == "not_a_list":
        return json.dumps({"records": record})
    full = json.dumps({"records": [record]})
    return full[: len(full) // 2] if kind in ("truncated_json", "cut_at_token_limit") else full


def fault_reply(kind: str, n: int, tool: str, request: httpx.Request) -> httpx.Response:
    """The endpoint's answer of `kind` to a call about article `n`."""
    if kind in (GOOD, UNGROUNDED):
        return httpx.Response(
            200, json=chat_completion([good_record(n, grounded=kind == GOOD)], tool=tool)
        )
    if kind == "rate_limited":
        retry_after = f"{random.Random(n).uniform(0.01, 0.1):.2f}"
        error = {"error": {"message": "Rate limit reached", "type": "requests"}}
        return httpx.Response(429, headers={"retry-after": retry_after}, json=error)
    if kind in ("server_error", "unavailable"):
        status = 500 if kind == "server_error" else 503
        return httpx.Response(status, json={"error": {"message": f"upstream {status}"}})
    if kind == "timeout":
        raise httpx.ReadTimeout("timed out", request=request)
    if kind == "no_tool_call":
        body = chat_completion([], mode="json")
        body["choices"][0]["message"]["content"] = f"{BAD_MARK}: I cannot help with that."
        return httpx.Response(200, json=body)
    finish = "length" if kind == "cut_at_token_limit" else "tool_calls"
    return _tool_reply(_bad_arguments(kind, n), tool, finish)


@dataclass
class FaultyEndpoint:
    """The LLM endpoint: each article draws its own seeded sequence of answers, after an
    outage that answers the first `outage_calls` calls, whoever makes them, 503."""

    seed: int
    outage_calls: int = 0
    calls: Counter[int] = field(default_factory=Counter)
    served: dict[int, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        user = next(m["content"] for m in body["messages"] if m["role"] == "user")
        n = int(TOKEN.findall(user)[0].removeprefix("FAULT-"))
        with self.lock:
            self.calls[n] += 1
            draw = random.Random(f"{self.seed}-{n}-{self.calls[n]}")
            kind = draw.choices(list(MIX), weights=list(MIX.values()))[0]
            if self.outage_calls > 0:
                self.outage_calls -= 1
                kind = "unavailable"
            self.served.setdefault(n, []).append(kind)
        return fault_reply(kind, n, body["tools"][0]["function"]["name"], request)


def count_openings(breaker: CircuitBreaker) -> list[float]:
    """Spy on the breaker: the times a failure left it tripped (it still does its job).

    Tripped, not "open": with a 50 ms cool-down a loaded machine can let the cool-down end
    between the failure and the look, and the breaker then reads half-open; it opened all the same.
    """
    openings: list[float] = []
    failed = breaker.failed

    def spy() -> None:
        failed()
        if breaker.is_tripped():
            openings.append(time.monotonic())

    breaker.failed = spy  # type: ignore[method-assign]
    return openings


async def settle(client: httpx.AsyncClient, ids: dict[int, int]) -> dict[int, dict[str, Any]]:
    """Poll every article until all are done or failed; fail naming the stuck ones."""
    deadline = time.monotonic() + SETTLE_SECONDS
    final: dict[int, dict[str, Any]] = {}
    while True:
        for n, article_id in ids.items():
            if n not in final:
                response = await client.get(f"/v1/articles/{article_id}")
                assert response.status_code == 200, response.text
                body = response.json()
                if body["status"] in ("done", "failed"):
                    final[n] = body
        if len(final) == len(ids):
            return final
        if time.monotonic() > deadline:
            stuck = sorted(set(ids) - set(final))
            raise AssertionError(f"{len(stuck)} articles stuck after {SETTLE_SECONDS}s: {stuck}")
        await asyncio.sleep(0.25)


@dataclass
class Outcome:
    """What a fault run left behind."""

    articles: dict[int, dict[str, Any]]
    endpoint: FaultyEndpoint
    seconds: float
    breaker_openings: int

    @property
    def statuses(self) -> Counter[str]:
        """Articles by final status."""
        return Counter(a["status"] for a in self.articles.values())


async def run_faults(settings: Settings, outage_calls: int = 0) -> Outcome:
    """Post ARTICLES articles against the faulty endpoint and wait for all of them."""
    endpoint = FaultyEndpoint(SEED, outage_calls)
    started = time.monotonic()
    with respx.mock(base_url=LLM_BASE_URL, assert_all_called=False) as llm:
        llm.post("/chat/completions").mock(side_effect=endpoint)
        async with running(settings) as (client, services):
            openings = count_openings(services.breaker)
            ids = {}
            for n in range(ARTICLES):
                posted = await client.post("/v1/articles", json={"text": article_text(n)})
                assert posted.status_code == 202, posted.text
                ids[n] = posted.json()["id"]
            articles = await settle(client, ids)
    outcome = Outcome(articles, endpoint, time.monotonic() - started, len(openings))
    print(
        f"\nfaults: {ARTICLES} articles, {sum(endpoint.calls.values())} LLM calls "
        f"(max {max(endpoint.calls.values())} per article), {dict(outcome.statuses)}, "
        f"{outcome.seconds:.1f}s, breaker opened {outcome.breaker_openings}x; answers served: "
        f"{dict(Counter(k for ks in endpoint.served.values() for k in ks))}"
    )
    return outcome


def fault_settings(make_settings: Callable[..., Settings], **overrides: Any) -> Settings:
    """Small retry budgets, a busy queue, fast back-off."""
    values: dict[str, Any] = {
        "llm_sdk_retries": SDK_RETRIES,
        "llm_reasks": REASKS,
        "job_max_attempts": JOB_ATTEMPTS,
        "job_retry_base_seconds": 0.01,
        "queue_concurrency": 16,
        "llm_breaker_threshold": 10_000,
        "shutdown_grace_seconds": 0,
        "rate_limit_per_minute": None,  # polling 100 articles would soon be answered 429
    }
    values.update(overrides)
    return make_settings(**values)


def assert_no_record_from_bad_output(outcome: Outcome) -> None:
    """Every stored record is a good answer's, validates, and quotes its own article."""
    for n, article in outcome.articles.items():
        for record in article["records"]:
            assert BAD_MARK not in record["summary"], (n, record)
            assert record["summary"] == f"good answer {n}", (n, record)
            ExtractedRecord.model_validate(
                {**record, "evidence": [e["quote"] for e in record["evidence"]]}
            )
            for quote in record["evidence"]:
                assert article["text"][quote["start"] : quote["end"]] == quote["quote"]
                assert UNGROUNDED_QUOTE not in quote["quote"]


def assert_failures_say_why(outcome: Outcome) -> None:
    """A failed article names its cause; a done one carries no error."""
    for n, article in outcome.articles.items():
        if article["status"] == "failed":
            assert article["error"], n
            assert len(article["error"]) > 10, (n, article["error"])
            assert article["records"] == []
        else:
            assert article["error"] is None, (n, article["error"])


def assert_last_answer_decides(outcome: Outcome) -> None:
    """Done articles ended on a valid answer (one record when grounded); failed ones on a fault."""
    for n, article in outcome.articles.items():
        served = outcome.endpoint.served[n]
        if article["status"] == "done":
            assert served[-1] in (GOOD, UNGROUNDED), (n, served)
            assert len(article["records"]) == (1 if served[-1] == GOOD else 0), (n, served)
            assert article["extraction"]["usage"]["llm_calls"] >= 1
        else:
            assert served[-1] not in (GOOD, UNGROUNDED), (n, served)


async def test_every_article_ends_done_or_failed_within_the_call_bound(
    make_settings: Callable[..., Settings],
) -> None:
    outcome = await run_faults(fault_settings(make_settings))

    assert len(outcome.articles) == ARTICLES
    assert outcome.statuses["done"] > 0
    assert outcome.statuses["failed"] > 0
    assert outcome.breaker_openings == 0
    assert max(outcome.endpoint.calls.values()) <= CALLS_PER_ARTICLE, outcome.endpoint.calls
    assert_no_record_from_bad_output(outcome)
    assert_failures_say_why(outcome)
    assert_last_answer_decides(outcome)
    for n, article in outcome.articles.items():
        if article["status"] == "failed" and outcome.endpoint.served[n][-1] in TRANSIENT:
            assert f"after {JOB_ATTEMPTS} attempts" in article["error"], (n, article["error"])


async def test_with_a_tripping_breaker_articles_still_end_and_store_nothing_bad(
    make_settings: Callable[..., Settings],
) -> None:
    # Failures while the breaker is open do not count as attempts (articles wait, queued,
    # through an outage), so the per-article call bound does not apply here; ending does.
    # The opening outage trips it for certain: in the mix alone two transient failures in a
    # row depend on how 16 workers interleave, and about one run in seven saw none.
    settings = fault_settings(
        make_settings, llm_breaker_threshold=2, llm_breaker_cooldown_seconds=0.05
    )
    outcome = await run_faults(settings, outage_calls=2 * 16 * (SDK_RETRIES + 1))

    assert outcome.breaker_openings > 0
    assert len(outcome.articles) == ARTICLES
    assert outcome.statuses["done"] > 0
    assert_no_record_from_bad_output(outcome)
    assert_failures_say_why(outcome)


@pytest.mark.parametrize("kind", sorted(set(MIX) - {GOOD, UNGROUNDED}))
def test_each_bad_answer_is_a_fault_the_app_must_survive(kind: str) -> None:
    request = httpx.Request("POST", f"{LLM_BASE_URL}/chat/completions")
    try:
        response = fault_reply(kind, 1, "Extraction", request)
    except httpx.TimeoutException:
        assert kind == "timeout"
        return
    if response.status_code != 200:
        assert response.status_code in (429, 500, 503)
        return
    message = response.json()["choices"][0]["message"]
    if not message.get("tool_calls"):
        assert kind == "no_tool_call"
        return
    arguments = message["tool_calls"][0]["function"]["arguments"]
    with pytest.raises(ValidationError):
        ExtractionAnswer.model_validate_json(arguments)
