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
from sqlalchemy import Engine, func, not_, select, update
from sqlmodel import Session, col

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
        # SQLAlchemy's select: SQLModel's is typed for at most four columns.
        select(
            col(Article.id),
            col(Article.job_key),
            col(Article.attempts),
            fetch_first,
            col(Article.job_group),
        )
        .where(col(Article.status).in_(WAITING), col(Article.id) > after)
        .where(not_(waits_for_batch))
        .order_by(col(Article.id))
        .limit(limit)
    )
    jobs = []
    for article_id, job_key, attempts, url_only, group in session.connection().execute(query):
        assert article_id is not None
        jobs.append(ExtractArticle(article_id, job_key, attempts, bool(url_only), group=group))
    return jobs


def find_stranded(jobs: Sequence[ExtractArticle]) -> list[Stranded]:
    """The jobs among `jobs` that DBOS will not run: unknown to it, or ended.

    A URL-only article's job is its fetch workflow until that queues the extraction; an
    article of a group is its group's workflow until the group hands it a job of its own.
    """
    if not jobs:
        return []
    ids = list({job.group or job.workflow_id for job in jobs})
    ids += [job.fetch_workflow_id for job in jobs if job.fetch_first]
    states = {
        w.workflow_id: w.status
        for w in DBOS.list_workflows(workflow_ids=ids, load_input=False, load_output=False)
    }
    stranded = []
    for job in jobs:
        state = states.get(job.group or job.workflow_id)
        if state is None and job.fetch_first:
            state = states.get(job.fetch_workflow_id)
        if state not in LIVE:
            stranded.append(Stranded(job, ended=state is not None))
    return stranded


def requeue(session: Session, stranded: Sequence[Stranded], send: Callable[[Job], None]) -> int:
    """Send a job for each stranded article still waiting on the same attempt and in the same
    group (a new attempt of its own when its job ended; its group's workflow when that never
    came); an article finished, re-queued or handed out of its group meanwhile is left alone."""
    queued = 0
    for item in stranded:
        job = item.job
        in_group = col(Article.job_group) == job.group
        still_waiting = (
            col(Article.id) == job.article_id,
            col(Article.status).in_(WAITING),
            col(Article.attempts) == job.attempts,
            in_group if job.group is not None else col(Article.job_group).is_(None),
        )
        again = _next_job(item)
        # One conditional write: it cannot interleave with the step that finishes the article.
        changed = session.connection().execute(
            update(Article)
            .where(*still_waiting)
            .values(attempts=again.attempts, job_group=again.group)
        )
        if changed.rowcount == 0:
            continue
        if item.ended:
            log.warning("article %s: job ended unfinished; queueing a new attempt", job.article_id)
        send(again)
        queued += 1
    return queued


def _next_job(item: Stranded) -> ExtractArticle:
    """The job a stranded article gets: the same (a group's too) when it never came, else a
    new attempt of its own."""
    if not item.ended:
        return item.job
    return dataclasses.replace(item.job, attempts=item.job.attempts + 1, group=None)
