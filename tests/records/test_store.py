"""Stored evidence through the real app: for every item, `text[start:end]` of the stored article
is exactly its quote, quote marks at its edges included (SPEC §2, "Exact evidence")."""

import json
from collections.abc import Callable
from typing import Any

import httpx
import respx

from app.config import Settings
from tests.support.app import serve, wait_for_article
from tests.support.llm import LLM_BASE_URL, llm_reply
from tests.support.quoted import ARTICLES, inexact, straightened


async def stored_articles(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Post every written article and return each as stored, once extracted."""
    stored = []
    for text, _sentences in ARTICLES:
        posted = await client.post("/v1/articles", json={"text": text})
        article = await wait_for_article(client, posted.json()["id"])
        assert article["status"] == "done", article["error"]
        stored.append(article)
    return stored


def model_quoting_with_straight_marks(body: dict[str, Any]) -> list[dict[str, Any]]:
    """A model that finds the written article in the prompt and quotes its sentences with
    straight marks, the first one also wrapped in marks of its own."""
    prompt = json.dumps(body["messages"], ensure_ascii=False)
    for text, sentences in ARTICLES:
        if json.dumps(text[:60], ensure_ascii=False)[1:-1] in prompt:
            quotes = [straightened(s) for s in sentences]
            quotes[0] = f'"{quotes[0]}"'
            evidence = {"kind": "ceasefire", "status": "agreed", "summary": "A development."}
            return [{**evidence, "parties": [], "evidence": quotes}]
    raise AssertionError("the prompt carries none of the written articles")


async def test_the_rules_extractor_stores_exact_evidence_with_its_quote_marks(
    make_settings: Callable[..., Settings],
) -> None:
    async with serve(make_settings(extractor_choice="rules")) as client:
        articles = await stored_articles(client)

    for article, (_text, sentences) in zip(articles, ARTICLES, strict=True):
        evidence = [item for r in article["records"] for item in r["evidence"]]
        assert inexact(article["text"], evidence) == []
        assert set(sentences) <= {item["quote"] for item in evidence}


async def test_rules_records_are_served_with_their_confidence(
    make_settings: Callable[..., Settings],
) -> None:
    async with serve(make_settings(extractor_choice="rules")) as client:
        articles = await stored_articles(client)
        listed = (await client.get("/v1/records", params={"limit": 100})).json()["items"]

    confidences = [r["confidence"] for a in articles for r in a["records"]]
    assert confidences
    assert all(0 < c <= 1 for c in confidences)
    assert sorted(r["confidence"] for r in listed) == sorted(confidences)


async def test_a_models_quotes_are_stored_exactly_as_the_article_spells_them(
    make_settings: Callable[..., Settings],
) -> None:
    with respx.mock(base_url=LLM_BASE_URL) as llm:
        llm.post("/chat/completions").mock(side_effect=llm_reply(model_quoting_with_straight_marks))
        async with serve(make_settings()) as client:
            articles = await stored_articles(client)

    for article, (_text, sentences) in zip(articles, ARTICLES, strict=True):
        (record,) = article["records"]
        assert record["confidence"] is None  # only the rules extractor says how sure it is
        assert inexact(article["text"], record["evidence"]) == []
        assert [item["quote"] for item in record["evidence"]] == sentences
