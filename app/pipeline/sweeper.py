"""The sweeper: every waiting article gets a live job, so nothing accepted is left behind.

It closes the gap between an article's commit and its job, and gives an article whose job ended
without finishing it a new attempt. It reads in three moves: the waiting articles, then their
jobs' states from DBOS, then, in a new transaction, each candidate again, changed only if it is
still waiting on the same attempt; a job that finished between the first two reads is not
queued a second time. It goes through the waiting articles a page at a time (by id), so a
backlog of any size costs bounded memory and queries that stay under SQLite's limit on bound
parameters (32,766), and each page's jobs go out with its own commit.
"""

import dataclasses
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from dbos import DBOS
from sqlalchemy import Engine, func, not_, update
from sqlmodel import Session, col, select

from app.articles.jobs import ExtractArticle
from app.articles.tables import Article, ArticleStatus
from app.db.unit import Job, JobSender, transaction
from app.pipeline.batch_claims import claimed_by_batch, left_to_batch

log = logging.getLogger(__name__)
WAITING = (ArticleStatus.QUEUED, ArticleStatus.PROCESSING)
# A job in one of these states will still run; any other state for a waiting article means
# its job ended without finishing it (e.g. its database was unreachable for too long).
LIVE = {"ENQUEUED", "PENDING", "DELAYED"}
# Waiting articles read, looked up in DBOS and re-queued at a time (a URL-only article's job is
# two workflow ids, so a page binds at most twice this many parameters).
PAGE = 1_000


@dataclass(frozen=True)
class Stranded:
    """A waiting article whose job is not live: never sent (`ended` False) or ended unfinished."""

    job: ExtractArticle
    ended: bool


def sweep(engine: Engine, sender: JobSender, *, batching: bool = False, page: int = PAGE) -> int:
    """Re-queue waiting articles whose job is gone; returns how many. Blocking (DBOS, database).

    With `batching`, articles left to the batch collector have no job to look for."""
    queued = 0
    for jobs in waiting_pages(engine, page, batching=batching):
        stranded = find_stranded(jobs)
        if not stranded:
            continue
        with transaction(engine, sender) as unit:
            queued += requeue(unit.session, stranded, unit.send)
    if queued:
        log.info("queued %d waiting articles", queued)
    return queued


def waiting_pages(
    engine: Engine, page: int = PAGE, *, batching: bool = False
) -> Iterator[list[ExtractArticle]]:
    """The current jobs of the articles accepted and not finished, `page` at a time, by id;
    each page read in its own short transaction."""
    after = 0
    while True:
        with Session(engine) as session:
            jobs = waiting_jobs(session, after, page, batching=batching)
        if not jobs:
            return
        yield jobs
        after = jobs[-1].article_id


def waiting_jobs(
    session: Session, after: int, limit: int, *, batching: bool = False
) -> list[ExtractArticle]:
    """The jobs of up to `limit` waiting articles with ids above `after`, in id order (their
    columns only: the text is not read, only whether there is one). Articles a batch workflow
    has claimed are its own and, with `batching`, those waiting for a batch too."""
    fetch_first = func.coalesce(col(Article.text), "") == ""
    waits_for_batch = left_to_batch() if batching else claimed_by_batch()
    query = (
        select(Article.id, Article.job_key, Article.attempts, fetch_first)
        .where(col(Article.status).in_(WAITING), col(Article.id) > after)
        .where(not_(waits_for_batch))
        .order_by(col(Article.id))
        .limit(limit)
    )
    jobs = []
    for article_id, job_key, attempts, url_only in session.exec(query):
        assert article_id is not None
        jobs.append(ExtractArticle(article_id, job_key, attempts, bool(url_only)))
    return jobs


def find_stranded(jobs: Sequence[ExtractArticle]) -> list[Stranded]:
    """The jobs among `jobs` that DBOS will not run: unknown to it, or ended.

    A URL-only article's job is its fetch workflow until that queues the extraction.
    """
    if not jobs:
        return []
    ids = [job.workflow_id for job in jobs]
    ids += [job.fetch_workflow_id for job in jobs if job.fetch_first]
    states = {
        w.workflow_id: w.status
        for w in DBOS.list_workflows(workflow_ids=ids, load_input=False, load_output=False)
    }
    stranded = []
    for job in jobs:
        state = states.get(job.workflow_id)
        if state is None and job.fetch_first:
            state = states.get(job.fetch_workflow_id)
        if state not in LIVE:
            stranded.append(Stranded(job, ended=state is not None))
    return stranded


def requeue(session: Session, stranded: Sequence[Stranded], send: Callable[[Job], None]) -> int:
    """Send a job for each stranded article still waiting on the same attempt (a new attempt
    when its job ended); an article finished or re-queued meanwhile is left alone."""
    queued = 0
    for item in stranded:
        job = item.job
        still_waiting = (
            col(Article.id) == job.article_id,
            col(Article.status).in_(WAITING),
            col(Article.attempts) == job.attempts,
        )
        attempts = job.attempts + 1 if item.ended else job.attempts
        # One conditional write: it cannot interleave with the step that finishes the article.
        changed = session.connection().execute(
            update(Article).where(*still_waiting).values(attempts=attempts)
        )
        if changed.rowcount == 0:
            continue
        if item.ended:
            log.warning("article %s: job ended unfinished; queueing a new attempt", job.article_id)
        send(dataclasses.replace(job, attempts=attempts))
        queued += 1
    return queued
