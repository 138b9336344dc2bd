"""Extracting a bulk upload's articles in groups: one durable workflow per group of
`PARLEY_QUEUE_GROUP_SIZE` articles, three checkpoints for the whole group (start → extract →
store) instead of three per article, and the group's records stored in one transaction.

A group keeps the guarantees of an article's own workflow by handing its hard cases to it: an
article whose LLM call failed transiently, and every article of a group that starts while the
provider is down or the budget spent, leaves the group (`job_group` cleared) and gets a job of
its own, which retries, waits and counts attempts as always. An answer that never validated
and a crashed extractor fail the article, as they would there. A group whose workflow ended
with articles still in it is found by the sweeper, which gives each a job of its own.
"""

import asyncio
import logging
from dataclasses import dataclass, field

from dbos import DBOS, SetWorkflowID
from sqlalchemy import update
from sqlmodel import col, select

from app.articles.jobs import ExtractArticle
from app.articles.status import mark
from app.articles.tables import Article, ArticleStatus
from app.db.types import utcnow
from app.errors import ExtractionError
from app.extraction.contract import ArticleInput, ExtractionResult
from app.pipeline.steps import (
    DB_RETRIES,
    GATED,
    extract_input,
    fail,
    load_input,
    store_result,
    turned_away,
    wait_before_calling,
)
from app.pipeline.workflow import EXTRACTION_QUEUE, in_flight, process_article
from app.services import bound

GROUP_QUEUE = "extraction-groups"
WAITING = (ArticleStatus.QUEUED, ArticleStatus.PROCESSING)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GroupStart:
    """What `start_group` found: the articles to extract, and why to wait first ("" if not)."""

    article_ids: list[int]
    wait_reason: str = ""


@dataclass
class GroupExtraction:
    """Each article's outcome: a result, a transient error (for a job of its own), or a
    lasting failure (message and category, as `fail` takes them)."""

    results: dict[int, ExtractionResult] = field(default_factory=dict)
    retry: dict[int, str] = field(default_factory=dict)
    failed: dict[int, tuple[str, str]] = field(default_factory=dict)


@DBOS.step(name="parley.group.start", **DB_RETRIES)
def start_group(group: str) -> GroupStart:
    """Mark the group's waiting articles processing, in one transaction; the relevance gate
    stores those it turns away, done. The rest are to extract, unless the provider must not be
    called now."""
    with bound().transaction() as unit:
        session = unit.session
        members = session.exec(
            select(Article)
            .where(col(Article.job_group) == group, col(Article.status).in_(WAITING))
            .order_by(col(Article.id))
        ).all()
        to_extract = []
        for article in members:
            if article.text and turned_away(article.text, article.title):
                store_result(session, article, GATED)
                continue
            mark(session, article, ArticleStatus.PROCESSING)
            to_extract.append(_id(article))
        wait, reason = wait_before_calling(session) if to_extract else (0.0, "")
        return GroupStart(to_extract, reason if wait > 0 else "")


@DBOS.step(name="parley.group.extract", **DB_RETRIES)
async def extract_group(article_ids: list[int]) -> GroupExtraction:
    """Run the extractor on each article in turn, one call at a time (the group queue runs as
    many groups as the extraction queue runs jobs); one checkpoint holds every outcome."""
    inputs = await asyncio.to_thread(_load_inputs, article_ids)
    outcome = GroupExtraction()
    for article_id in article_ids:
        article = inputs[article_id]
        try:
            if isinstance(article, ExtractionError):
                raise article
            outcome.results[article_id] = await extract_input(article)
        except ExtractionError as exc:
            if exc.transient:
                outcome.retry[article_id] = exc.message
            else:
                outcome.failed[article_id] = (exc.message, "llm_error")
        except Exception as exc:  # a bug must leave a failed article, never a stuck one
            log.exception("article %s: extractor crashed", article_id)
            outcome.failed[article_id] = (f"extractor error: {exc!r}", "crash")
    return outcome


def _load_inputs(article_ids: list[int]) -> dict[int, ArticleInput | ExtractionError]:
    loaded: dict[int, ArticleInput | ExtractionError] = {}
    for article_id in article_ids:
        try:
            loaded[article_id] = load_input(article_id)
        except ExtractionError as exc:
            loaded[article_id] = exc
    return loaded


@DBOS.step(name="parley.group.store", **DB_RETRIES)
def store_group(results: dict[int, ExtractionResult]) -> int:
    """Store every result and mark its article done, in one transaction (idempotent, as the
    article's own store step); how many records were kept."""
    kept = 0
    with bound().transaction() as unit:
        for article_id in sorted(results):
            article = unit.session.get(Article, article_id)
            if article is not None:
                kept += store_result(unit.session, article, results[article_id])
    return kept


@DBOS.step(name="parley.group.hand_off", **DB_RETRIES)
def hand_off(group: str, article_ids: list[int], reason: str) -> list[tuple[int, str, str]]:
    """Take the articles still waiting in the group out of it, queued again with `reason`;
    (article id, job key, workflow id) of the job each now needs."""
    jobs = []
    with bound().transaction() as unit:
        session = unit.session
        session.connection().execute(
            update(Article)
            .where(col(Article.id).in_(article_ids), col(Article.job_group) == group)
            .where(col(Article.status).in_(WAITING))
            .values(job_group=None, status=ArticleStatus.QUEUED, error=reason, updated_at=utcnow())
        )
        for article_id in article_ids:
            article = session.get(Article, article_id)
            if article is not None and article.job_group is None and not article.status.finished:
                job = ExtractArticle.of(article)
                jobs.append((article_id, job.job_key, job.workflow_id))
    return jobs


@DBOS.workflow(name="parley.process_group")
async def process_group(group: str) -> str:
    """Extract and store a group of articles (see the module docstring); `group` is the
    workflow's id and the articles' `job_group`."""
    with in_flight.track():
        started = await asyncio.to_thread(start_group, group)
        if started.wait_reason:
            waiting = f"waiting: {started.wait_reason}"
            await _hand_off(group, started.article_ids, waiting)
            return f"{len(started.article_ids)} handed off ({started.wait_reason})"
        if not started.article_ids:
            return "nothing to extract"
        outcome = await extract_group(started.article_ids)
        if outcome.results:
            await asyncio.to_thread(store_group, outcome.results)
        for article_id, (message, category) in sorted(outcome.failed.items()):
            await asyncio.to_thread(fail, article_id, message, category)
        retry = sorted(outcome.retry)
        await _hand_off(group, retry, "retrying on its own after a transient LLM error")
        return f"{len(outcome.results)} done, {len(outcome.failed)} failed, {len(retry)} retried"


async def _hand_off(group: str, article_ids: list[int], reason: str) -> None:
    """Give each article a job of its own on the extraction queue."""
    if not article_ids:
        return
    for article_id, job_key, workflow_id in await asyncio.to_thread(
        hand_off, group, article_ids, reason
    ):
        with SetWorkflowID(workflow_id):
            await DBOS.enqueue_workflow_async(
                EXTRACTION_QUEUE, process_article, article_id, job_key
            )


def _id(article: Article) -> int:
    assert article.id is not None
    return article.id
