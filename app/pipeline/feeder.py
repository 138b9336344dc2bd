"""Feeding bulk-accepted articles to the queue: one workflow per accepted batch.

Queueing a workflow is a write to DBOS's system database; made for every article while a bulk
upload is being accepted, it would bound acceptance at the speed of those writes. A bulk batch
instead queues one `feed_articles` workflow, and a worker queues the batch's extraction jobs
from it (one per group of articles, `app.pipeline.groups`). Nothing is lost in between: the
articles are committed as queued before the feeding workflow is, a feeding workflow
interrupted resumes where it stopped (each job it queued is checkpointed), and the sweeper
queues any waiting article whose job never came.
"""

from collections.abc import Callable, Sequence
from typing import Any

from dbos import DBOS, SetWorkflowID

from app.articles.jobs import ExtractArticle
from app.pipeline.batch_claims import batching
from app.pipeline.groups import GROUP_QUEUE, process_group
from app.pipeline.workflow import EXTRACTION_QUEUE, FETCH_QUEUE, fetch_page, process_article
from app.services import bound

FEED_QUEUE = "feeding"


def _target(job: ExtractArticle) -> tuple[str, str, Callable[..., Any], tuple[Any, ...]]:
    """Workflow id, queue, workflow and arguments of an article's job: a URL-only article's
    page is fetched first, by a workflow of its own; an article of a group is its group's."""
    if job.group is not None:
        return job.group, GROUP_QUEUE, process_group, (job.group,)
    if job.fetch_first:
        arguments = (job.article_id, job.job_key, job.attempts)
        return job.fetch_workflow_id, FETCH_QUEUE, fetch_page, arguments
    return job.workflow_id, EXTRACTION_QUEUE, process_article, (job.article_id, job.job_key)


def left_to_collector(job: ExtractArticle, *, batching: bool) -> bool:
    """Whether the job is the batch collector's, not the queue's: with batching on, an article
    sent in batch mode that has its text waits for a batch."""
    return batching and job.batch and not job.fetch_first


def enqueue(job: ExtractArticle, *, batching: bool) -> None:
    """Queue one article's job, unless it is left to the batch collector; the same job twice
    is one workflow."""
    if left_to_collector(job, batching=batching):
        return
    workflow_id, queue, workflow, arguments = _target(job)
    with SetWorkflowID(workflow_id):
        DBOS.enqueue_workflow(queue, workflow, *arguments)


@DBOS.workflow(name="parley.feed_articles")
async def feed_articles(jobs: Sequence[tuple[Any, ...]]) -> int:
    """Queue the extraction jobs of one bulk batch (article id, job key, attempt, fetch first,
    batch mode, group; a job checkpointed before batching or groups existed has four or five),
    a group's workflow once; batch-mode articles with their text are left to the batch
    collector. How many workflows were queued."""
    batch_on = batching(bound().settings)
    queued = 0
    seen: set[str] = set()
    for values in jobs:
        job = ExtractArticle(*values)
        if left_to_collector(job, batching=batch_on):
            continue
        workflow_id, queue, workflow, arguments = _target(job)
        if workflow_id in seen:
            continue
        seen.add(workflow_id)
        with SetWorkflowID(workflow_id):
            await DBOS.enqueue_workflow_async(queue, workflow, *arguments)
        queued += 1
    return queued
