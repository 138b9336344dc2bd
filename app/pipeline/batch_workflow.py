"""The durable batch workflow: claim waiting batch-mode articles → plan input files → upload
and create each batch → poll (durable sleeps) → read the answers → store each article through
the same store step as the synchronous path. Articles whose answers are missing, errors or
invalid, and those of a batch that failed or expired, go to the synchronous path (a job on the
extraction queue each), so every claimed article ends done or failed.

DBOS checkpoints every step, so a worker killed anywhere resumes here: files already uploaded
are not uploaded again, a batch already created is not created again, and stored articles are
not stored again.
"""

import asyncio

from dbos import DBOS, SetWorkflowID

from app.pipeline.batch_api import (
    BatchState,
    Outcome,
    create,
    gated_result,
    plan,
    poll,
    read,
    upload,
)
from app.pipeline.batch_claims import claim, hand_to_sync
from app.pipeline.steps import store
from app.pipeline.workflow import EXTRACTION_QUEUE, process_article
from app.services import bound

BATCH_QUEUE = "batches"


@DBOS.workflow(name="parley.run_batch")
async def run_batch(batch_key: str) -> str:
    """Extract a batch of waiting batch-mode articles through the Batch API (see the module
    docstring); `batch_key` names the batch and is the workflow's id."""
    settings = bound().settings
    article_ids = await asyncio.to_thread(claim, batch_key, settings.llm_batch_max_articles)
    if not article_ids:
        return "empty"
    files = await asyncio.to_thread(plan, article_ids)
    for article_id in files.gated:
        await asyncio.to_thread(store, article_id, gated_result())
    await to_sync(files.too_large, "too_large")
    batch_ids = []
    for number, part in enumerate(files.files, start=1):
        file_key = f"{batch_key}-{number}"
        file_id = await upload(file_key, part)
        batch_ids.append(await create(file_key, file_id))
    for batch_id, part in zip(batch_ids, files.files, strict=True):
        state = await wait_for(batch_id, settings.llm_batch_poll_seconds)
        await settle(await read(state, part))
    return f"{len(article_ids)} articles in {len(batch_ids)} batches"


async def wait_for(batch_id: str, every: float) -> BatchState:
    """Poll the batch until it has ended, sleeping durably in between."""
    while True:
        state = await poll(batch_id)
        if state.finished:
            return state
        await DBOS.sleep_async(every)


async def settle(outcome: Outcome) -> None:
    """Store the accepted answers; send the rejected articles to the synchronous path."""
    for article_id, result in outcome.results.items():
        await asyncio.to_thread(store, article_id, result)
    by_reason: dict[str, list[int]] = {}
    for article_id, reason in outcome.rejected.items():
        by_reason.setdefault(reason, []).append(article_id)
    for reason, article_ids in sorted(by_reason.items()):
        await to_sync(article_ids, reason)


async def to_sync(article_ids: list[int], reason: str) -> None:
    """Queue a synchronous extraction for each article (counted by `reason`)."""
    if not article_ids:
        return
    for job in await asyncio.to_thread(hand_to_sync, article_ids, reason):
        with SetWorkflowID(job.workflow_id):
            await DBOS.enqueue_workflow_async(
                EXTRACTION_QUEUE, process_article, job.article_id, job.job_key
            )
