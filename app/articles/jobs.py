"""The job an accepted article sends: extract it (`app.pipeline` runs it)."""

from dataclasses import dataclass

from app.articles.tables import Article
from app.db.unit import Job


@dataclass(frozen=True)
class ExtractArticle(Job):
    """Extract one article's records; one job per article and attempt."""

    article_id: int
    job_key: str
    attempts: int

    @classmethod
    def of(cls, article: Article) -> "ExtractArticle":
        """The job for the article's current attempt (the article must be flushed)."""
        assert article.id is not None, "flush the article before sending its job"
        return cls(article.id, article.job_key, article.attempts)

    @property
    def workflow_id(self) -> str:
        """The durable workflow's id: the same job sent twice runs once."""
        return f"article-{self.job_key}-{self.attempts}"
