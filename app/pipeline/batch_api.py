"""The steps that talk to the OpenAI Batch API: plan the input files, upload them, create the
batches (never the same one twice), poll them, and read their answers.

Every step's result is checkpointed by DBOS. Creating a batch is the one call that must not be
repeated: a worker killed after the API created it but before the checkpoint finds it again on
resume by the deterministic key it carries in `metadata`.
"""

import asyncio
from dataclasses import dataclass, field
from typing import Any

import openai
from dbos import DBOS

from app.errors import ExtractionError
from app.extraction.batch_answers import (
    ArticleAnswers,
    BatchAnswerRejected,
    group,
    read_lines,
    settle,
)
from app.extraction.batch_requests import ENDPOINT, article_lines, pack
from app.extraction.contract import ArticleInput, ExtractionResult
from app.extraction.llm import LLMExtractor
from app.extraction.relevance import is_relevant
from app.extraction.vocabulary import ExtractorName
from app.observability.metrics import BATCHES
from app.pipeline.accounting import BATCH, account, spend
from app.pipeline.steps import database_unavailable, load_input
from app.services import Services, bound

KEY_FIELD = "parley_batch"
FINISHED = {"completed", "failed", "expired", "cancelled"}
# Recent batches searched for one created before a crash (the list is newest first).
_RECENT_BATCHES = 100
_UPLOAD_TIMEOUT_SECONDS = 600.0
_TRANSIENT = (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError)


def _retry(exc: BaseException) -> bool:
    return isinstance(exc, _TRANSIENT) or database_unavailable(exc)


API_RETRIES: dict[str, Any] = {
    "retries_allowed": True,
    "should_retry": _retry,
    "max_attempts": 8,
    "interval_seconds": 2.0,
    "backoff_rate": 2.0,
}


def _llm(services: Services) -> tuple[LLMExtractor, openai.AsyncOpenAI]:
    extractor, client = services.extractor, services.openai
    if not isinstance(extractor, LLMExtractor) or client is None:
        raise ExtractionError("batch extraction needs the LLM extractor", transient=False)
    return extractor, client


@dataclass
class Plan:
    """How a batch's articles go: input files of article ids, and those settled without one."""

    files: list[list[int]] = field(default_factory=list)
    too_large: list[int] = field(default_factory=list)
    gated: list[int] = field(default_factory=list)


def _inputs(article_ids: list[int]) -> list[tuple[int, ArticleInput]]:
    return [(article_id, load_input(article_id)) for article_id in article_ids]


@DBOS.step(name="parley.batch.plan", **API_RETRIES)
def plan(article_ids: list[int]) -> Plan:
    """Split the claimed articles into input files within the API's limits; the relevance
    gate spares the Batch API unrelated articles, as it spares the synchronous path."""
    services = bound()
    settings = services.settings
    extractor, _ = _llm(services)
    result, lines = Plan(), []
    for article_id, article in _inputs(article_ids):
        if settings.relevance_gate and not is_relevant(article.text, article.title):
            result.gated.append(article_id)
            continue
        lines.append((article_id, article_lines(extractor, settings, article_id, article)))
    packing = pack(lines, settings.llm_batch_max_requests, settings.llm_batch_max_bytes)
    result.files, result.too_large = packing.files, packing.too_large
    return result


def gated_result() -> ExtractionResult:
    """What the relevance gate stores for an article it kept from the LLM."""
    return ExtractionResult(records=[], extractor=ExtractorName.LLM, skipped_by_gate=True)


@DBOS.step(name="parley.batch.upload", **API_RETRIES)
async def upload(file_key: str, article_ids: list[int]) -> str:
    """Upload one input file (its lines rebuilt from the articles); the file id."""
    services = bound()
    extractor, client = _llm(services)
    inputs = await asyncio.to_thread(_inputs, article_ids)
    content = b"".join(
        line
        for article_id, article in inputs
        for line in article_lines(extractor, services.settings, article_id, article)
    )
    uploaded = await client.files.create(
        file=(f"{file_key}.jsonl", content, "application/jsonl"),
        purpose="batch",
        timeout=_UPLOAD_TIMEOUT_SECONDS,
    )
    return uploaded.id


async def _find(client: openai.AsyncOpenAI, file_key: str) -> str | None:
    page = await client.batches.list(limit=_RECENT_BATCHES)
    for batch in page.data:
        if (batch.metadata or {}).get(KEY_FIELD) == file_key:
            return batch.id
    return None


@DBOS.step(name="parley.batch.create", **API_RETRIES)
async def create(file_key: str, file_id: str) -> str:
    """Create the batch for an uploaded file, or find the one a killed worker created; its id."""
    _, client = _llm(bound())
    found = await _find(client, file_key)
    if found is not None:
        return found
    batch = await client.batches.create(
        input_file_id=file_id,
        endpoint=ENDPOINT,
        completion_window="24h",
        metadata={KEY_FIELD: file_key},
    )
    return batch.id


@dataclass(frozen=True)
class BatchState:
    """Where a batch stands, and its files once it has ended."""

    status: str
    output_file_id: str | None = None
    error_file_id: str | None = None

    @property
    def finished(self) -> bool:
        """Whether the batch will change no more."""
        return self.status in FINISHED


@DBOS.step(name="parley.batch.poll", **API_RETRIES)
async def poll(batch_id: str) -> BatchState:
    """The batch's status (counted once it has ended)."""
    _, client = _llm(bound())
    batch = await client.batches.retrieve(batch_id)
    state = BatchState(batch.status, batch.output_file_id, batch.error_file_id)
    if state.finished:
        BATCHES.labels(state.status).inc()
    return state


@dataclass
class Outcome:
    """A finished batch's articles: the results to store, and why the others were rejected."""

    results: dict[int, ExtractionResult] = field(default_factory=dict)
    rejected: dict[int, str] = field(default_factory=dict)


async def _answers(client: openai.AsyncOpenAI, state: BatchState) -> bytes:
    content = b""
    for file_id in (state.output_file_id, state.error_file_id):
        if file_id:
            content += (await client.files.content(file_id)).content + b"\n"
    return content


@DBOS.step(name="parley.batch.read", **API_RETRIES)
async def read(state: BatchState, article_ids: list[int]) -> Outcome:
    """Read the output and error files line by line and settle each article: validated and
    grounded like a synchronous answer, or rejected (missing, an error, invalid)."""
    services = bound()
    extractor, client = _llm(services)
    content = await _answers(client, state)
    answers = group(read_lines(content), extractor.prompt.version)
    inputs = await asyncio.to_thread(_inputs, article_ids)
    outcome = Outcome()
    missing = "missing" if state.status == "completed" else state.status
    for article_id, article in inputs:
        entry = answers.get(article_id, ArticleAnswers())
        if not entry.completions and not entry.errors:
            outcome.rejected[article_id] = missing
            continue
        try:
            result = settle(extractor, services.settings, article, entry)
        except BatchAnswerRejected as exc:
            outcome.rejected[article_id] = exc.reason
            spend(exc.usage, services.settings, BATCH)
            continue
        outcome.results[article_id] = account(result, services.settings, BATCH)
    return outcome
