"""A group's extract step: each article's LLM call in turn, every outcome in one checkpoint.

The group stops calling, and leaves its remaining articles to jobs of their own, as soon as an
article's own job would hold back: the breaker opens (the provider is down), or the group's
own spending reaches what the daily budget had left when it started (the ledger counts an
extraction only once it is stored, and a group stores at its end).
"""

import asyncio
import logging
from dataclasses import dataclass, field

from dbos import DBOS

from app.errors import ExtractionError
from app.extraction.contract import ArticleInput, ExtractionResult
from app.pipeline.steps import (
    BUDGET_SPENT,
    DB_RETRIES,
    PROVIDER_DOWN,
    extract_input,
    load_input,
)
from app.pipeline.workflow import retry_delay
from app.services import Services, bound

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Retry:
    """A transient failure: the article's own job tries again after `delay` seconds, this
    try counted as its first attempt unless the breaker had opened (as an article's own job
    does not count failures during an outage)."""

    message: str
    delay: float
    counted: bool = True


@dataclass
class GroupExtraction:
    """Each article's outcome: a result, a transient failure, a lasting one (message and
    category, as `fail` takes them), or not tried (`held`, for `held_reason`)."""

    results: dict[int, ExtractionResult] = field(default_factory=dict)
    retry: dict[int, Retry] = field(default_factory=dict)
    failed: dict[int, tuple[str, str]] = field(default_factory=dict)
    held: list[int] = field(default_factory=list)
    held_reason: str = ""

    @property
    def tokens(self) -> int:
        """Tokens the results spent."""
        return sum(r.usage.prompt_tokens + r.usage.completion_tokens for r in self.results.values())


@DBOS.step(name="parley.group.extract", **DB_RETRIES)
async def extract_group(article_ids: list[int], budget_left: int | None) -> GroupExtraction:
    """Run the extractor on each article in turn, one call at a time (the group queue runs as
    many groups as the extraction queue runs jobs), until it should hold back."""
    services = bound()
    inputs = await asyncio.to_thread(_load_inputs, article_ids)
    outcome = GroupExtraction()
    for number, article_id in enumerate(article_ids):
        reason = _hold_back(services, outcome, budget_left)
        if reason:
            outcome.held, outcome.held_reason = article_ids[number:], reason
            break
        await _extract_one(services, article_id, inputs[article_id], outcome)
    return outcome


async def _extract_one(
    services: Services,
    article_id: int,
    article: ArticleInput | ExtractionError,
    outcome: GroupExtraction,
) -> None:
    try:
        if isinstance(article, ExtractionError):
            raise article
        outcome.results[article_id] = await extract_input(article)
    except ExtractionError as exc:
        if not exc.transient:
            outcome.failed[article_id] = (exc.message, "llm_error")
            return
        settings, counted = services.settings, not services.breaker.is_tripped()
        if counted and settings.job_max_attempts <= 1:
            outcome.failed[article_id] = (f"{exc.message} after 1 attempts", "attempts_exhausted")
            return
        delay = retry_delay(1, settings.job_retry_base_seconds, exc.retry_after)
        outcome.retry[article_id] = Retry(exc.message, delay, counted)
        log.warning("article %s: %s; retrying on its own in %.1fs", article_id, exc.message, delay)
    except Exception as exc:  # a bug must leave a failed article, never a stuck one
        log.exception("article %s: extractor crashed", article_id)
        outcome.failed[article_id] = (f"extractor error: {exc!r}", "crash")


def _hold_back(services: Services, outcome: GroupExtraction, budget_left: int | None) -> str:
    """Why the group must stop calling the provider now ("" if it may go on)."""
    if services.extractor.name != "llm":
        return ""
    if services.breaker.is_tripped():
        return PROVIDER_DOWN
    if budget_left is not None and outcome.tokens >= budget_left:
        return BUDGET_SPENT
    return ""


def _load_inputs(article_ids: list[int]) -> dict[int, ArticleInput | ExtractionError]:
    loaded: dict[int, ArticleInput | ExtractionError] = {}
    for article_id in article_ids:
        try:
            loaded[article_id] = load_input(article_id)
        except ExtractionError as exc:
            loaded[article_id] = exc
    return loaded
