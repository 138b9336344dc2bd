"""Batch answers are validated and grounded by the synchronous extractor's own code: a valid
answer gives the records the synchronous path would store, and one the synchronous path would
re-ask about is rejected (it goes to the synchronous path)."""

import json
from typing import Any

import pytest

from app.config import Settings
from app.extraction.batch_answers import BatchAnswerRejected, group, read_lines, settle
from app.extraction.batch_requests import ChunkId
from app.extraction.contract import ArticleInput
from app.extraction.llm import LLMExtractor, build_openai_client
from tests.support.llm import LLM_BASE_URL, chat_completion
from tests.support.samples import RECORD, TEXT

ARTICLE = ArticleInput(text=TEXT)
UNFOUNDED = "Norway agreed to guarantee the accord."


def extractor_for(**overrides: Any) -> LLMExtractor:
    settings = Settings(
        _env_file=None, OPENAI_BASE_URL=LLM_BASE_URL, OPENAI_API_KEY="k", **overrides
    )
    return LLMExtractor(settings, build_openai_client(settings))


def output(*answers: tuple[int, dict[str, Any] | None]) -> bytes:
    lines = []
    for chunk, body in answers:
        custom_id = str(ChunkId(5, chunk, len(answers), "extract-v1"))
        response = {"status_code": 200, "body": body} if body else {"status_code": 500}
        error = None if body else {"message": "model overloaded"}
        lines.append(json.dumps({"custom_id": custom_id, "response": response, "error": error}))
    return "\n".join(lines).encode()


def settled(extractor: LLMExtractor, content: bytes) -> Any:
    answers = group(read_lines(content), "extract-v1")[5]
    return settle(extractor, extractor._settings, ARTICLE, answers)


def test_a_valid_answer_is_grounded_in_the_articles_own_text_with_its_usage() -> None:
    result = settled(extractor_for(), output((1, chat_completion([RECORD]))))

    [record] = result.records
    assert record.evidence == ["made “notable progress” on the second round of talks in Ankara"]
    assert (result.usage.prompt_tokens, result.usage.calls) == (1200, 1)


def test_an_ungrounded_answer_is_rejected_when_the_sync_path_would_reask() -> None:
    answer = chat_completion([{**RECORD, "evidence": [UNFOUNDED]}])

    with pytest.raises(BatchAnswerRejected) as raised:
        settled(extractor_for(llm_reasks=1), output((1, answer)))
    assert raised.value.reason == "invalid"


def test_without_reasks_an_ungrounded_record_is_dropped_as_the_sync_path_drops_it() -> None:
    answer = chat_completion([RECORD, {**RECORD, "evidence": [UNFOUNDED]}])

    result = settled(extractor_for(llm_reasks=0), output((1, answer)))

    assert len(result.records) == 1
    assert [d.reason for d in result.dropped] == ["evidence not found in article"]


def test_a_malformed_or_truncated_answer_is_rejected() -> None:
    malformed = chat_completion([{"kind": "treaty", "evidence": []}])
    truncated = chat_completion([RECORD])
    truncated["choices"][0]["finish_reason"] = "length"

    for answer in (malformed, truncated):
        with pytest.raises(BatchAnswerRejected):
            settled(extractor_for(), output((1, answer)))


def test_an_error_line_or_a_missing_chunk_rejects_the_article() -> None:
    good = chat_completion([RECORD])

    with pytest.raises(BatchAnswerRejected) as errored:
        settled(extractor_for(), output((1, None)))
    answers = group(read_lines(output((1, good), (2, good))), "extract-v1")[5]
    answers.completions.pop(2)
    with pytest.raises(BatchAnswerRejected) as missing:
        settle(extractor_for(), extractor_for()._settings, ARTICLE, answers)

    assert (errored.value.reason, missing.value.reason) == ("request_error", "missing")


def test_answers_to_another_prompt_version_are_ignored() -> None:
    assert group(read_lines(output((1, chat_completion([RECORD])))), "extract-v2") == {}
