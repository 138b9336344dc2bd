"""DBOS set-up: the durable queue that extraction workflows run on."""

import asyncio
import logging
import math
import threading
from typing import Any

from dbos import DBOS, DBOSConfig, SetWorkflowID
from sqlalchemy import Engine, create_engine, event
from sqlmodel import Session, col, select

from app import __version__, runtime
from app.config import Settings
from app.db import normalise_url, transaction
from app.models import Article

EXTRACTION_QUEUE = "extraction"
log = logging.getLogger(__name__)
# Set by start(): how long stop() lets this process's running workflows finish.
_grace = {"seconds": 0.0}
# An engine we hand DBOS is ours to dispose of when DBOS shuts down.
_owned_engines: list[Engine] = []
_stop_sweeping = threading.Event()


def workflow_id(article: Article) -> str:
    """The id of an article's current job: one workflow per article and attempt."""
    return f"article-{article.job_key}-{article.attempts}"


def dbos_config(settings: Settings) -> DBOSConfig:
    """DBOS configuration derived from Parley's settings."""
    url = normalise_url(settings.system_database_url)
    config: DBOSConfig = {
        "name": "parley",
        "system_database_url": url,
        # A fixed version lets a restarted process recover work enqueued before an upgrade.
        "application_version": __version__,
        "executor_id": settings.worker_id,
        "log_level": "WARNING",
    }
    if url.startswith("sqlite"):
        config["system_database_engine"] = _sqlite_system_engine(url)
    return config


def _sqlite_system_engine(url: str) -> Engine:
    """DBOS's own SQLite set-up, plus WAL: every step checkpoint is a commit, and in the
    default rollback-journal mode each one cost several fsyncs under a database-wide lock."""
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = "IMMEDIATE"  # as DBOS does: writers serialise up front
        dbapi_conn.execute("PRAGMA journal_mode=WAL")
        dbapi_conn.execute("PRAGMA synchronous=NORMAL")
        dbapi_conn.execute("PRAGMA busy_timeout=30000")
        dbapi_conn.execute("PRAGMA foreign_keys=ON")

    return engine


async def start(settings: Settings, *, work: bool) -> None:
    """Launch DBOS; with `work`, this process also runs queued extractions."""
    import app.pipeline
    import app.polling  # noqa: F401

    _grace["seconds"] = settings.shutdown_grace_seconds if work else 0.0
    config = dbos_config(settings)
    if (engine := config.get("system_database_engine")) is not None:
        _owned_engines.append(engine)
    DBOS(config=config)
    if not work:
        DBOS.listen_queues([])
    DBOS.launch()
    if work:
        _stop_sweeping.clear()
        threading.Thread(
            target=_sweep_until_stopped,
            args=(settings.sweep_interval_seconds,),
            name="parley-sweeper",
            daemon=True,
        ).start()
    await DBOS.register_queue_async(
        EXTRACTION_QUEUE,
        worker_concurrency=settings.queue_concurrency,
        limiter={"limit": settings.queue_rate_limit, "period": settings.queue_rate_period_seconds},
        polling_interval_sec=settings.queue_poll_seconds,
        on_conflict="always_update",
    )


def stop() -> None:
    """Stop taking work, let running workflows finish within the grace period, shut DBOS down.

    Workflows still running after the grace period stay PENDING under this worker id: the next
    process started with the same PARLEY_WORKER_ID resumes them from their last finished step.
    The registered workflows are kept for a later start.
    """
    # The workflows run on the event loop that launched DBOS: called on it (the app's lifespan
    # does), waiting would only stall them, so they are handed back at once. `parley serve` and
    # `parley worker` call this off the loop first (asyncio.to_thread).
    _stop_sweeping.set()
    useful = _running_here() and not _on_event_loop()
    grace = _grace["seconds"] if useful else 0.0
    _grace["seconds"] = 0.0  # a second call (lifespan after `parley serve`'s drain) is instant
    # DBOS stops dequeuing at once, then checks its running workflows once a second.
    DBOS.destroy(destroy_registry=False, workflow_completion_timeout_sec=math.ceil(grace))
    while _owned_engines:
        _owned_engines.pop().dispose()


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _running_here() -> int:
    """How many workflows run in this process; an idle one then stops without waiting."""
    # DBOS has no public count; destroy() waits on this same set. A database query instead
    # would retry for as long as the database is down, and SIGTERM must stay bounded.
    from dbos._dbos import _get_dbos_instance

    try:
        return len(_get_dbos_instance()._active_workflows_set.activeList())
    except Exception:  # an unexpected DBOS internals change: wait the (bounded) grace period
        return 1


def enqueue(article: Article) -> None:
    """Queue the article's extraction; enqueuing the same job twice is a no-op."""
    from app.pipeline import process_article

    assert article.id is not None
    with SetWorkflowID(workflow_id(article)):
        DBOS.enqueue_workflow(EXTRACTION_QUEUE, process_article, article.id, article.job_key)


# A job in one of these states will still run; any other state for a waiting article means
# its job ended without finishing it (e.g. its database was unreachable for too long).
_LIVE = {"ENQUEUED", "PENDING", "DELAYED"}


def enqueue_pending(session: Session) -> int:
    """Make sure every waiting article has a live job; returns how many were (re)queued.

    Closes the gap between an article's commit and its enqueue, and gives an article whose job
    ended in error a new attempt, so nothing accepted is left behind. The caller commits.
    """
    waiting = session.exec(
        select(Article).where(col(Article.status).in_(("queued", "processing")))
    ).all()
    if not waiting:
        return 0
    ids = [workflow_id(a) for a in waiting]
    states = {
        w.workflow_id: w.status
        for w in DBOS.list_workflows(workflow_ids=ids, load_input=False, load_output=False)
    }
    queued = 0
    for article in waiting:
        state = states.get(workflow_id(article))
        if state in _LIVE:
            continue
        if state is not None:
            log.warning("article %s: job ended %s; queueing a new attempt", article.id, state)
            article.attempts += 1
            session.add(article)
            session.flush()
        enqueue(article)
        queued += 1
    if queued:
        log.info("queued %d waiting articles", queued)
    return queued


def sweep(engine: Engine) -> int:
    """One sweep in its own transaction; call it off the event loop (DBOS requires it)."""
    with transaction(engine) as session:
        return enqueue_pending(session)


def _sweep_until_stopped(every: float) -> None:
    """Every `every` seconds, re-queue waiting articles whose job is gone (see enqueue_pending)."""
    while not _stop_sweeping.wait(every):
        try:
            sweep(runtime.current().engine)
        except Exception:  # the next sweep tries again; a sweep must never kill the worker
            log.exception("sweep for stranded articles failed")
