"""The sweeper's last move: only an article still waiting on the same attempt is sent again."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from app.articles.jobs import ExtractArticle
from app.articles.tables import Article, ArticleStatus
from app.db.engine import make_engine
from app.db.migrate import ensure_current
from app.db.unit import Job, transaction
from app.pipeline.sweeper import Stranded, requeue


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    ensure_current(engine, auto_migrate=False)
    yield engine
    engine.dispose()


def processing_article(engine: Engine) -> ExtractArticle:
    """An article whose extraction is under way; its current job."""
    with transaction(engine) as unit:
        article = Article(text="Talks resumed in Doha.", status=ArticleStatus.PROCESSING)
        unit.session.add(article)
        unit.session.flush()
        return ExtractArticle.of(article)


def set_status(engine: Engine, article_id: int, status: ArticleStatus) -> None:
    with transaction(engine) as unit:
        article = unit.session.get(Article, article_id)
        assert article is not None
        article.status = status


def run_requeue(engine: Engine, stranded: list[Stranded]) -> tuple[int, list[Job]]:
    sent: list[Job] = []
    with transaction(engine) as unit:
        queued = requeue(unit.session, stranded, sent.append)
    return queued, sent


def column_of(engine: Engine, article_id: int, name: str) -> Any:
    """One column of the stored article."""
    with transaction(engine) as unit:
        article = unit.session.get(Article, article_id)
        assert article is not None
        return getattr(article, name)


def attempts_of(engine: Engine, article_id: int) -> int:
    return int(column_of(engine, article_id, "attempts"))


def test_an_article_whose_job_ended_unfinished_gets_a_new_attempt(engine: Engine) -> None:
    job = processing_article(engine)

    queued, sent = run_requeue(engine, [Stranded(job, ended=True)])

    assert (queued, sent) == (
        1,
        [ExtractArticle(job.article_id, job.job_key, job.attempts + 1, job.fetch_first)],
    )
    assert attempts_of(engine, job.article_id) == job.attempts + 1


def test_an_article_finished_after_the_sweeper_read_it_is_not_queued_again(
    engine: Engine,
) -> None:
    job = processing_article(engine)
    # The job finished between the sweeper's read of the article and its read of DBOS.
    set_status(engine, job.article_id, ArticleStatus.DONE)

    queued, sent = run_requeue(engine, [Stranded(job, ended=True)])

    assert (queued, sent) == (0, [])
    assert attempts_of(engine, job.article_id) == job.attempts


def test_an_article_requeued_by_another_sweeper_meanwhile_is_left_alone(engine: Engine) -> None:
    job = processing_article(engine)
    run_requeue(engine, [Stranded(job, ended=True)])  # another worker's sweep

    queued, sent = run_requeue(engine, [Stranded(job, ended=True)])

    assert (queued, sent) == (0, [])
    assert attempts_of(engine, job.article_id) == job.attempts + 1


def test_a_job_never_sent_is_sent_on_the_same_attempt(engine: Engine) -> None:
    job = processing_article(engine)

    queued, sent = run_requeue(engine, [Stranded(job, ended=False)])

    assert (queued, sent) == (1, [job])
    assert attempts_of(engine, job.article_id) == job.attempts


def grouped_article(engine: Engine, group: str = "group-test") -> ExtractArticle:
    """An article of a bulk upload's group, its group's workflow under way; its current job."""
    with transaction(engine) as unit:
        article = Article(
            text="Talks resumed in Doha.", status=ArticleStatus.PROCESSING, job_group=group
        )
        unit.session.add(article)
        unit.session.flush()
        return ExtractArticle.of(article)


def group_of(engine: Engine, article_id: int) -> str | None:
    group: str | None = column_of(engine, article_id, "job_group")
    return group


def test_an_article_left_in_an_ended_group_gets_a_new_attempt_of_its_own(engine: Engine) -> None:
    job = grouped_article(engine)

    queued, sent = run_requeue(engine, [Stranded(job, ended=True)])

    assert (queued, sent) == (
        1,
        [ExtractArticle(job.article_id, job.job_key, job.attempts + 1, False, group=None)],
    )
    assert group_of(engine, job.article_id) is None
    assert attempts_of(engine, job.article_id) == job.attempts + 1


def test_an_article_whose_group_never_came_is_sent_as_its_group(engine: Engine) -> None:
    job = grouped_article(engine)

    queued, sent = run_requeue(engine, [Stranded(job, ended=False)])

    assert (queued, sent) == (1, [job])
    assert job.group == "group-test"
    assert group_of(engine, job.article_id) == "group-test"


def test_an_article_its_group_handed_out_meanwhile_is_left_alone(engine: Engine) -> None:
    job = grouped_article(engine)
    # The group gave it a job of its own between the sweeper's read and its write.
    with transaction(engine) as unit:
        article = unit.session.get(Article, job.article_id)
        assert article is not None
        article.job_group = None

    queued, sent = run_requeue(engine, [Stranded(job, ended=True)])

    assert (queued, sent) == (0, [])
    assert attempts_of(engine, job.article_id) == job.attempts
