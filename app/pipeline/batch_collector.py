"""The batch collector: in every worker, a thread that starts a batch workflow when enough
batch-mode articles wait (or the oldest has waited `PARLEY_LLM_BATCH_WAIT_SECONDS`), and frees
articles claimed by a batch workflow that ended without settling them."""

import logging
import threading
from uuid import uuid4

from dbos import DBOS, SetWorkflowID
from sqlalchemy import Engine

from app.config import Settings
from app.pipeline.batch_claims import claimed_keys, due, release
from app.pipeline.batch_workflow import BATCH_QUEUE, run_batch
from app.pipeline.sweeper import LIVE

log = logging.getLogger(__name__)


def free_orphans(engine: Engine) -> int:
    """Free the articles of batch workflows that ended without settling them (the next batch,
    or with batching off the sweeper, takes them); how many. Blocking."""
    keys = claimed_keys(engine)
    if not keys:
        return 0
    states = {
        w.workflow_id: w.status
        for w in DBOS.list_workflows(workflow_ids=keys, load_input=False, load_output=False)
    }
    released = release(engine, [k for k in keys if states.get(k) not in LIVE])
    if released:
        log.warning("freed %d articles of batches that ended unsettled", released)
    return released


def collect(engine: Engine, settings: Settings) -> str | None:
    """Free orphaned claims, then start a batch if one is due; its key. Blocking."""
    free_orphans(engine)
    if _waiting_to_start() or not due(engine, settings):
        return None
    batch_key = f"batch-{uuid4().hex}"
    with SetWorkflowID(batch_key):
        DBOS.enqueue_workflow(BATCH_QUEUE, run_batch, batch_key)
    log.info("started batch %s", batch_key)
    return batch_key


def _waiting_to_start() -> bool:
    """Whether a batch workflow was started but has not claimed its articles yet."""
    return bool(DBOS.list_queued_workflows(queue_name=BATCH_QUEUE, status="ENQUEUED"))


def collect_until(stop: threading.Event, engine: Engine, settings: Settings) -> None:
    """Collect every `llm_batch_poll_seconds` (at most every 30 s) until `stop` is set."""
    every = min(settings.llm_batch_poll_seconds, 30.0)
    while not stop.wait(every):
        try:
            collect(engine, settings)
        except Exception:  # the next round tries again; it must never kill the worker
            log.exception("collecting a batch failed")
