"""The durable workflows of an article. One that came as a URL alone is fetched first, on the
fetch queue (begin → fetch → queue the extraction), so a slow site holds a fetch slot and never
an extraction slot. The extraction, on the extraction queue: start (begin; for an article with
its text also the relevance gate and the first hold-back check) → extract (retried on transient
errors, held back while the provider is down or the budget spent) → store: three checkpoints.

Every step's result is checkpointed by DBOS, so a process killed mid-way resumes where it
stopped: a finished LLM call is not paid for again, and storing replaces rather than appends.
"""

import asyncio
import logging
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from dbos import DBOS, SetWorkflowID, error

from app.articles.jobs import ExtractArticle
from app.errors import ExtractionError
from app.fetching.errors import FetchError
from app.pipeline.batch_claims import routed_to_batch
from app.pipeline.steps import (
    begin,
    breaker_open,
    extract,
    fail,
    fetch_article,
    fetch_deadline,
    hold_back,
    park,
    start,
    store,
)
from app.services import bound

EXTRACTION_QUEUE = "extraction"
FETCH_QUEUE = "fetching"
log = logging.getLogger(__name__)


class InFlight:
    """How many workflows run in this process, so stopping an idle worker waits for nothing.

    Process-wide by nature, like DBOS's own registry of running workflows.
    """

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    @contextmanager
    def track(self) -> Iterator[None]:
        """Count the enclosed workflow run."""
        with self._lock:
            self.count += 1
        try:
            yield
        finally:
            with self._lock:
                self.count -= 1


in_flight = InFlight()


def retry_delay(attempt: int, base: float, retry_after: float | None) -> float:
    """Exponential backoff with full jitter, never shorter than the provider's Retry-After."""
    backoff = random.uniform(0, base * 2 ** (attempt - 1))  # noqa: S311 (jitter, not crypto)
    return max(backoff, retry_after or 0.0)


def _fetch_failure(exc: Exception) -> str:
    if isinstance(exc, error.DBOSMaxStepRetriesExceeded) and exc.errors:
        last = exc.errors[-1]
        return f"fetch failed after {exc.max_retries} attempts: {getattr(last, 'message', last)}"
    return f"fetch failed: {getattr(exc, 'message', exc)}"


async def _fetch_or_fail(article_id: int) -> str | None:
    """Fetch a URL-only article's page (an article with text needs none); how the workflow
    ends when that settles the article ("duplicate", "failed"), else None."""
    try:
        if await fetch_article(article_id, fetch_deadline()):
            return "duplicate"
    except (FetchError, ExtractionError, error.DBOSMaxStepRetriesExceeded) as exc:
        await asyncio.to_thread(fail, article_id, _fetch_failure(exc), "fetch")
        return "failed"
    return None


@DBOS.workflow(name="parley.fetch_page")
async def fetch_page(article_id: int, job_key: str, attempts: int) -> str:
    """Fetch a URL-only article's page, then queue its extraction (the same job, fetched)."""
    with in_flight.track():
        if not await asyncio.to_thread(begin, article_id, job_key):
            return "skipped"
        ended = await _fetch_or_fail(article_id)
        if ended is not None:
            return ended
        if await asyncio.to_thread(routed_to_batch, article_id):
            return "fetched, left to a batch"
        job = ExtractArticle(article_id, job_key, attempts, fetch_first=False)
        with SetWorkflowID(job.workflow_id):
            await DBOS.enqueue_workflow_async(
                EXTRACTION_QUEUE, process_article, article_id, job_key
            )
        return "fetched"


@DBOS.workflow(name="parley.process_article")
async def process_article(
    article_id: int, job_key: str, tried: int = 0, backoff: float = 0.0
) -> str:
    """Extract and store one article's records.

    Bounds: `job_max_attempts` extraction attempts, each of which may make up to
    (`llm_sdk_retries` + 1) x (`llm_reasks` + 1) calls per chunk. Failures while the breaker
    is open do not count: during an outage articles wait, queued, instead of failing. An
    article its group handed out after a transient failure comes with that attempt counted
    (`tried`) and waits `backoff` seconds before the next.
    """
    with in_flight.track():
        started = await asyncio.to_thread(start, article_id, job_key)
        if started.outcome in ("skipped", "done"):
            return started.outcome
        if started.outcome == "extract":
            if backoff > 0:
                await DBOS.sleep_async(backoff)
                return await _extract_and_store(article_id, job_key, tried=tried)
            first = (started.wait, started.reason)
            return await _extract_and_store(article_id, job_key, first, tried=tried)
        # A URL-only article queued here (a job sent before fetching had a queue of its own)
        # is still fetched, in this slot.
        ended = await _fetch_or_fail(article_id)
        if ended is not None:
            return ended
        return await _extract_and_store(article_id, job_key)


async def _wait_until_allowed(
    article_id: int, job_key: str, first: tuple[float, str] | None = None
) -> bool:
    """Hold back while the provider is down or the budget spent; False if the job is moot.
    `first` is the first answer when `start` gave it."""
    parked = False
    answer = first
    while True:
        wait, reason = answer if answer is not None else await asyncio.to_thread(hold_back)
        answer = None
        if wait <= 0:
            break
        if not parked:
            await asyncio.to_thread(park, article_id, reason)
            parked = True
        await DBOS.sleep_async(wait)
    return not parked or await asyncio.to_thread(begin, article_id, job_key)


async def _extract_and_store(
    article_id: int, job_key: str, first: tuple[float, str] | None = None, *, tried: int = 0
) -> str:
    settings = bound().settings
    attempt = tried
    while True:
        allowed = await _wait_until_allowed(article_id, job_key, first)
        first = None
        if not allowed:
            return "skipped"
        try:
            result = await extract(article_id)
            break
        except ExtractionError as exc:
            if exc.transient and await asyncio.to_thread(breaker_open):
                continue
            attempt += 1
            if not exc.transient or attempt >= settings.job_max_attempts:
                note = f" after {attempt} attempts" if exc.transient else ""
                category = "attempts_exhausted" if exc.transient else "llm_error"
                await asyncio.to_thread(fail, article_id, f"{exc.message}{note}", category)
                return "failed"
            delay = retry_delay(attempt, settings.job_retry_base_seconds, exc.retry_after)
            log.warning("article %s: %s; retrying in %.1fs", article_id, exc.message, delay)
            await DBOS.sleep_async(delay)
        except Exception as exc:  # a bug must leave a failed article, never a stuck one
            log.exception("article %s: extractor crashed", article_id)
            await asyncio.to_thread(fail, article_id, f"extractor error: {exc!r}", "crash")
            return "failed"
    await asyncio.to_thread(store, article_id, result)
    return "done"
