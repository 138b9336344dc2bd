"""An article's extraction status: moving it along, and retrying a failed one."""

from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.articles.jobs import ExtractArticle
from app.articles.tables import Article, ArticleStatus
from app.db.types import utcnow
from app.db.unit import UnitOfWork
from app.errors import Conflict, NotFound


def get_article(session: Session, article_id: int) -> Article:
    """The article with this id, or a 404."""
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound(f"article {article_id} not found")
    return article


def mark(
    session: Session, article: Article, status: ArticleStatus, error: str | None = None
) -> None:
    """Move an article to `status`, recording the failure reason when there is one."""
    article.status, article.error, article.updated_at = status, error, utcnow()
    session.add(article)
    session.flush()


def requeue_failed(unit: UnitOfWork, article_id: int) -> Article:
    """Put a failed article back in the queue for another attempt (sent once `unit` commits)."""
    article = get_article(unit.session, article_id)
    if article.status != ArticleStatus.FAILED:
        raise Conflict(
            f"article {article_id} is {article.status}; only failed articles can be retried"
        )
    article.attempts += 1
    article.job_group = None  # a retry is the article's own job, whatever group it was in
    mark(unit.session, article, ArticleStatus.QUEUED)
    unit.send(ExtractArticle.of(article))
    return article


def recent_articles(
    session: Session, status: ArticleStatus | None, limit: int
) -> Sequence[Article]:
    """The latest articles (in one status, if given), newest first."""
    stmt = select(Article).order_by(col(Article.id).desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(Article.status == status)
    return session.exec(stmt).all()
