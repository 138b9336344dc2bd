"""DBOS set-up: the durable queue that extraction workflows run on."""

import logging

from dbos import DBOS, DBOSConfig, SetWorkflowID
from sqlmodel import Session, col, select

from app import __version__
from app.config import Settings
from app.db import normalise_url
from app.models import Article

EXTRACTION_QUEUE = "extraction"
log = logging.getLogger(__name__)


def workflow_id(article: Article) -> str:
    """The id of an article's current job: one workflow per article and attempt."""
    return f"article-{article.job_key}-{article.attempts}"


def dbos_config(settings: Settings) -> DBOSConfig:
    """DBOS configuration derived from Parley's settings."""
    return {
        "name": "parley",
        "system_database_url": normalise_url(settings.system_database_url),
        # A fixed version lets a restarted process recover work enqueued before an upgrade.
        "application_version": __version__,
        "executor_id": settings.worker_id,
        "log_level": "WARNING",
    }


async def start(settings: Settings, *, work: bool) -> None:
    """Launch DBOS; with `work`, this process also runs queued extractions."""
    import app.pipeline  # noqa: F401  (registers the workflows before launch)

    DBOS(config=dbos_config(settings))
    if not work:
        DBOS.listen_queues([])
    DBOS.launch()
    await DBOS.register_queue_async(
        EXTRACTION_QUEUE,
        worker_concurrency=settings.queue_concurrency,
        limiter={"limit": settings.queue_rate_limit, "period": settings.queue_rate_period_seconds},
        polling_interval_sec=settings.queue_poll_seconds,
        on_conflict="always_update",
    )


def stop() -> None:
    """Shut DBOS down, keeping the registered workflows for a later start."""
    DBOS.destroy(destroy_registry=False)


def enqueue(article: Article) -> None:
    """Queue the article's extraction; enqueuing the same job twice is a no-op."""
    from app.pipeline import process_article

    assert article.id is not None
    with SetWorkflowID(workflow_id(article)):
        DBOS.enqueue_workflow(EXTRACTION_QUEUE, process_article, article.id, article.job_key)


def enqueue_pending(session: Session) -> int:
    """Queue every article still waiting, closing the gap between commit and enqueue."""
    waiting = session.exec(
        select(Article).where(col(Article.status).in_(("queued", "processing")))
    ).all()
    for article in waiting:
        enqueue(article)
    if waiting:
        log.info("re-enqueued %d waiting articles", len(waiting))
    return len(waiting)
