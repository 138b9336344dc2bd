"""The job an accepted article sends: extract it (`app.pipeline` runs it)."""

from dataclasses import dataclass

from app.articles.tables import Article
from app.db.unit import Job


@dataclass(frozen=True)
class ExtractArticle(Job):
    """Extract one article's records; one job per article and attempt. An article that came as
    a URL alone (`fetch_first`) has its page fetched first, by a workflow of its own."""

    article_id: int
    job_key: str
    attempts: int
    fetch_first: bool
    # Sent in mode "batch": with batching on, the batch collector extracts it, not this job.
    batch: bool = False
    # Accepted in bulk: the group workflow of this name extracts it with the rest of its group.
    group: str | None = None

    @classmethod
    def of(cls, article: Article) -> "ExtractArticle":
        """The job for the article's current attempt (the article must be flushed)."""
        assert article.id is not None, "flush the article before sending its job"
        batch = article.extraction_mode == "batch"
        return cls(
            article.id,
            article.job_key,
            article.attempts,
            not article.text,
            batch,
            article.job_group,
        )

    @property
    def workflow_id(self) -> str:
        """The extraction workflow's id: the same job sent twice runs once."""
        return f"article-{self.job_key}-{self.attempts}"

    @property
    def fetch_workflow_id(self) -> str:
        """The id of the workflow fetching the article's page, when it needs one."""
        return f"fetch-{self.job_key}-{self.attempts}"


@dataclass(frozen=True)
class FeedArticles(Job):
    """Queue the extraction jobs of one committed batch of a bulk upload. One durable write
    for the batch when it is accepted; the worker then queues each article's job (the sweeper
    queues any the feeding never reached)."""

    jobs: tuple[ExtractArticle, ...]

    @property
    def workflow_id(self) -> str:
        """The feeding workflow's id: its first job's key is unique, so is this."""
        return f"feed-{self.jobs[0].job_key}-{len(self.jobs)}"

    def arguments(self) -> list[tuple[int, str, int, bool, bool, str | None]]:
        """The jobs as plain values, for the durable queue to store."""
        return [
            (j.article_id, j.job_key, j.attempts, j.fetch_first, j.batch, j.group)
            for j in self.jobs
        ]
