"""Which articles wait for a batch, which batch claimed them, and handing them back to the
synchronous path. An article is left to the batch collector when batching is on
(`PARLEY_LLM_BATCH=auto` and the LLM extractor), it was sent in mode "batch", and it has text
(a URL-only article is fetched first, by its fetch workflow)."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from dbos import DBOS
from sqlalchemy import ColumnElement, Engine, and_, func, update
from sqlmodel import Session, col, select

from app.articles.jobs import ExtractArticle
from app.articles.tables import Article, ArticleStatus
from app.config import Settings
from app.db.types import as_utc, utcnow
from app.observability.metrics import BATCH_FALLBACKS
from app.pipeline.steps import DB_RETRIES
from app.services import bound

BATCH = "batch"
WAITING = (ArticleStatus.QUEUED, ArticleStatus.PROCESSING)


def batching(settings: Settings) -> bool:
    """Whether batch-mode articles go through the Batch API in this configuration."""
    return settings.llm_batch == "auto" and settings.extractor == "llm"


def left_to_batch() -> ColumnElement[bool]:
    """SQL: the article waits for (or is in) a batch, not for a job of its own."""
    return and_(col(Article.extraction_mode) == BATCH, col(Article.text).is_not(None))


def claimed_by_batch() -> ColumnElement[bool]:
    """SQL: a batch workflow has claimed the article."""
    return and_(left_to_batch(), col(Article.batch_key).is_not(None))


def _unclaimed() -> tuple[ColumnElement[bool], ...]:
    return (left_to_batch(), col(Article.batch_key).is_(None), col(Article.status).in_(WAITING))


def due(engine: Engine, settings: Settings) -> bool:
    """Whether a batch should start: enough articles wait, or the oldest waited long enough."""
    with Session(engine) as session:
        count, oldest = session.exec(
            select(func.count(), func.min(Article.created_at)).where(*_unclaimed())
        ).one()
    if not count:
        return False
    oldest_at = as_utc(oldest)
    if count >= settings.llm_batch_max_articles or oldest_at is None:
        return True
    return utcnow() - oldest_at >= timedelta(seconds=settings.llm_batch_wait_seconds)


@DBOS.step(name="parley.batch.routed", **DB_RETRIES)
def routed_to_batch(article_id: int) -> bool:
    """Whether a just-fetched article is left to the batch collector (no extraction job)."""
    services = bound()
    if not batching(services.settings):
        return False
    with services.transaction() as unit:
        article = unit.session.get(Article, article_id)
        return article is not None and article.extraction_mode == BATCH and bool(article.text)


@DBOS.step(name="parley.batch.claim", **DB_RETRIES)
def claim(batch_key: str, limit: int) -> list[int]:
    """Claim up to `limit` waiting batch-mode articles for this batch; their ids. A conditional
    write, so two collectors never claim the same article."""
    with bound().transaction() as unit:
        session = unit.session
        candidates = session.exec(
            select(Article.id).where(*_unclaimed()).order_by(col(Article.id)).limit(limit)
        ).all()
        session.connection().execute(
            update(Article)
            .where(col(Article.id).in_(candidates), *_unclaimed())
            .values(batch_key=batch_key, status=ArticleStatus.PROCESSING, updated_at=utcnow())
        )
        claimed = session.exec(
            select(Article.id).where(col(Article.batch_key) == batch_key).order_by(col(Article.id))
        ).all()
    return [i for i in claimed if i is not None]


@dataclass(frozen=True)
class SyncJob:
    """An article handed to the synchronous path: the arguments of its extraction workflow."""

    article_id: int
    job_key: str
    workflow_id: str


@DBOS.step(name="parley.batch.to_sync", **DB_RETRIES)
def hand_to_sync(article_ids: list[int], reason: str) -> list[SyncJob]:
    """Route the articles still waiting in this batch to the synchronous path, counted by
    `reason`; the jobs to queue for them."""
    jobs = []
    with bound().transaction() as unit:
        for article_id in article_ids:
            article = unit.session.get(Article, article_id)
            if article is None or article.status.finished:
                continue
            article.extraction_mode = "sync"
            article.status, article.updated_at = ArticleStatus.QUEUED, utcnow()
            article.error = f"batch answer not used ({reason}); extracting synchronously"
            unit.session.add(article)
            job = ExtractArticle.of(article)
            jobs.append(SyncJob(article_id, article.job_key, job.workflow_id))
    BATCH_FALLBACKS.labels(reason).inc(len(jobs))
    return jobs


def release(engine: Engine, batch_keys: list[str]) -> int:
    """Unclaim the waiting articles of batches whose workflow is gone, so the next batch takes
    them; how many."""
    if not batch_keys:
        return 0
    with Session(engine) as session:
        result: Any = session.connection().execute(
            update(Article)
            .where(col(Article.batch_key).in_(batch_keys), col(Article.status).in_(WAITING))
            .values(batch_key=None, status=ArticleStatus.QUEUED)
        )
        session.commit()
    return int(result.rowcount)


def claimed_keys(engine: Engine) -> list[str]:
    """Batch keys that waiting articles are claimed by."""
    with Session(engine) as session:
        keys = session.exec(
            select(Article.batch_key)
            .where(claimed_by_batch(), col(Article.status).in_(WAITING))
            .distinct()
        ).all()
    return [k for k in keys if k is not None]
