"""The steps of an article's workflow. DBOS checkpoints each step's result, so a replay after a
crash skips the finished ones; each step that writes owns its transaction and commits once."""

import asyncio
import dataclasses
import time
from dataclasses import dataclass
from typing import Any

from dbos import DBOS
from sqlmodel import Session

from app.articles.accept import attach_page
from app.articles.status import mark
from app.articles.tables import Article, ArticleStatus
from app.db.engine import DATABASE_UNREACHABLE
from app.db.types import as_utc, utcnow
from app.errors import ExtractionError
from app.events.attach import attach_article, detach_article
from app.extraction.breaker import CircuitBreaker
from app.extraction.contract import ArticleInput, ExtractionResult
from app.extraction.relevance import is_relevant
from app.extraction.vocabulary import ExtractorName
from app.fetching.client import Fetched, fetch
from app.fetching.errors import FetchTimeout
from app.fetching.policy import FetchPolicy
from app.observability.metrics import BREAKER_STATE, EXTRACTION_FAILURES, LLM_CALLS, LLM_TOKENS
from app.parsing.isolation import ParserFailed
from app.parsing.pages import extract_page
from app.pipeline.accounting import SYNC, account
from app.pipeline.budget import TokenBudget
from app.records.store import store_extraction
from app.services import bound


def database_unavailable(exc: BaseException) -> bool:
    """Whether a step failed because a database could not be reached (worth retrying)."""
    return isinstance(exc, DATABASE_UNREACHABLE)


def transient(exc: BaseException) -> bool:
    """Whether a Parley error says trying again may help."""
    return bool(getattr(exc, "transient", False))


# Steps that touch the database ride out an outage of about two minutes (1 + 2 + ... + 64 s);
# a workflow that still ends in error is re-enqueued by the sweeper (app.pipeline.queue).
DB_RETRIES: dict[str, Any] = {
    "retries_allowed": True,
    "should_retry": database_unavailable,
    "max_attempts": 8,
    "interval_seconds": 1.0,
    "backoff_rate": 2.0,
}


@DBOS.step(name="parley.begin", **DB_RETRIES)
def begin(article_id: int, job_key: str) -> bool:
    """Mark the article as processing; False when there is nothing left to do.

    The job key guards against a stale job meeting a different article under a reused id
    (a database recreated beside an old queue).
    """
    with bound().transaction() as unit:
        article = unit.session.get(Article, article_id)
        if article is None or article.job_key != job_key or article.status.finished:
            return False
        mark(unit.session, article, ArticleStatus.PROCESSING)
        return True


@dataclass(frozen=True)
class Started:
    """What `start` found: "skipped" (nothing to do), "done" (the relevance gate settled it),
    "fetch" (a URL-only article: fetch, then extract), or "extract", with the first hold-back
    answer (seconds to wait, and why)."""

    outcome: str
    wait: float = 0.0
    reason: str = ""


@DBOS.step(name="parley.start", **DB_RETRIES)
def start(article_id: int, job_key: str) -> Started:
    """`begin`, and for an article that has its text what came next, in the same transaction
    and checkpoint: the relevance gate (an article it turns away is stored, done, here) and the
    first hold-back answer. A step is a checkpoint write; this saves three per article."""
    services = bound()
    with services.transaction() as unit:
        article = unit.session.get(Article, article_id)
        if article is None or article.job_key != job_key or article.status.finished:
            return Started("skipped")
        if not article.text:
            mark(unit.session, article, ArticleStatus.PROCESSING)
            return Started("fetch")
        if turned_away(article.text, article.title):
            store_result(unit.session, article, GATED)
            return Started("done")
        mark(unit.session, article, ArticleStatus.PROCESSING)
        return Started("extract", *wait_before_calling(unit.session))


def turned_away(text: str, title: str | None) -> bool:
    """Whether the relevance gate spares the LLM this article (it applies to the LLM only)."""
    services = bound()
    gated = services.extractor.name == "llm" and services.settings.relevance_gate
    return gated and not is_relevant(text, title)


GATED = ExtractionResult(records=[], extractor=ExtractorName.LLM, skipped_by_gate=True)


def _url_to_fetch(article_id: int) -> str | None:
    with bound().transaction() as unit:
        article = unit.session.get(Article, article_id)
        return article.url if article is not None and not article.text else None


def _attach(article_id: int, fetched: Fetched) -> bool:
    try:
        page = extract_page(fetched.body, fetched.final_url, content_type=fetched.content_type)
    except ParserFailed as exc:
        raise ExtractionError(f"{fetched.final_url}: {exc.message}") from exc
    if not page.text.strip():
        raise ExtractionError(f"no article text found at {fetched.final_url}")
    with bound().transaction() as unit:
        article = unit.session.get(Article, article_id)
        assert article is not None
        return attach_page(unit.session, article, page) is not None


def fetch_deadline() -> float:
    """When an article's fetch must end, all attempts included (`time.monotonic` seconds).

    Not checkpointed on purpose: a worker restarted mid-fetch gives the fetch a new deadline.
    """
    return time.monotonic() + bound().settings.fetch_deadline_seconds


async def _fetch_by(url: str, deadline: float) -> Fetched:
    """One attempt, cut short by the deadline; at the deadline, the fetch is over for good."""
    settings = bound().settings
    policy = FetchPolicy.from_settings(settings)
    remaining = deadline - time.monotonic()
    past = FetchTimeout(
        f"no complete answer within the fetch deadline ({settings.fetch_deadline_seconds:g} s)",
        transient=False,
    )
    if remaining <= 0:
        raise past
    if remaining >= policy.timeout_seconds:
        return await fetch(url, policy)
    try:
        return await fetch(url, dataclasses.replace(policy, timeout_seconds=remaining))
    except FetchTimeout as exc:
        raise past from exc


@DBOS.step(
    name="parley.fetch",
    retries_allowed=True,
    max_attempts=3,
    interval_seconds=2.0,
    backoff_rate=2.0,
    should_retry=lambda exc: transient(exc) or database_unavailable(exc),
)
async def fetch_article(article_id: int, deadline: float) -> bool:
    """Fetch a URL-only article's page and store its text; True when it duplicates another.

    Every attempt ends by `deadline` (see `fetch_deadline`); each one is also bounded by the
    fetch timeout, wall clock, however slowly the server sends (`app.fetching.client`).
    """
    url = await asyncio.to_thread(_url_to_fetch, article_id)
    if url is None:
        return False
    fetched = await _fetch_by(url, deadline)
    return await asyncio.to_thread(_attach, article_id, fetched)


def load_input(article_id: int) -> ArticleInput:
    """What the extractor reads of a stored article; `ExtractionError` when it has no text."""
    with bound().transaction() as unit:
        article = unit.session.get(Article, article_id)
        if article is None or not article.text:
            raise ExtractionError(f"article {article_id} has no text to extract from")
        return ArticleInput(
            text=article.text,
            title=article.title,
            source=article.source,
            published_at=as_utc(article.published_at),
            url=article.url,
        )


@DBOS.step(name="parley.extract", **DB_RETRIES)
async def extract(article_id: int) -> ExtractionResult:
    """Run the configured extractor; the relevance gate spares the LLM unrelated articles."""
    article = await asyncio.to_thread(load_input, article_id)
    return await extract_input(article)


async def extract_input(article: ArticleInput) -> ExtractionResult:
    """The extractor's result for one article, accounted, with the provider's health noted
    by the breaker; `ExtractionError` as the extractor raised it."""
    services = bound()
    if turned_away(article.text, article.title):
        return GATED
    extractor = services.extractor
    try:
        result = await extractor.extract(article)
    except ExtractionError as exc:
        # A lasting error (an answer that never validated) still means the provider answered.
        if exc.transient:
            services.breaker.failed()
        else:
            services.breaker.succeeded()
        _observe_breaker(services.breaker)
        raise
    services.breaker.succeeded()
    _observe_breaker(services.breaker)
    LLM_CALLS.inc(result.usage.calls)
    LLM_TOKENS.labels("prompt").inc(result.usage.prompt_tokens)
    LLM_TOKENS.labels("completion").inc(result.usage.completion_tokens)
    return account(result, services.settings, SYNC)


_BREAKER_CODES = {"closed": 0, "half_open": 1, "open": 2}


def _observe_breaker(breaker: CircuitBreaker) -> None:
    BREAKER_STATE.set(_BREAKER_CODES[breaker.state])


# Why extraction holds back (an article's error reads "waiting: " and one of these).
PROVIDER_DOWN = "the LLM provider is unavailable"
BUDGET_SPENT = "the daily LLM token budget is spent"

# Re-check a spent budget this often, so raising the limit takes effect without a restart.
_BUDGET_RECHECK_SECONDS = 300.0


@DBOS.step(name="parley.hold_back", **DB_RETRIES)
def hold_back() -> tuple[float, str]:
    """Seconds to wait before calling the provider, and why (0 when we may call now)."""
    with bound().transaction() as unit:
        return wait_before_calling(unit.session)


def wait_before_calling(session: Session) -> tuple[float, str]:
    """Seconds to wait before calling the provider, and why, read in `session`."""
    services = bound()
    if services.extractor.name != "llm":
        return 0.0, ""
    status = TokenBudget(services.settings.llm_daily_token_budget).status(session)
    if not status.allowed:
        until_reset = (status.resets_at - utcnow()).total_seconds()
        wait = min(max(until_reset, 1.0), _BUDGET_RECHECK_SECONDS)
        return wait, BUDGET_SPENT
    wait = services.breaker.wait_time()
    return wait, PROVIDER_DOWN if wait > 0 else ""


@DBOS.step(name="parley.breaker_open")
def breaker_open() -> bool:
    """Whether the provider is considered down right now."""
    return bound().breaker.is_tripped()


@DBOS.step(name="parley.park", **DB_RETRIES)
def park(article_id: int, reason: str) -> None:
    """Show the article as queued again while it waits (provider down, budget spent)."""
    with bound().transaction() as unit:
        article = unit.session.get(Article, article_id)
        if article is not None and article.status == ArticleStatus.PROCESSING:
            mark(unit.session, article, ArticleStatus.QUEUED, f"waiting: {reason}")


@DBOS.step(name="parley.store", **DB_RETRIES)
def store(article_id: int, result: ExtractionResult) -> int:
    """Store the grounded records, attach them to events and mark the article done; idempotent,
    so a replay leaves no duplicates and attaches nothing twice. Returns how many were kept."""
    with bound().transaction() as unit:
        article = unit.session.get(Article, article_id)
        if article is None:
            return 0
        return store_result(unit.session, article, result)


def store_result(session: Session, article: Article, result: ExtractionResult) -> int:
    """Replace the article's records by `result`'s, attach them to events and mark the article
    done (flushed, not committed); how many records were kept."""
    article_id = _id(article.id)
    published = article.published_at.date() if article.published_at else None
    left = detach_article(session, article_id)
    extraction = store_extraction(session, article_id, article.text or "", published, result)
    attach_article(session, article_id, left)
    mark(session, article, ArticleStatus.DONE)
    return len(result.records) - extraction.records_dropped


def _id(value: int | None) -> int:
    assert value is not None
    return value


@DBOS.step(name="parley.fail", **DB_RETRIES)
def fail(article_id: int, reason: str, category: str) -> None:
    """Mark the article failed with the reason; it can be retried through the API."""
    EXTRACTION_FAILURES.labels(category).inc()
    with bound().transaction() as unit:
        article = unit.session.get(Article, article_id)
        if article is not None:
            mark(unit.session, article, ArticleStatus.FAILED, reason[:2000])
