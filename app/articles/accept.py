"""Accepting articles: fingerprints, duplicates, pages filled in. Callers own the transaction."""

import hashlib
import unicodedata
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from app.articles.jobs import ExtractArticle
from app.articles.schemas import ArticleIn
from app.articles.status import mark
from app.articles.tables import Article, ArticleStatus
from app.config import Settings
from app.db.types import as_utc
from app.db.unit import UnitOfWork
from app.errors import PayloadTooLarge
from app.fetching.canonical import canonical_url
from app.fetching.client import validate_url
from app.fetching.policy import FetchPolicy
from app.parsing.pages import Page


def text_fingerprint(text: str) -> str:
    """A hash that is the same for the same text pasted twice (Unicode form, spacing aside)."""
    # str.split() splits on what `\s+` matches (Unicode whitespace), several times faster.
    folded = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(folded.encode()).hexdigest()


def article_values(payload: ArticleIn, settings: Settings) -> dict[str, Any]:
    """The columns a posted payload gives its article: 413 for too long a text, 422 for a URL
    the fetch policy refuses."""
    if payload.text is not None and len(payload.text) > settings.max_text_chars:
        raise PayloadTooLarge(
            f"text is {len(payload.text)} characters; the limit is {settings.max_text_chars}"
        )
    canonical = None
    if payload.url is not None:
        validate_url(payload.url, FetchPolicy.from_settings(settings))
        canonical = canonical_url(payload.url)
    text = payload.text
    return {
        "text": text,
        "text_hash": text_fingerprint(text) if text else None,
        "title": payload.title,
        "url": payload.url,
        "canonical_url": canonical,
        "posted_url": canonical,
        "source": payload.source,
        "published_at": as_utc(payload.published_at),
        "extraction_mode": payload.mode,
    }


def new_article(payload: ArticleIn, settings: Settings) -> Article:
    """The article a posted payload describes, not stored yet (see `article_values`)."""
    return Article(**article_values(payload, settings))


def find_duplicate(
    session: Session,
    *,
    text_hash: str | None,
    url: str | None,
    excluding: int | None = None,
) -> Article | None:
    """The article already holding this text, or known by this canonical URL (as its page's
    canonical URL or as the URL it was sent as), if any (other than `excluding`)."""
    conditions = []
    if text_hash:
        conditions.append(col(Article.text_hash) == text_hash)
    if url:
        conditions.append(col(Article.canonical_url) == url)
        conditions.append(col(Article.posted_url) == url)
    if not conditions:
        return None
    query = select(Article).where(or_(*conditions))
    if excluding is not None:
        query = query.where(col(Article.id) != excluding)
    return session.exec(query.limit(1)).first()


def accept(session: Session, article: Article) -> tuple[Article, bool]:
    """Store a new article, or return the existing one it duplicates; True when new.

    A new article's canonical URL is the one it was sent with; it is kept as `posted_url`,
    because the fetched page may declare another and the same URL sent again must find it.
    """
    article.posted_url = article.posted_url or article.canonical_url
    existing = find_duplicate(session, text_hash=article.text_hash, url=article.posted_url)
    if existing is not None:
        return existing, False
    try:
        # A savepoint, so a concurrent twin hitting the unique index leaves the session usable.
        with session.begin_nested():
            session.add(article)
    except IntegrityError:
        existing = find_duplicate(session, text_hash=article.text_hash, url=article.posted_url)
        if existing is None:
            raise
        return existing, False
    return article, True


def submit(unit: UnitOfWork, article: Article) -> tuple[Article, bool]:
    """Accept an article and, when it is new, queue its extraction once the unit commits."""
    stored, created = accept(unit.session, article)
    if created:
        unit.session.flush()
        unit.send(ExtractArticle.of(stored))
    return stored, created


def attach_page(session: Session, article: Article, page: Page) -> Article | None:
    """Fill a URL-only article from its fetched page; the earlier article it duplicates, if any.

    The page may reveal a duplicate through its declared canonical URL or its text: then this
    article points at the earlier one and is done, with no second extraction.
    """
    text_hash = text_fingerprint(page.text)
    canonical = page.canonical_url or article.canonical_url
    # The read stays outside the savepoint: on SQLite a transaction that reads and then writes
    # fails at once if another connection committed in between (no busy wait in that case).
    earlier = find_duplicate(session, text_hash=text_hash, url=canonical, excluding=article.id)
    if earlier is None:
        try:
            with session.begin_nested():
                _fill_from_page(article, page, text_hash, canonical)
                session.add(article)
                session.flush()
            return None
        except IntegrityError:
            earlier = find_duplicate(
                session, text_hash=text_hash, url=canonical, excluding=article.id
            )
            if earlier is None:
                raise
    article.duplicate_of = earlier.id
    mark(session, article, ArticleStatus.DONE)
    return earlier


def _fill_from_page(article: Article, page: Page, text_hash: str, canonical: str | None) -> None:
    article.text, article.text_hash, article.canonical_url = page.text, text_hash, canonical
    article.title = article.title or page.title
    article.published_at = article.published_at or as_utc(page.published_at)
    article.author, article.site_name, article.language = page.author, page.site_name, page.language
