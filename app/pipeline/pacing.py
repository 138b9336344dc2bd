"""Polling the extraction queues often only while they have work.

DBOS's queue threads poll every queue at its interval whether work waits or not, and a poll of
a database-backed queue is not cheap (it reloads the queue's row and opens a claiming
transaction): an idle `parley serve` spent about 10% of a core polling at the defaults. DBOS
reads each queue's interval from the database before every poll (`Queue.
set_polling_interval_sec` changes it for every worker), so a worker paces the extraction and
group queues: `queue_poll_seconds` while a job waits or runs, `queue_idle_poll_seconds` once
they have been empty for `queue_idle_after_seconds`. A job that arrives after a quiet spell waits
up to the idle interval; the jobs after it are picked up at the busy pace again (DBOS eases a
queue's interval down by a tenth a poll, so within about ten seconds).
"""

import logging
import threading
import time
from dataclasses import dataclass, field

from dbos import DBOS

from app.config import Settings
from app.pipeline.groups import GROUP_QUEUE
from app.pipeline.workflow import EXTRACTION_QUEUE

log = logging.getLogger(__name__)
PACED_QUEUES = (EXTRACTION_QUEUE, GROUP_QUEUE)
_WAITING_OR_RUNNING = ["ENQUEUED", "PENDING"]


@dataclass
class Pace:
    """When the paced queues last had work, and the interval that calls for."""

    busy: float
    idle: float
    idle_after: float
    last_work: float = field(default_factory=time.monotonic)

    def interval(self, has_work: bool, now: float) -> float:
        """The polling interval the queues should have now."""
        if has_work:
            self.last_work = now
        return self.busy if now - self.last_work < self.idle_after else self.idle


def pace_until(stop: threading.Event, settings: Settings) -> None:
    """Set the paced queues' polling interval about every second until `stop` is set; a
    no-op when the idle interval is no longer than the busy one."""
    pace = Pace(
        settings.queue_poll_seconds,
        settings.queue_idle_poll_seconds,
        settings.queue_idle_after_seconds,
    )
    if pace.idle <= pace.busy:
        return
    every = min(1.0, pace.idle)
    while not stop.wait(every):
        try:
            _apply(pace.interval(_has_work(), time.monotonic()))
        except Exception:  # the next round tries again; pacing must never stop the worker
            log.exception("could not pace the extraction queues")


def _has_work() -> bool:
    waiting = DBOS.list_queued_workflows(
        queue_name=list(PACED_QUEUES),
        status=_WAITING_OR_RUNNING,
        limit=1,
        load_input=False,
        load_output=False,
    )
    return bool(waiting)


def _apply(interval: float) -> None:
    """Write `interval` to each paced queue whose row differs (another worker may have)."""
    for name in PACED_QUEUES:
        queue = DBOS.retrieve_queue(name)
        if queue is not None and queue.polling_interval_sec != interval:
            queue.set_polling_interval_sec(interval)
