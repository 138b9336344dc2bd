"""The LLM extractor against a fake OpenAI-compatible endpoint (respx at the HTTP level)."""

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import respx

from app.config import Settings
from app.errors import ExtractionError
from app.extraction.contract import ArticleInput
from app.extraction.llm import LLMExtractor, build_openai_client
from app.extraction.llm_errors import retry_after_seconds

BASE_URL = "http://llm.test/v1"
COMPLETIONS = f"{BASE_URL}/chat/completions"

ARTICLE = ArticleInput(
    text=(
        "Colombia’s government and a major guerrilla group said Monday they would resume peace "
        "negotiations that have been stalled since July.\n\nThe talks will be held in Havana, "
        "they said in a joint statement."
    ),
    title="Colombian Government, Rebel Group to Resume Peace Talks",
    source="The Defense Post",
    published_at=datetime(2024, 9, 10, 7, 46, tzinfo=UTC),
)
GOOD_QUOTE = "Colombia's government and a major guerrilla group said Monday they would resume"
BAD_QUOTE = "The rebels promised to disarm by Christmas."


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": BASE_URL,
        "llm_sdk_retries": 0,
        "llm_reasks": 1,
        **overrides,
    }
    return Settings(_env_file=None, **values)


def make_extractor(**overrides: Any) -> LLMExtractor:
    settings = make_settings(**overrides)
    return LLMExtractor(settings, build_openai_client(settings))


def record(*evidence: str, kind: str = "negotiation", status: str = "scheduled") -> dict[str, Any]:
    return {
        "kind": kind,
        "status": status,
        "summary": "Colombia and Segunda Marquetalia will resume talks in Havana.",
        "parties": [{"name": "Government of Colombia", "kind": "state", "country": "Colombia"}],
        "location": {"name": "Havana", "country": "Cuba"},
        "evidence": list(evidence),
    }


def usage(prompt: int = 1000, completion: int = 100) -> dict[str, int]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def tool_completion(arguments: str, tokens: tuple[int, int] = (1000, 100)) -> dict[str, Any]:
    """A chat completion shaped like OpenAI's answer to a forced function call."""
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "Extraction", "arguments": arguments},
    }
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_725_955_200,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                "finish_reason": "tool_calls",
            }
        ],
        "usage": usage(*tokens),
    }


def content_completion(content: str) -> dict[str, Any]:
    """A chat completion whose answer is message content (json_schema and md_json modes)."""
    return {
        "id": "chatcmpl-2",
        "object": "chat.completion",
        "created": 1_725_955_200,
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": usage(),
    }


def answer(*records: dict[str, Any]) -> str:
    return json.dumps({"records": list(records)})


def body(call: Any) -> dict[str, Any]:
    return json.loads(call.request.content)  # type: ignore[no-any-return]


@pytest.fixture
def llm() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


def replies(llm: respx.MockRouter, *responses: httpx.Response) -> respx.Route:
    return llm.post("/chat/completions").mock(side_effect=list(responses))


async def test_good_answer_becomes_grounded_records(llm: respx.MockRouter) -> None:
    replies(llm, httpx.Response(200, json=tool_completion(answer(record(GOOD_QUOTE)))))
    result = await make_extractor().extract(ARTICLE)
    assert [(r.kind, r.status) for r in result.records] == [("negotiation", "scheduled")]
    assert result.records[0].location is not None
    assert result.records[0].location.name == "Havana"
    assert (result.extractor, result.model, result.prompt_version) == (
        "llm",
        "gpt-4o-mini",
        "extract-v1",
    )
    assert (result.usage.prompt_tokens, result.usage.completion_tokens, result.usage.calls) == (
        1000,
        100,
        1,
    )
    assert result.dropped == []


async def test_evidence_is_stored_as_the_articles_own_text(llm: respx.MockRouter) -> None:
    replies(llm, httpx.Response(200, json=tool_completion(answer(record(GOOD_QUOTE)))))
    result = await make_extractor().extract(ARTICLE)
    quote = result.records[0].evidence[0]
    assert quote.startswith("Colombia’s government")
    assert quote in ARTICLE.text


async def test_the_model_is_not_asked_for_a_confidence_and_one_it_invents_is_dropped(
    llm: respx.MockRouter,
) -> None:
    invented = {**record(GOOD_QUOTE), "confidence": 0.99}
    route = replies(llm, httpx.Response(200, json=tool_completion(answer(invented))))
    result = await make_extractor().extract(ARTICLE)
    (tool,) = body(route.calls[0])["tools"]
    assert "confidence" not in json.dumps(tool["function"]["parameters"])
    assert result.records[0].confidence is None


async def test_article_that_reports_nothing_yields_no_records(llm: respx.MockRouter) -> None:
    replies(llm, httpx.Response(200, json=tool_completion(answer())))
    result = await make_extractor().extract(ARTICLE)
    assert result.records == []


async def test_request_sends_instructions_first_and_fenced_article_last(
    llm: respx.MockRouter,
) -> None:
    route = replies(llm, httpx.Response(200, json=tool_completion(answer())))
    extractor = make_extractor()
    await extractor.extract(ARTICLE)
    sent = body(route.calls[0])
    system, user = sent["messages"]
    assert system == {"role": "system", "content": extractor.prompt.system}
    assert ARTICLE.text not in system["content"]
    assert user["role"] == "user"
    assert user["content"].rstrip().endswith(f"<article>\n{ARTICLE.text}\n</article>")
    assert ARTICLE.title in user["content"]
    assert "2024-09-10" in user["content"]
    assert sent["model"] == "gpt-4o-mini"
    assert sent["tool_choice"]["function"]["name"] == "Extraction"


async def test_malformed_answer_is_reasked_then_accepted(llm: respx.MockRouter) -> None:
    route = replies(
        llm,
        httpx.Response(200, json=tool_completion(answer({"kind": "truce", "evidence": []}))),
        httpx.Response(200, json=tool_completion(answer(record(GOOD_QUOTE)))),
    )
    result = await make_extractor().extract(ARTICLE)
    assert len(result.records) == 1
    assert route.call_count == 2
    assert "Validation Error" in json.dumps(body(route.calls[1])["messages"][-1])
    assert (result.usage.prompt_tokens, result.usage.calls) == (2000, 2)


async def test_a_value_of_the_wrong_type_is_reasked_not_coerced(llm: respx.MockRouter) -> None:
    typed_wrong = record(GOOD_QUOTE) | {"round": "3"}
    route = replies(
        llm,
        httpx.Response(200, json=tool_completion(answer(typed_wrong))),
        httpx.Response(200, json=tool_completion(answer(record(GOOD_QUOTE) | {"round": 3}))),
    )
    result = await make_extractor().extract(ARTICLE)
    assert route.call_count == 2
    assert result.records[0].round == 3


async def test_answer_malformed_on_every_attempt_fails_permanently(llm: respx.MockRouter) -> None:
    bad = httpx.Response(200, json=tool_completion('{"records": [{"kind": "truce"'))
    route = replies(llm, bad, bad)
    with pytest.raises(ExtractionError, match="did not validate") as caught:
        await make_extractor().extract(ARTICLE)
    assert caught.value.transient is False
    assert route.call_count == 2


async def test_ungrounded_record_is_reasked_once_naming_the_quote_then_dropped(
    llm: respx.MockRouter,
) -> None:
    ungrounded = httpx.Response(200, json=tool_completion(answer(record(BAD_QUOTE))))
    route = replies(llm, ungrounded, ungrounded)
    result = await make_extractor(llm_reasks=2).extract(ARTICLE)
    assert route.call_count == 2
    assert BAD_QUOTE in json.dumps(body(route.calls[1])["messages"][-1])
    assert result.records == []
    assert [(d.kind, d.reason, d.evidence) for d in result.dropped] == [
        ("negotiation", "evidence not found in article", [BAD_QUOTE])
    ]


async def test_reask_that_fixes_the_quote_keeps_the_record(llm: respx.MockRouter) -> None:
    replies(
        llm,
        httpx.Response(200, json=tool_completion(answer(record(BAD_QUOTE)))),
        httpx.Response(200, json=tool_completion(answer(record(GOOD_QUOTE)))),
    )
    result = await make_extractor().extract(ARTICLE)
    assert len(result.records) == 1
    assert result.dropped == []


async def test_unlocatable_quote_is_removed_when_another_is_found(llm: respx.MockRouter) -> None:
    route = replies(
        llm, httpx.Response(200, json=tool_completion(answer(record(GOOD_QUOTE, BAD_QUOTE))))
    )
    result = await make_extractor().extract(ARTICLE)
    assert route.call_count == 1
    assert len(result.records[0].evidence) == 1
    assert BAD_QUOTE not in result.records[0].evidence


async def test_without_reasks_ungrounded_record_is_dropped_at_once(llm: respx.MockRouter) -> None:
    route = replies(
        llm,
        httpx.Response(200, json=tool_completion(answer(record(BAD_QUOTE), record(GOOD_QUOTE)))),
    )
    result = await make_extractor(llm_reasks=0).extract(ARTICLE)
    assert route.call_count == 1
    assert len(result.records) == 1
    assert len(result.dropped) == 1


async def test_rate_limit_is_retried_by_the_sdk_after_retry_after(llm: respx.MockRouter) -> None:
    limited = httpx.Response(
        429,
        headers={"retry-after": "0.01"},
        json={"error": {"message": "slow down", "type": "requests", "code": "rate_limit_exceeded"}},
    )
    route = replies(
        llm, limited, httpx.Response(200, json=tool_completion(answer(record(GOOD_QUOTE))))
    )
    result = await make_extractor(llm_sdk_retries=1).extract(ARTICLE)
    assert route.call_count == 2
    assert len(result.records) == 1


async def test_persistent_rate_limit_is_transient_with_retry_after(llm: respx.MockRouter) -> None:
    limited = httpx.Response(
        429,
        headers={"retry-after": "7"},
        json={"error": {"message": "slow down", "code": "rate_limit_exceeded"}},
    )
    replies(llm, limited)
    with pytest.raises(ExtractionError) as caught:
        await make_extractor().extract(ARTICLE)
    assert (caught.value.transient, caught.value.retry_after) == (True, 7.0)


async def test_exhausted_quota_is_not_transient(llm: respx.MockRouter) -> None:
    replies(
        llm,
        httpx.Response(
            429,
            json={
                "error": {
                    "message": "You exceeded your current quota",
                    "type": "insufficient_quota",
                    "code": "insufficient_quota",
                }
            },
        ),
    )
    with pytest.raises(ExtractionError, match="quota") as caught:
        await make_extractor().extract(ARTICLE)
    assert caught.value.transient is False


async def test_timeout_is_a_transient_error(llm: respx.MockRouter) -> None:
    llm.post("/chat/completions").mock(side_effect=httpx.ReadTimeout("too slow"))
    with pytest.raises(ExtractionError, match="timed out") as caught:
        await make_extractor().extract(ARTICLE)
    assert caught.value.transient is True


async def test_server_error_is_transient(llm: respx.MockRouter) -> None:
    replies(llm, httpx.Response(503, json={"error": {"message": "overloaded"}}))
    with pytest.raises(ExtractionError) as caught:
        await make_extractor().extract(ARTICLE)
    assert caught.value.transient is True


async def test_bad_request_is_not_transient(llm: respx.MockRouter) -> None:
    replies(
        llm,
        httpx.Response(
            400, json={"error": {"message": "model not supported", "code": "invalid_request"}}
        ),
    )
    with pytest.raises(ExtractionError, match="400") as caught:
        await make_extractor().extract(ARTICLE)
    assert caught.value.transient is False


async def test_missing_endpoint_explains_how_to_configure_one() -> None:
    settings = Settings(_env_file=None, OPENAI_API_KEY=None, OPENAI_BASE_URL=None)
    extractor = LLMExtractor(settings, build_openai_client(settings))
    with pytest.raises(ExtractionError, match="PARLEY_EXTRACTOR=rules") as caught:
        await extractor.extract(ARTICLE)
    assert caught.value.transient is False


def test_client_for_local_server_gets_a_placeholder_key_and_settings() -> None:
    settings = make_settings(
        OPENAI_API_KEY=None,
        OPENAI_BASE_URL="http://localhost:11434/v1",
        llm_sdk_retries=3,
        llm_timeout_seconds=12.5,
    )
    client = build_openai_client(settings)
    assert client.api_key
    assert str(client.base_url).startswith("http://localhost:11434/v1")
    assert (client.max_retries, client.timeout) == (3, 12.5)


@pytest.mark.parametrize(
    ("mode", "wrap"),
    [("json_schema", lambda s: s), ("md_json", lambda s: f"Here you go:\n```json\n{s}\n```")],
)
async def test_content_modes_parse_the_message_content(
    llm: respx.MockRouter, mode: str, wrap: Callable[[str], str]
) -> None:
    route = replies(
        llm, httpx.Response(200, json=content_completion(wrap(answer(record(GOOD_QUOTE)))))
    )
    result = await make_extractor(llm_mode=mode).extract(ARTICLE)
    assert len(result.records) == 1
    assert "tools" not in body(route.calls[0])


# -- long articles: one call per chunk, records merged, usage summed --

LONG_TEXT = "\n\n".join(
    f"Round {n} of talks opened in Doha. " + "Delegates discussed the agenda at length. " * 4
    for n in range(1, 31)
)


def answer_for_chunk(request: httpx.Request) -> httpx.Response:
    """Reply with one record per 'Round N' sentence present in the chunk it was sent."""
    user = json.loads(request.content)["messages"][-1]["content"]
    rounds = re.findall(r"Round (\d+) of talks opened in Doha\.", user)
    records = [record(f"Round {n} of talks opened in Doha.", status="ongoing") for n in rounds]
    return httpx.Response(200, json=tool_completion(answer(*records), tokens=(500, 50)))


async def test_long_article_is_extracted_in_chunks_and_merged(llm: respx.MockRouter) -> None:
    route = llm.post("/chat/completions").mock(side_effect=answer_for_chunk)
    article = ArticleInput(
        text=LONG_TEXT, title="Doha talks", published_at=datetime(2024, 1, 5, tzinfo=UTC)
    )
    result = await make_extractor(chunk_chars=2_000, chunk_overlap_chars=400).extract(article)
    calls = route.call_count
    assert calls >= 3
    sent_rounds = [
        re.findall(r"Round (\d+) of", body(c)["messages"][-1]["content"]) for c in route.calls
    ]
    assert sum(map(len, sent_rounds)) > 30, "some rounds must fall in two overlapping chunks"
    assert sorted(int(r.evidence[0].split()[1]) for r in result.records) == list(range(1, 31))
    assert (result.usage.prompt_tokens, result.usage.completion_tokens, result.usage.calls) == (
        500 * calls,
        50 * calls,
        calls,
    )
    for call in route.calls:
        user = body(call)["messages"][-1]["content"]
        assert "Doha talks" in user
        assert "2024-01-05" in user


async def test_output_cut_off_at_the_token_limit_is_not_transient(llm: respx.MockRouter) -> None:
    truncated = tool_completion('{"records": [')
    truncated["choices"][0]["finish_reason"] = "length"
    replies(llm, httpx.Response(200, json=truncated))
    with pytest.raises(ExtractionError, match="cut off") as caught:
        await make_extractor().extract(ARTICLE)
    assert caught.value.transient is False


def test_retry_after_is_read_from_seconds_milliseconds_or_an_http_date() -> None:
    date = "Tue, 10 Sep 2024 08:00:00 GMT"
    assert retry_after_seconds(httpx.Response(429, headers={"retry-after": "3"})) == 3.0
    assert retry_after_seconds(httpx.Response(429, headers={"retry-after-ms": "1500"})) == 1.5
    later = httpx.Response(
        429, headers={"date": date, "retry-after": "Tue, 10 Sep 2024 08:00:30 GMT"}
    )
    assert retry_after_seconds(later) == 30.0
    assert retry_after_seconds(httpx.Response(429)) is None
