"""Accepting articles: fingerprints, duplicates, status changes. Callers own the transaction."""

import hashlib
import re
import unicodedata
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from app.errors import Conflict, NotFound
from app.models import Article, utcnow

_SPACE = re.compile(r"\s+")


def text_fingerprint(text: str) -> str:
    """A hash that is the same for the same text pasted twice (Unicode form, spacing aside)."""
    folded = _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return hashlib.sha256(folded.encode()).hexdigest()


def as_utc(value: datetime | None) -> datetime | None:
    """Read naive datetimes as UTC, so every stored time is comparable."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def find_duplicate(
    session: Session, *, text_hash: str | None, canonical_url: str | None
) -> Article | None:
    """The article already holding this text or canonical URL, if any."""
    conditions = []
    if text_hash:
        conditions.append(col(Article.text_hash) == text_hash)
    if canonical_url:
        conditions.append(col(Article.canonical_url) == canonical_url)
    if not conditions:
        return None
    return session.exec(select(Article).where(or_(*conditions)).limit(1)).first()


def accept(session: Session, article: Article) -> tuple[Article, bool]:
    """Store a new article, or return the existing one it duplicates; True when new."""
    existing = find_duplicate(
        session, text_hash=article.text_hash, canonical_url=article.canonical_url
    )
    if existing is not None:
        return existing, False
    try:
        # A savepoint, so a concurrent twin hitting the unique index leaves the session usable.
        with session.begin_nested():
            session.add(article)
    except IntegrityError:
        existing = find_duplicate(
            session, text_hash=article.text_hash, canonical_url=article.canonical_url
        )
        if existing is None:
            raise
        return existing, False
    return article, True


def get_article(session: Session, article_id: int) -> Article:
    """The article with this id, or a 404."""
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound(f"article {article_id} not found")
    return article


def mark(session: Session, article: Article, status: str, error: str | None = None) -> None:
    """Move an article to `status`, recording the failure reason when there is one."""
    article.status, article.error, article.updated_at = status, error, utcnow()
    session.add(article)
    session.flush()


def requeue_failed(session: Session, article_id: int) -> Article:
    """Put a failed article back in the queue for another attempt."""
    article = get_article(session, article_id)
    if article.status != "failed":
        raise Conflict(
            f"article {article_id} is {article.status}; only failed articles can be retried"
        )
    article.attempts += 1
    mark(session, article, "queued")
    return article
