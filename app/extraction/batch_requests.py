"""Batch API input: one JSONL request per chunk of an article, the very request the synchronous
path makes first, and the input files those lines are packed into within the API's limits.

A request's `custom_id` names the article, the chunk (of how many) and the prompt version, so
an answer can be matched to its chunk whatever order the output file comes back in, and an
answer to another prompt version is never taken for this one's.
"""

import json
import re
from dataclasses import dataclass
from typing import Final

from app.config import Settings
from app.extraction.chunking import split
from app.extraction.contract import ArticleInput
from app.extraction.llm import LLMExtractor
from app.extraction.prompts import Part

ENDPOINT: Final = "/v1/chat/completions"
_CUSTOM_ID = re.compile(r"^article-(\d+)-chunk-(\d+)-of-(\d+)-(.+)$")


@dataclass(frozen=True)
class ChunkId:
    """Which chunk of which article a request asks about, under which prompt version."""

    article_id: int
    chunk: int
    chunks: int
    prompt_version: str

    def __str__(self) -> str:
        return (
            f"article-{self.article_id}-chunk-{self.chunk}-of-{self.chunks}-{self.prompt_version}"
        )

    @classmethod
    def parse(cls, custom_id: str) -> "ChunkId | None":
        """The chunk a `custom_id` names, or None when it is not one of ours."""
        match = _CUSTOM_ID.match(custom_id)
        if match is None:
            return None
        article, chunk, chunks, version = match.groups()
        return cls(int(article), int(chunk), int(chunks), version)


def article_lines(
    extractor: LLMExtractor, settings: Settings, article_id: int, article: ArticleInput
) -> list[bytes]:
    """The JSONL request lines of one article: one per chunk (see `app.extraction.chunking`)."""
    chunks = split(article.text, settings.chunk_chars, settings.chunk_overlap_chars)
    lines = []
    for number, chunk in enumerate(chunks, start=1):
        custom_id = ChunkId(article_id, number, len(chunks), extractor.prompt.version)
        body = extractor.request_body(article, chunk.text, Part(number, len(chunks)))
        request = {"custom_id": str(custom_id), "method": "POST", "url": ENDPOINT, "body": body}
        line = json.dumps(request, ensure_ascii=False, separators=(",", ":")) + "\n"
        lines.append(line.encode())
    return lines


@dataclass
class Packing:
    """Article ids per input file (an article's chunks stay in one file), and the articles
    whose requests alone exceed a file's limits."""

    files: list[list[int]]
    too_large: list[int]


def pack(articles: list[tuple[int, list[bytes]]], max_requests: int, max_bytes: int) -> Packing:
    """Fill files in order, starting a new one when the next article would break a limit."""
    packing = Packing(files=[], too_large=[])
    current: list[int] = []
    requests = size = 0
    for article_id, lines in articles:
        need = sum(len(line) for line in lines)
        if len(lines) > max_requests or need > max_bytes:
            packing.too_large.append(article_id)
            continue
        if current and (requests + len(lines) > max_requests or size + need > max_bytes):
            packing.files.append(current)
            current, requests, size = [], 0, 0
        current.append(article_id)
        requests += len(lines)
        size += need
    if current:
        packing.files.append(current)
    return packing
