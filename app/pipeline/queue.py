"""The durable queue (DBOS): launch and stop, the fetch and extraction queues, sending jobs, the
sweeper.

DBOS keeps its state in a system database (a sibling SQLite file, or the same PostgreSQL);
`DurableQueue` launches it for one process, with or without running queued work, and is the
`JobSender` every unit of work hands its committed jobs to.
"""

import logging
import math
import threading
import time
from collections.abc import Sequence
from typing import Any

from dbos import DBOS, DBOSConfig, SetWorkflowID
from sqlalchemy import Engine, create_engine, event

from app import __version__
from app.articles.jobs import ExtractArticle, FeedArticles
from app.config import Settings
from app.db.engine import normalise_url
from app.db.unit import Job
from app.pipeline import batch_collector, pacing, sweeper
from app.pipeline.batch_claims import batching
from app.pipeline.batch_workflow import BATCH_QUEUE
from app.pipeline.feeder import FEED_QUEUE, enqueue, feed_articles
from app.pipeline.groups import GROUP_QUEUE
from app.pipeline.workflow import EXTRACTION_QUEUE, FETCH_QUEUE, in_flight

log = logging.getLogger(__name__)
# Bulk batches fed to the queue at once by one worker (`app.pipeline.feeder`).
_FEEDINGS = 16
# How often DBOS's notification listener wakes; it also bounds how long stopping DBOS takes.
_LISTENER_SECONDS = 0.1


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
        "notification_listener_polling_interval_sec": _LISTENER_SECONDS,
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


class DurableQueue:
    """DBOS for one process: launched by `start`, stopped by `stop`; sends extraction jobs."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.working = False
        self._system_engine: Engine | None = None
        self._dbos: DBOS | None = None
        self._stop_sweeping = threading.Event()

    async def start(self, *, work: bool) -> None:
        """Launch DBOS; with `work`, this process also runs queued jobs and sweeps."""
        self.working = work
        config = dbos_config(self.settings)
        self._system_engine = config.get("system_database_engine")
        self._dbos = DBOS(config=config)
        if not work:
            DBOS.listen_queues([])
        DBOS.launch()
        await self._register_queues()
        if work:
            self._stop_sweeping.clear()
            sweeper = threading.Thread(
                target=self._sweep_until_stopped, name="parley-sweeper", daemon=True
            )
            sweeper.start()
            threading.Thread(
                target=pacing.pace_until,
                args=(self._stop_sweeping, self.settings),
                name="parley-pacer",
                daemon=True,
            ).start()
            if self.batching:
                threading.Thread(
                    target=batch_collector.collect_until,
                    args=(self._stop_sweeping, self.engine, self.settings),
                    name="parley-batch-collector",
                    daemon=True,
                ).start()

    async def _register_queues(self) -> None:
        """The extraction, group, fetch, feeding and batch queues, with this process's limits."""
        settings = self.settings
        llm = settings.extractor == "llm"
        period = settings.queue_rate_period_seconds
        # The rate limit is the LLM provider's: the rules extractor runs unthrottled.
        calls = settings.queue_rate_limit
        # A group makes up to `group_size` calls, never more than the rate limit.
        group_calls = settings.queue_rate_limit // settings.group_size
        await DBOS.register_queue_async(
            EXTRACTION_QUEUE,
            worker_concurrency=settings.queue_concurrency,
            limiter={"limit": calls, "period": period} if llm else None,
            polling_interval_sec=settings.queue_poll_seconds,
            on_conflict="always_update",
        )
        await DBOS.register_queue_async(
            GROUP_QUEUE,
            # A group makes one LLM call at a time (`app.pipeline.groups`): as many groups at
            # once as single jobs keeps the provider's concurrency, and the rate limit counts
            # each call. Polled as often: a poll that finds no group is the idle cost.
            worker_concurrency=settings.queue_concurrency,
            limiter={"limit": group_calls, "period": period} if llm else None,
            polling_interval_sec=settings.queue_poll_seconds,
            on_conflict="always_update",
        )
        await DBOS.register_queue_async(
            FETCH_QUEUE,
            worker_concurrency=settings.fetch_concurrency,
            # Polls cost per second, not per job; a fetch waits a second without harm.
            polling_interval_sec=settings.background_queue_poll_seconds,
            on_conflict="always_update",
        )
        # Polled like the fetch queue (a feeding only queues jobs: a second's wait is nothing),
        # but a poll starts every batch waiting, up to `_FEEDINGS`: one feeding a poll held a
        # backfill in uploads of 100 to about 100 articles a second. Feedings side by side may
        # interleave their groups in the queue; no result depends on that order.
        await DBOS.register_queue_async(
            FEED_QUEUE,
            worker_concurrency=_FEEDINGS,
            polling_interval_sec=settings.background_queue_poll_seconds,
            on_conflict="always_update",
        )
        # Batch workflows mostly sleep between polls: no concurrency limit.
        await DBOS.register_queue_async(
            BATCH_QUEUE,
            polling_interval_sec=settings.background_queue_poll_seconds,
            on_conflict="always_update",
        )

    def stop(self, *, drain: bool) -> None:
        """Stop taking work and shut DBOS down; with `drain`, running jobs get the grace period.

        Jobs still running after it stay PENDING under this worker id: the next process started
        with the same PARLEY_WORKER_ID resumes them from their last finished step.
        """
        self._stop_sweeping.set()
        try:
            if self._dbos is not None:
                _stop_dequeuing(self._dbos)
                self._dbos = None
        finally:
            # Counted after the queue threads stopped: a workflow handed over meanwhile drains too.
            grace = self.settings.shutdown_grace_seconds if drain and in_flight.count else 0.0
            # DBOS checks its running workflows once a second for the grace period.
            DBOS.destroy(destroy_registry=False, workflow_completion_timeout_sec=math.ceil(grace))
        if self._system_engine is not None:
            self._system_engine.dispose()
            self._system_engine = None

    def send(self, jobs: Sequence[Job]) -> None:
        """Queue committed jobs: articles' extractions (URL-only ones fetched first) and bulk
        batches to feed; the same job twice is one workflow."""
        for job in jobs:
            if isinstance(job, ExtractArticle):
                enqueue(job, batching=self.batching)
            elif isinstance(job, FeedArticles):
                with SetWorkflowID(job.workflow_id):
                    DBOS.enqueue_workflow(FEED_QUEUE, feed_articles, job.arguments())
            else:
                raise TypeError(f"no workflow runs {type(job).__name__} jobs")

    @property
    def batching(self) -> bool:
        """Whether batch-mode articles go through the Batch API here."""
        return batching(self.settings)

    def sweep(self) -> int:
        """Re-queue waiting articles whose job is gone; call it off the event loop."""
        batch_collector.free_orphans(self.engine)
        return sweeper.sweep(self.engine, self, batching=self.batching)

    def _sweep_until_stopped(self) -> None:
        every = self.settings.sweep_interval_seconds
        while not self._stop_sweeping.wait(every):
            try:
                self.sweep()
            except Exception:  # the next sweep tries again; a sweep must never kill the worker
                log.exception("sweep for stranded articles failed")


# How long a queue thread may take to hand over the workflow it had just dequeued.
_DEQUEUE_HANDOVER_SECONDS = 5.0


def _stop_dequeuing(dbos: DBOS) -> None:
    """Stop DBOS's queue threads while the event loops still run (call it off the app's loop).

    A queue thread that dequeued a workflow blocks until the loop DBOS runs workflows on (the
    app's, or DBOS's own) has taken it. DBOS.destroy stops its own loop before it joins those
    threads, so a thread caught mid-dequeue held destroy for its 10 s join timeout. Stopping
    the threads first lets that last start go through; the workflow stays PENDING under this
    worker id and resumes on restart.
    """
    for stop in dbos.background_thread_stop_events:
        stop.set()
    deadline = time.monotonic() + _DEQUEUE_HANDOVER_SECONDS
    for thread in threading.enumerate():
        # DBOS names its queue threads so. One still starting is not alive yet (join would
        # raise); it sees the stop event first thing.
        if thread.name.startswith("queue-worker-") and thread.is_alive():
            thread.join(max(deadline - time.monotonic(), 0.0))
