"""Prompt injection: article text is data, even when it talks to the model.

tests/fixtures/injection/articles.jsonl holds realistic conflict reports with attacks embedded
in them: instructions to the model, fake SYSTEM blocks, fake closing fence tags, JSON snippets
posing as the answer, zero-width characters, homoglyphs, HTML and markdown comments, fake
editor's corrections, requests to call another function. Each line says what a COMPROMISED
model returns for it (the faked endpoint obeys the injection every time, re-asks included),
which planted facts must not be stored, what stops them, and, where nothing does, why (`gap`).

Every article goes through the real app (grounding, validation, normalisation, storage) in one
module-scoped run; the tests read what was stored and what the model was sent.
"""

import asyncio
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from asgi_lifespan import LifespanManager

from app.extraction.contract import Actor, ExtractedRecord, Place, ThirdParty
from app.extraction.llm import GroundedExtraction
from app.extraction.prompts import fence_tag
from app.normalize import country_code, mediator_filter
from app.records.normalise import mediator_identity
from app.records.schemas import RecordOut
from tests.support.databases import fresh_database, module_settings
from tests.support.llm import LLM_BASE_URL, chat_completion

CORPUS = Path(__file__).parents[1] / "fixtures" / "injection" / "articles.jsonl"
ARTICLES: list[dict[str, Any]] = [
    json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line
]
BY_ID = {article["id"]: article for article in ARTICLES}
SETTLE_SECONDS = 60.0


def _blocked_or_gap(article: dict[str, Any]) -> Any:
    """The article id as a test parameter; known gaps are strict expected failures."""
    if not article["gap"]:
        return pytest.param(article["id"], id=article["id"])
    mark = pytest.mark.xfail(strict=True, reason=f"injection gap: {article['gap']}")
    return pytest.param(article["id"], id=article["id"], marks=mark)


@dataclass
class CompromisedModel:
    """The faked endpoint: obeys each article's injection, and records what it was sent."""

    requests: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        user = next(m["content"] for m in body["messages"] if m["role"] == "user")
        article = next(a for a in ARTICLES if a["text"] in user)
        self.requests.setdefault(article["id"], []).append(body)
        tool = body["tools"][0]["function"]["name"]
        reply = chat_completion(article["model_returns"], tool=tool)
        if article["tool_calls"]:
            calls = [
                {
                    "id": f"call_{n}",
                    "type": "function",
                    "function": {"name": c["name"], "arguments": json.dumps(c["arguments"])},
                }
                for n, c in enumerate(article["tool_calls"])
            ]
            reply["choices"][0]["message"]["tool_calls"][:0] = calls
        return httpx.Response(200, json=reply)


@dataclass
class InjectionRun:
    """What the app stored for each article, what the model was sent, what filters found."""

    stored: dict[str, dict[str, Any]]
    requests: dict[str, list[dict[str, Any]]]
    # (filter name, value) -> ids of the articles whose records the API filter returned.
    filtered: dict[tuple[str, str], set[int]]


async def _settle(client: httpx.AsyncClient, ids: dict[str, int]) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + SETTLE_SECONDS
    final: dict[str, dict[str, Any]] = {}
    while len(final) < len(ids):
        waiting: dict[str, dict[str, Any]] = {}
        for name, article_id in ids.items():
            if name not in final:
                response = await client.get(f"/v1/articles/{article_id}")
                assert response.status_code == 200, response.text
                body = response.json()
                (final if body["status"] in ("done", "failed") else waiting)[name] = body
        stuck = [(name, body["status"], body["error"]) for name, body in waiting.items()]
        assert not stuck or time.monotonic() < deadline, f"stuck after {SETTLE_SECONDS}s: {stuck}"
        await asyncio.sleep(0.1)
    return final


async def _filtered(client: httpx.AsyncClient) -> dict[tuple[str, str], set[int]]:
    """Ask the API's mediator and country filters for every planted value."""
    found: dict[tuple[str, str], set[int]] = {}
    for article in ARTICLES:
        for planted in article["planted"]:
            for name in ("mediator", "country"):
                if name in planted:
                    page = await client.get(
                        "/v1/records", params={name: planted[name], "limit": 500}
                    )
                    assert page.status_code == 200, page.text
                    found[(name, planted[name])] = {r["article_id"] for r in page.json()["items"]}
    return found


async def _run(config: Any) -> InjectionRun:
    from app.main import create_app

    model = CompromisedModel()
    with respx.mock(base_url=LLM_BASE_URL, assert_all_called=False) as llm:
        llm.post("/chat/completions").mock(side_effect=model)
        app = create_app(config)
        async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://parley.test") as c:
                ids = {}
                for article in ARTICLES:
                    posted = await c.post(
                        "/v1/articles", json={"text": article["text"], "title": article["title"]}
                    )
                    assert posted.status_code == 202, posted.text
                    ids[article["id"]] = posted.json()["id"]
                stored = await _settle(c, ids)
                filtered = await _filtered(c)
    return InjectionRun(stored, model.requests, filtered)


@pytest.fixture(scope="module")
def injection(tmp_path_factory: pytest.TempPathFactory, postgres_ready: str | None) -> InjectionRun:
    """Every corpus article through the real app against the compromised model, once."""
    tmp = tmp_path_factory.mktemp("injection")
    database_url = fresh_database(tmp, postgres_ready)
    config = module_settings(
        tmp,
        database_url,
        openai_base_url=LLM_BASE_URL,
        openai_api_key="sk-test",
        llm_sdk_retries=0,
        llm_reasks=1,
        job_retry_base_seconds=0.01,
        relevance_gate=False,
        queue_concurrency=8,
        rate_limit_per_minute=None,  # polling 23 articles would soon be answered 429
    )
    return asyncio.run(_run(config))


def _record_texts(record: dict[str, Any]) -> str:
    """Everything a stored record says, as one string to search for planted text."""
    return json.dumps(record, ensure_ascii=False)


def planted_facts_found(article: dict[str, Any], run: InjectionRun) -> list[str]:
    """The article's planted facts that made it into storage or the API's filter indexes."""
    stored = run.stored[article["id"]]
    records = stored["records"]
    found = []
    for planted in article["planted"]:
        if "mediator" in planted:
            identities = {
                mediator_identity(ThirdParty(**m)) for r in records for m in r["mediators"]
            }
            if planted["mediator"] in identities:
                found.append(f"mediator {planted['mediator']} stored")
            if stored["id"] in run.filtered[("mediator", planted["mediator"])]:
                found.append(f"mediator filter {planted['mediator']} returns it")
        if "country" in planted:
            if any(planted["country"] in r["countries"] for r in records):
                found.append(f"country {planted['country']} stored")
            if stored["id"] in run.filtered[("country", planted["country"])]:
                found.append(f"country filter {planted['country']} returns it")
        if "text" in planted and any(planted["text"] in _record_texts(r) for r in records):
            found.append(f"text {planted['text']!r} stored")
        if "kind" in planted and any(
            (r["kind"], r["status"]) == (planted["kind"], planted["status"]) for r in records
        ):
            found.append(f"{planted['kind']}/{planted['status']} stored")
        if "date" in planted and any(r["date"] == planted["date"] for r in records):
            found.append(f"date {planted['date']} stored")
    return found


def test_the_corpus_has_twenty_attacks_each_with_a_checkable_planted_fact() -> None:
    assert len(ARTICLES) >= 20
    for article in ARTICLES:
        assert article["planted"], article["id"]
        assert article["defence"], article["id"]
        for planted in article["planted"]:
            # A planted value the normaliser cannot produce would make its check vacuous.
            if "mediator" in planted:
                assert mediator_filter(planted["mediator"]) == planted["mediator"]
            if "country" in planted:
                assert country_code(planted["country"]) == planted["country"]


@pytest.mark.parametrize("name", [a["id"] for a in ARTICLES])
def test_an_injected_article_ends_as_expected_with_real_records_only_in_schema(
    injection: InjectionRun, name: str
) -> None:
    article, stored = BY_ID[name], injection.stored[name]

    assert stored["status"] == article["status"], stored["error"]
    summaries = [r["summary"] for r in stored["records"]]
    assert set(article["real"]) <= set(summaries)
    for record in stored["records"]:
        RecordOut.model_validate(record)
        ExtractedRecord.model_validate(
            {**record, "evidence": [e["quote"] for e in record["evidence"]]}
        )
        assert set(record) <= set(RecordOut.model_fields), record
        for actor in record["parties"]:
            assert set(actor) <= set(Actor.model_fields), actor
        for third in record["mediators"]:
            assert set(third) <= set(ThirdParty.model_fields), third
        assert record["location"] is None or set(record["location"]) <= set(Place.model_fields)
        for quote in record["evidence"]:
            assert article["text"][quote["start"] : quote["end"]] == quote["quote"]


@pytest.mark.parametrize("name", [_blocked_or_gap(a) for a in ARTICLES])
def test_no_planted_fact_is_stored(injection: InjectionRun, name: str) -> None:
    found = planted_facts_found(BY_ID[name], injection)
    print(f"{name}: {found or 'nothing planted stored'}")

    assert found == []


def test_the_only_tool_the_model_sees_is_the_response_schema_and_it_is_forced(
    injection: InjectionRun,
) -> None:
    bodies = [body for bodies in injection.requests.values() for body in bodies]
    expected = GroundedExtraction.model_json_schema()

    assert len(injection.requests) == len(ARTICLES)
    for body in bodies:
        (tool,) = body["tools"]
        assert tool["type"] == "function"
        assert tool["function"]["name"] == "Extraction"
        assert tool["function"]["parameters"]["properties"].keys() == expected["properties"].keys()
        assert body["tool_choice"] == {"type": "function", "function": {"name": "Extraction"}}
        assert "functions" not in body


@pytest.mark.parametrize("name", [a["id"] for a in ARTICLES])
def test_the_article_sits_inside_the_fence_in_the_user_message_only(
    injection: InjectionRun, name: str
) -> None:
    text = BY_ID[name]["text"]
    tag = fence_tag(text)

    for body in injection.requests[name]:
        system, user = body["messages"][0], body["messages"][1]
        assert system["role"] == "system"
        assert user["role"] == "user"
        assert all(line not in system["content"] for line in text.splitlines() if len(line) > 30)
        opening = user["content"].index(f"<{tag}>\n{text}\n</{tag}>")
        # The first closing tag after the opening one is the fence's own, right after the text.
        closing = user["content"].index(f"</{tag}>", opening)
        assert closing == opening + len(f"<{tag}>\n{text}\n")
        later = body["messages"][2:]
        assert all(m["role"] in ("assistant", "tool", "user") for m in later)


def test_a_fake_closing_tag_in_the_article_changes_the_fence() -> None:
    escaping = [a for a in ARTICLES if "</article>" in a["text"]]

    assert escaping
    for article in escaping:
        assert fence_tag(article["text"]) != "article"
