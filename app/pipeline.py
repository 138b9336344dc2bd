"""The durable extraction workflow: begin → extract (retried on transient errors) → store.

Every step's result is checkpointed by DBOS, so a process killed mid-way resumes where it
stopped: a finished LLM call is not paid for again, and storing replaces rather than appends.
"""

import asyncio
import logging
import random
from typing import Any

from dbos import DBOS
from dbos._error import DBOSMaxStepRetriesExceeded
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app import runtime
from app.articles import as_utc, attach_page, mark
from app.breaker import CircuitBreaker
from app.db import transaction
from app.errors import ExtractionError
from app.extraction.schemas import ArticleInput, ExtractionResult
from app.fetching.client import Fetched, fetch
from app.fetching.errors import FetchError
from app.fetching.policy import FetchPolicy
from app.ingest.pages import extract_page
from app.limits import TokenBudget
from app.metrics import BREAKER_STATE, EXTRACTION_FAILURES, LLM_CALLS, LLM_TOKENS
from app.models import Article, utcnow
from app.records import store_extraction
from app.relevance import is_relevant

log = logging.getLogger(__name__)


def database_unavailable(exc: BaseException) -> bool:
    """Whether a step failed because a database could not be reached (worth retrying)."""
    return isinstance(exc, OperationalError | InterfaceError | PoolTimeout)


# Steps that touch the database ride out an outage of about two minutes (1 + 2 + ... + 64 s);
# a workflow that still ends in error is re-enqueued by the sweeper (app.jobs).
_DB_RETRIES: dict[str, Any] = {
    "retries_allowed": True,
    "should_retry": database_unavailable,
    "max_attempts": 8,
    "interval_seconds": 1.0,
    "backoff_rate": 2.0,
}


@DBOS.step(name="parley.begin", **_DB_RETRIES)
def begin(article_id: int, job_key: str) -> bool:
    """Mark the article as processing; False when there is nothing left to do.

    The job key guards against a stale job meeting a different article under a reused id
    (a database recreated beside an old queue).
    """
    with transaction(runtime.current().engine) as session:
        article = session.get(Article, article_id)
        if article is None or article.job_key != job_key or article.status in ("done", "failed"):
            return False
        mark(session, article, "processing")
        return True


def _url_to_fetch(article_id: int) -> str | None:
    with transaction(runtime.current().engine) as session:
        article = session.get(Article, article_id)
        return article.url if article is not None and not article.text else None


def _attach(article_id: int, fetched: Fetched) -> bool:
    page = extract_page(fetched.body, fetched.final_url, content_type=fetched.content_type)
    if not page.text.strip():
        raise ExtractionError(f"no article text found at {fetched.final_url}")
    with transaction(runtime.current().engine) as session:
        article = session.get(Article, article_id)
        assert article is not None
        return attach_page(session, article, page) is not None


def _transient(exc: BaseException) -> bool:
    return bool(getattr(exc, "transient", False))


@DBOS.step(
    name="parley.fetch",
    retries_allowed=True,
    max_attempts=3,
    interval_seconds=2.0,
    backoff_rate=2.0,
    should_retry=lambda exc: _transient(exc) or database_unavailable(exc),
)
async def fetch_article(article_id: int) -> bool:
    """Fetch a URL-only article's page and store its text; True when it duplicates another."""
    url = await asyncio.to_thread(_url_to_fetch, article_id)
    if url is None:
        return False
    fetched = await fetch(url, FetchPolicy.from_settings(runtime.current().settings))
    return await asyncio.to_thread(_attach, article_id, fetched)


def _load_input(article_id: int) -> ArticleInput:
    with transaction(runtime.current().engine) as session:
        article = session.get(Article, article_id)
        if article is None or not article.text:
            raise ExtractionError(f"article {article_id} has no text to extract from")
        return ArticleInput(
            text=article.text,
            title=article.title,
            source=article.source,
            published_at=as_utc(article.published_at),
            url=article.url,
        )


@DBOS.step(name="parley.extract", **_DB_RETRIES)
async def extract(article_id: int) -> ExtractionResult:
    """Run the configured extractor; the relevance gate spares the LLM unrelated articles."""
    rt = runtime.current()
    article = await asyncio.to_thread(_load_input, article_id)
    extractor = rt.extractor
    gated = extractor.name == "llm" and rt.settings.relevance_gate
    if gated and not is_relevant(article.text, article.title):
        return ExtractionResult(records=[], extractor="llm", skipped_by_gate=True)
    try:
        result = await extractor.extract(article)
    except ExtractionError as exc:
        if exc.transient:
            rt.breaker.failed()
        _observe_breaker(rt.breaker)
        raise
    rt.breaker.succeeded()
    _observe_breaker(rt.breaker)
    LLM_CALLS.inc(result.usage.calls)
    LLM_TOKENS.labels("prompt").inc(result.usage.prompt_tokens)
    LLM_TOKENS.labels("completion").inc(result.usage.completion_tokens)
    return result


_BREAKER_CODES = {"closed": 0, "half_open": 1, "open": 2}


def _observe_breaker(breaker: CircuitBreaker) -> None:
    BREAKER_STATE.set(_BREAKER_CODES[breaker.state])


# Re-check a spent budget this often, so raising the limit takes effect without a restart.
_BUDGET_RECHECK_SECONDS = 300.0


@DBOS.step(name="parley.hold_back", **_DB_RETRIES)
def hold_back() -> tuple[float, str]:
    """Seconds to wait before calling the provider, and why (0 when we may call now)."""
    rt = runtime.current()
    if rt.extractor.name != "llm":
        return 0.0, ""
    budget = TokenBudget(rt.settings.llm_daily_token_budget)
    with transaction(rt.engine) as session:
        status = budget.status(session)
    if not status.allowed:
        until_reset = (status.resets_at - utcnow()).total_seconds()
        return min(
            max(until_reset, 1.0), _BUDGET_RECHECK_SECONDS
        ), "the daily LLM token budget is spent"
    wait = rt.breaker.wait_time()
    return wait, "the LLM provider is unavailable" if wait > 0 else ""


@DBOS.step(name="parley.breaker_open")
def breaker_open() -> bool:
    """Whether the provider is considered down right now."""
    return runtime.current().breaker.is_open()


@DBOS.step(name="parley.park", **_DB_RETRIES)
def park(article_id: int, reason: str) -> None:
    """Show the article as queued again while it waits (provider down, budget spent)."""
    with transaction(runtime.current().engine) as session:
        article = session.get(Article, article_id)
        if article is not None and article.status == "processing":
            mark(session, article, "queued", f"waiting: {reason}")


@DBOS.step(name="parley.store", **_DB_RETRIES)
def store(article_id: int, result: ExtractionResult) -> int:
    """Store the grounded records; idempotent, so a replay leaves no duplicates."""
    with transaction(runtime.current().engine) as session:
        article = session.get(Article, article_id)
        if article is None:
            return 0
        extraction = store_extraction(session, article, result)
        return len(result.records) - extraction.records_dropped


@DBOS.step(name="parley.fail", **_DB_RETRIES)
def fail(article_id: int, reason: str, category: str) -> None:
    """Mark the article failed with the reason; it can be retried through the API."""
    EXTRACTION_FAILURES.labels(category).inc()
    with transaction(runtime.current().engine) as session:
        article = session.get(Article, article_id)
        if article is not None:
            mark(session, article, "failed", reason[:2000])


def _fetch_failure(exc: Exception) -> str:
    if isinstance(exc, DBOSMaxStepRetriesExceeded) and exc.errors:
        last = exc.errors[-1]
        return f"fetch failed after {exc.max_retries} attempts: {getattr(last, 'message', last)}"
    return f"fetch failed: {getattr(exc, 'message', exc)}"


def retry_delay(attempt: int, base: float, retry_after: float | None) -> float:
    """Exponential backoff with full jitter, never shorter than the provider's Retry-After."""
    backoff = random.uniform(0, base * 2 ** (attempt - 1))  # noqa: S311 (jitter, not crypto)
    return max(backoff, retry_after or 0.0)


@DBOS.workflow(name="parley.process_article")
async def process_article(article_id: int, job_key: str) -> str:
    """Extract and store one article's records.

    Bounds: `job_max_attempts` extraction attempts, each of which may make up to
    (`llm_sdk_retries` + 1) x (`llm_reasks` + 1) calls per chunk. Failures while the breaker
    is open do not count: during an outage articles wait, queued, instead of failing.
    """
    settings = runtime.current().settings
    if not await asyncio.to_thread(begin, article_id, job_key):
        return "skipped"
    try:
        if await fetch_article(article_id):
            return "duplicate"
    except (FetchError, ExtractionError, DBOSMaxStepRetriesExceeded) as exc:
        await asyncio.to_thread(fail, article_id, _fetch_failure(exc), "fetch")
        return "failed"
    attempt, parked = 0, False
    while True:
        wait, reason = await asyncio.to_thread(hold_back)
        if wait > 0:
            if not parked:
                await asyncio.to_thread(park, article_id, reason)
                parked = True
            await DBOS.sleep_async(wait)
            continue
        if parked:
            if not await asyncio.to_thread(begin, article_id, job_key):
                return "skipped"
            parked = False
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
