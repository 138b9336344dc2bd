"""Extracting a bulk upload's articles in groups: one durable workflow per group of up to
`PARLEY_QUEUE_GROUP_SIZE` articles, three checkpoints for the whole group (start → extract →
settle) instead of three per article, and one queue poll.

A group keeps the guarantees of an article's own workflow by handing its hard cases to it: an
article whose LLM call failed transiently (its own job waits the backoff, and counts the
group's try as its first attempt), the articles a group did not try because the provider went
down or the budget ran out meanwhile (`app.pipeline.group_extraction`), and every article of a
group that starts while the provider is down or the budget spent leave the group
(`job_group` cleared) for a job of their own, which waits and retries as always. An answer that
never validated and a crashed extractor fail the article, as they would there. A group settles
only the articles still in it and waiting, so one handed out meanwhile (the sweeper gives a job
of its own to each article of a group whose workflow ended unfinished, say one an operator
cancelled) is never settled twice.
"""

import asyncio
from dataclasses import dataclass

from dbos import DBOS, SetWorkflowID
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.articles.jobs import ExtractArticle
from app.articles.status import mark
from app.articles.tables import Article, ArticleStatus
from app.db.types import utcnow
from app.extraction.contract import ExtractionResult
from app.observability.metrics import EXTRACTION_FAILURES
from app.pipeline.budget import TokenBudget
from app.pipeline.group_extraction import GroupExtraction, Retry, extract_group
from app.pipeline.steps import (
    DB_RETRIES,
    GATED,
    store_result,
    turned_away,
    wait_before_calling,
)
from app.pipeline.workflow import EXTRACTION_QUEUE, in_flight, process_article
from app.services import bound

GROUP_QUEUE = "extraction-groups"
WAITING = (ArticleStatus.QUEUED, ArticleStatus.PROCESSING)


@dataclass(frozen=True)
class GroupStart:
    """What `start_group` found: the articles to extract, why to wait first ("" if not), and
    the tokens the daily budget has left (None: no budget)."""

    article_ids: list[int]
    wait_reason: str = ""
    budget_left: int | None = None


@dataclass(frozen=True)
class OwnJob:
    """An article handed out of its group: its job's arguments, the attempts it has made and
    how long it waits before the next."""

    article_id: int
    job_key: str
    workflow_id: str
    tried: int = 0
    delay: float = 0.0


@DBOS.step(name="parley.group.start", **DB_RETRIES)
def start_group(group: str) -> GroupStart:
    """Mark the group's waiting articles processing, in one transaction; the relevance gate
    stores those it turns away, done. The rest are to extract, unless the provider must not be
    called now."""
    with bound().transaction() as unit:
        session = unit.session
        to_extract = []
        for article in _members(session, group):
            if article.text and turned_away(article.text, article.title):
                store_result(session, article, GATED)
                continue
            mark(session, article, ArticleStatus.PROCESSING)
            to_extract.append(_id(article))
        if not to_extract:
            return GroupStart([])
        wait, reason = wait_before_calling(session)
        return GroupStart(to_extract, reason if wait > 0 else "", _budget_left(session))


def _members(session: Session, group: str) -> list[Article]:
    """The group's articles still in it and waiting, by id."""
    return list(
        session.exec(
            select(Article)
            .where(col(Article.job_group) == group, col(Article.status).in_(WAITING))
            .order_by(col(Article.id))
        ).all()
    )


def _budget_left(session: Session) -> int | None:
    services = bound()
    if services.extractor.name != "llm":
        return None
    status = TokenBudget(services.settings.llm_daily_token_budget).status(session)
    return None if status.limit is None else max(status.limit - status.spent, 0)


@DBOS.step(name="parley.group.settle", **DB_RETRIES)
def settle_group(
    group: str, results: dict[int, ExtractionResult], failed: dict[int, tuple[str, str]]
) -> int:
    """Store every result (the article done) and mark every lasting failure, for the articles
    still in the group and waiting; how many records were kept. Each article is settled in a
    transaction of its own: a whole group's would hold SQLite's write lock for the group's
    length, and a bulk upload accepting meanwhile gave up waiting (seen at 10,800 articles of
    a 50,000-article archive). Run again after a crash, it skips the articles settled."""
    kept = 0
    for article_id in sorted(results.keys() | failed.keys()):
        with bound().transaction() as unit:
            session = unit.session
            article = session.get(Article, article_id)
            if article is None or article.job_group != group or article.status not in WAITING:
                continue
            if article_id in results:
                kept += store_result(session, article, results[article_id])
            else:
                message, category = failed[article_id]
                EXTRACTION_FAILURES.labels(category).inc()
                mark(session, article, ArticleStatus.FAILED, message[:2000])
    return kept


@DBOS.step(name="parley.group.hand_off", **DB_RETRIES)
def hand_off(group: str, waits: dict[int, Retry], reason: str) -> list[OwnJob]:
    """Take the articles of `waits` still waiting in the group out of it, queued again with
    their retry's message (else `reason`); the job each now needs."""
    jobs = []
    with bound().transaction() as unit:
        session = unit.session
        for article in _members(session, group):
            article_id = _id(article)
            if article_id not in waits:
                continue
            retry = waits[article_id]
            note = f"{retry.message}; retrying on its own" if retry.message else reason
            session.connection().execute(
                update(Article)
                .where(col(Article.id) == article_id)
                .values(job_group=None, status=ArticleStatus.QUEUED, error=note[:2000])
                .values(updated_at=utcnow())
            )
            job = ExtractArticle(article_id, article.job_key, article.attempts, False)
            tried = 1 if retry.message and retry.counted else 0
            jobs.append(OwnJob(article_id, job.job_key, job.workflow_id, tried, retry.delay))
    return jobs


@DBOS.workflow(name="parley.process_group")
async def process_group(group: str) -> str:
    """Extract and settle a group of articles (see the module docstring); `group` is the
    workflow's id and the articles' `job_group`."""
    with in_flight.track():
        started = await asyncio.to_thread(start_group, group)
        if started.wait_reason:
            await _hand_off(group, started.article_ids, started.wait_reason)
            return f"{len(started.article_ids)} handed off ({started.wait_reason})"
        if not started.article_ids:
            return "nothing to extract"
        outcome: GroupExtraction = await extract_group(started.article_ids, started.budget_left)
        if outcome.results or outcome.failed:
            await asyncio.to_thread(settle_group, group, outcome.results, outcome.failed)
        await _hand_off(group, outcome.held, outcome.held_reason, outcome.retry)
        return (
            f"{len(outcome.results)} done, {len(outcome.failed)} failed, "
            f"{len(outcome.retry)} retried, {len(outcome.held)} held back"
        )


async def _hand_off(
    group: str, held: list[int], reason: str, retries: dict[int, Retry] | None = None
) -> None:
    """Give each article a job of its own on the extraction queue: the `held` ones (not tried,
    for `reason`) and those of `retries`."""
    waits = {article_id: Retry("", 0.0) for article_id in held} | (retries or {})
    if not waits:
        return
    for job in await asyncio.to_thread(hand_off, group, waits, f"waiting: {reason}"):
        with SetWorkflowID(job.workflow_id):
            await DBOS.enqueue_workflow_async(
                EXTRACTION_QUEUE, process_article, job.article_id, job.job_key, job.tried, job.delay
            )


def _id(article: Article) -> int:
    assert article.id is not None
    return article.id
