"""Feed items into articles: full content kept as it is, teasers and bare links fetched later.

An item whose content (`content:encoded`, Atom `content`) has at least `feed_min_content_chars`
characters of text becomes an article with that text at once. A shorter content is a teaser or
the summary repeated (feedparser copies a lone `content` into `summary`, so the two cannot be
told apart by comparing them): such an item, like one with no content at all, becomes a
URL-only article that the extraction workflow fetches. Either way `accept` deduplicates on the
text and the canonical URL, so an item seen before is counted as a duplicate.
"""

import re
from dataclasses import dataclass, field

from app.articles.accept import submit, text_fingerprint
from app.articles.tables import Article
from app.config import Settings
from app.db.types import as_utc
from app.db.unit import UnitOfWork
from app.errors import InvalidInput, ParleyError
from app.fetching.client import parse_url, validate_url
from app.fetching.policy import FetchPolicy
from app.parsing.feeds import FeedItem, ParsedFeed
from app.parsing.html_text import text_from_html

FEED_MEDIA_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml"})
_FEED_ROOTS = frozenset({"rss", "feed", "rdf"})
# What may precede the root element: BOM, spaces, XML declaration, PIs, comments, doctype.
_ROOT = re.compile(
    rb"^(?:\xef\xbb\xbf)?(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)*"
    rb"<(?:[\w.-]+:)?([\w.-]+)",
    re.DOTALL | re.IGNORECASE,
)
# Column widths of the article table (PostgreSQL enforces them).
_URL_CHARS, _SOURCE_CHARS, _AUTHOR_CHARS = 2048, 300, 500


def looks_like_feed(body: bytes, content_type: str | None = None) -> bool:
    """Whether a document is a feed: a feed media type, or an RSS, Atom or RDF root element."""
    if content_type in FEED_MEDIA_TYPES:
        return True
    match = _ROOT.match(body[:65_536])
    return match is not None and match.group(1).decode("ascii", "replace").lower() in _FEED_ROOTS


def full_text(item: FeedItem, min_chars: int) -> str | None:
    """The item's content as text when it is the whole article, else None (fetch the page)."""
    if not item.content_html:
        return None
    text = text_from_html(item.content_html)
    return text if text and len(text) >= min_chars else None


def _clip(value: str | None, width: int) -> str | None:
    return value[:width] if value else value


def item_article(
    item: FeedItem, settings: Settings, *, source: str | None, feed_id: int | None
) -> Article:
    """A new, unsaved article for an item; a `ParleyError` says why the item cannot be one."""
    if len(item.url) > _URL_CHARS:
        raise InvalidInput(f"item URL is longer than {_URL_CHARS} characters")
    text = full_text(item, settings.feed_min_content_chars)
    if text is None:
        validate_url(item.url, FetchPolicy.from_settings(settings))
    else:
        # Never fetched, but stored and shown as the article's address: it must be one.
        parse_url(item.url)
        if len(text) > settings.max_text_chars:
            raise InvalidInput(f"item text is longer than {settings.max_text_chars} characters")
    return Article(
        text=text,
        text_hash=text_fingerprint(text) if text else None,
        title=item.title,
        url=item.url,
        canonical_url=item.url,  # parse_feed already canonicalised it
        source=_clip(source, _SOURCE_CHARS),
        author=_clip(item.author, _AUTHOR_CHARS),
        published_at=as_utc(item.published_at),
        feed_id=feed_id,
    )


@dataclass
class ItemCounts:
    """What became of a feed's items."""

    title: str | None
    items: int = 0
    duplicate: int = 0
    failed: int = 0
    truncated: int = 0
    created: list[Article] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def new(self) -> int:
        """How many items became new articles."""
        return len(self.created)


def ingest_items(
    unit: UnitOfWork, feed: ParsedFeed, settings: Settings, *, feed_id: int | None = None
) -> ItemCounts:
    """Accept every item of a parsed feed as an article, its extraction sent on commit."""
    counts = ItemCounts(
        title=feed.title,
        items=len(feed.items) + feed.skipped,
        failed=feed.skipped,
        truncated=feed.truncated,
    )
    if feed.skipped:
        counts.errors.append(f"{feed.skipped} items without a usable http(s) link")
    for item in feed.items:
        try:
            article = item_article(item, settings, source=feed.title, feed_id=feed_id)
        except ParleyError as exc:
            counts.failed += 1
            counts.errors.append(f"{item.url[:200]}: {exc.message}")
            continue
        stored, created = submit(unit, article)
        if created:
            counts.created.append(stored)
        else:
            counts.duplicate += 1
    return counts
