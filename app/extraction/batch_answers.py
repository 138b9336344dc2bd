"""Batch API output: answer lines read one at a time, and an article's answers validated and
grounded exactly as the synchronous path validates its answers (`LLMExtractor.read_answer`).

An article is settled from the batch only when every chunk has a valid answer; otherwise
`BatchAnswerRejected` says why, and the caller sends the article to the synchronous path.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from app.config import Settings
from app.errors import ExtractionError
from app.extraction.batch_requests import ChunkId
from app.extraction.chunking import merge, split
from app.extraction.contract import ArticleInput, Dropped, ExtractedRecord, ExtractionResult, Usage
from app.extraction.grounding import TextIndex
from app.extraction.llm import LLMExtractor
from app.extraction.vocabulary import ExtractorName


class BatchAnswerRejected(ExtractionError):
    """A batch answer that cannot be stored: missing, an error, or invalid."""

    def __init__(self, message: str, reason: str, usage: Usage | None = None) -> None:
        super().__init__(message, transient=False)
        self.reason = reason
        # What the rejected answers cost: they were paid for all the same.
        self.usage = usage or Usage()


@dataclass
class AnswerLine:
    """One line of an output or error file: the chunk's completion, or why there is none."""

    chunk: ChunkId
    completion: dict[str, Any] | None
    error: str | None


def read_lines(content: bytes) -> Iterator[AnswerLine]:
    """The lines of an output or error file that answer one of our requests."""
    for raw in content.splitlines():
        if not raw.strip():
            continue
        line = json.loads(raw)
        chunk = ChunkId.parse(str(line.get("custom_id", "")))
        if chunk is None:
            continue
        response = line.get("response") or {}
        body = response.get("body")
        if response.get("status_code") == 200 and isinstance(body, dict):
            yield AnswerLine(chunk, body, None)
            continue
        error = line.get("error") or (body or {}).get("error") or {}
        message = error.get("message") if isinstance(error, dict) else str(error)
        yield AnswerLine(chunk, None, message or f"status {response.get('status_code')}")


@dataclass
class ArticleAnswers:
    """The answers that came back for one article, by chunk number."""

    completions: dict[int, dict[str, Any]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    chunks: int = 0


def group(lines: Iterator[AnswerLine], prompt_version: str) -> dict[int, ArticleAnswers]:
    """Answers by article id; lines of another prompt version are ignored."""
    answers: dict[int, ArticleAnswers] = {}
    for line in lines:
        if line.chunk.prompt_version != prompt_version:
            continue
        entry = answers.setdefault(line.chunk.article_id, ArticleAnswers())
        entry.chunks = line.chunk.chunks
        if line.completion is not None:
            entry.completions[line.chunk.chunk] = line.completion
        else:
            entry.errors.append(line.error or "error")
    return answers


def settle(
    extractor: LLMExtractor, settings: Settings, article: ArticleInput, answers: ArticleAnswers
) -> ExtractionResult:
    """The article's result from its batch answers; raises `BatchAnswerRejected`."""
    if answers.errors:
        raise BatchAnswerRejected(f"batch request failed: {answers.errors[0]}", "request_error")
    chunks = split(article.text, settings.chunk_chars, settings.chunk_overlap_chars)
    if answers.chunks != len(chunks) or len(answers.completions) != len(chunks):
        raise BatchAnswerRejected("batch answers are missing for some chunks", "missing")
    index = TextIndex(article.text)
    usage, dropped = Usage(), list[Dropped]()
    found: list[list[ExtractedRecord]] = []
    for number in range(1, len(chunks) + 1):
        try:
            found.append(extractor.read_answer(answers.completions[number], index, usage, dropped))
        except ExtractionError as exc:
            raise BatchAnswerRejected(exc.message, "invalid", usage) from exc
    return ExtractionResult(
        records=merge(found),
        extractor=ExtractorName.LLM,
        model=settings.llm_model,
        prompt_version=extractor.prompt.version,
        usage=usage,
        dropped=dropped,
    )
