"""Batch API request lines: the synchronous path's own request, one per chunk, named by a
custom_id, packed into files within the request and byte limits."""

import json
from typing import Any

import pytest
import respx

from app.config import Settings
from app.extraction.batch_requests import ENDPOINT, ChunkId, article_lines, pack
from app.extraction.contract import ArticleInput
from app.extraction.llm import LLMExtractor, build_openai_client
from tests.support.llm import LLM_BASE_URL, llm_reply
from tests.support.samples import RECORD, TEXT


def extractor_for(**overrides: Any) -> LLMExtractor:
    values: dict[str, Any] = {"OPENAI_BASE_URL": LLM_BASE_URL, "OPENAI_API_KEY": "k"}
    settings = Settings(_env_file=None, llm_sdk_retries=0, **values, **overrides)
    return LLMExtractor(settings, build_openai_client(settings))


@pytest.mark.parametrize("mode", ["tools", "json_schema", "md_json"])
async def test_a_request_line_carries_exactly_the_synchronous_request(mode: str) -> None:
    extractor = extractor_for(llm_mode=mode)
    article = ArticleInput(text=TEXT, title="Talks", source="Wire")
    with respx.mock(base_url=LLM_BASE_URL) as llm:
        route = llm.post("/chat/completions").mock(side_effect=llm_reply([RECORD]))
        await extractor.extract(article)
    sent = json.loads(route.calls[0].request.content)

    [line] = article_lines(extractor, extractor._settings, 7, article)
    request = json.loads(line)

    assert request["body"] == sent
    assert (request["method"], request["url"]) == ("POST", ENDPOINT)
    assert ChunkId.parse(request["custom_id"]) == ChunkId(7, 1, 1, "extract-v1")


def test_a_long_article_is_one_request_per_chunk_each_naming_its_chunk() -> None:
    extractor = extractor_for(chunk_chars=2_000, chunk_overlap_chars=0)
    text = " ".join(f"Sentence number {n} about the talks." for n in range(300))

    lines = article_lines(extractor, extractor._settings, 3, ArticleInput(text=text))

    ids = [ChunkId.parse(json.loads(line)["custom_id"]) for line in lines]
    assert len(ids) > 2
    assert [(c.article_id, c.chunk, c.chunks) for c in ids if c] == [
        (3, n, len(lines)) for n in range(1, len(lines) + 1)
    ]


def test_a_custom_id_not_ours_is_not_read_as_a_chunk() -> None:
    assert ChunkId.parse("request-1") is None
    assert ChunkId.parse(str(ChunkId(12, 2, 3, "extract-v2"))) == ChunkId(12, 2, 3, "extract-v2")


def test_files_are_split_by_requests_and_by_bytes_keeping_an_articles_chunks_together() -> None:
    articles = [(1, [b"x" * 10] * 2), (2, [b"x" * 10]), (3, [b"x" * 30]), (4, [b"x" * 5])]

    by_requests = pack(articles, max_requests=3, max_bytes=1_000)
    by_bytes = pack(articles, max_requests=100, max_bytes=34)

    assert by_requests.files == [[1, 2], [3, 4]]
    assert by_bytes.files == [[1, 2], [3], [4]]


def test_an_article_larger_than_a_file_is_set_aside() -> None:
    packing = pack([(1, [b"x" * 50]), (2, [b"x"] * 4), (3, [b"x"])], max_requests=3, max_bytes=40)

    assert packing.files == [[3]]
    assert packing.too_large == [1, 2]
