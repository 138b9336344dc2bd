"""Feeds: fetch or read one, store its items as articles, keep the registered feeds' state.

The API's `POST /v1/feeds`, the CLI and the polling workflow all go through here. Callers own
the unit of work and commit it; the new articles' jobs go out after that commit.
"""

import asyncio
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.config import Settings
from app.db.types import utcnow
from app.db.unit import UnitOfWork
from app.errors import NotFound
from app.feeds.items import ItemCounts, ingest_items
from app.feeds.tables import Feed
from app.fetching.canonical import canonical_url
from app.fetching.client import Fetched, fetch, validate_url
from app.fetching.errors import UpstreamError
from app.fetching.policy import FetchPolicy
from app.parsing.feeds import ParsedFeed, parse_feed

# Column widths of the feed table (PostgreSQL enforces them).
_ETAG_CHARS, _LAST_MODIFIED_CHARS, _ERROR_CHARS = 500, 100, 2000


@dataclass(frozen=True)
class FeedReport:
    """What one feed fetch (or upload) gave: item counts, and the feed row when registered."""

    feed_id: int | None
    title: str | None
    items: int
    new: int
    duplicate: int
    failed: int
    truncated: int
    every_seconds: int | None = None
    registered: bool = False
    new_ids: tuple[int, ...] = ()


def read_feed(body: bytes, settings: Settings, base_url: str | None = None) -> ParsedFeed:
    """Parse feed bytes under the configured item cap."""
    return parse_feed(body, max_items=settings.feed_max_items, base_url=base_url)


async def fetch_feed(
    url: str, settings: Settings, *, etag: str | None = None, last_modified: str | None = None
) -> tuple[Fetched, ParsedFeed | None]:
    """Fetch a feed through the guard and parse it; no parsed feed when it is not modified."""
    fetched = await fetch(
        url, FetchPolicy.from_settings(settings), etag=etag, last_modified=last_modified
    )
    if fetched.not_modified:
        return fetched, None
    parsed = await asyncio.to_thread(read_feed, fetched.body, settings, fetched.final_url)
    return fetched, parsed


def feed_url(url: str, settings: Settings) -> str:
    """The canonical form a feed is registered under, once the URL is known to be fetchable."""
    validate_url(url, FetchPolicy.from_settings(settings))
    return canonical_url(url)


async def take_feed(
    unit: UnitOfWork,
    settings: Settings,
    *,
    url: str | None = None,
    xml: bytes | None = None,
    every_seconds: int | None = None,
) -> FeedReport:
    """Fetch `url` (or read `xml`), store new items, register the feed when `every_seconds`.

    Scheduling the polls is the caller's (`app.feeds.polling.schedule_feed`), after it commits.
    """
    fetched = None
    if url is not None:
        url = feed_url(url, settings)
        fetched, parsed = await fetch_feed(url, settings)
        if parsed is None:
            raise UpstreamError(f"{url} answered 304 Not Modified to an unconditional request")
    else:
        parsed = await asyncio.to_thread(read_feed, xml or b"", settings)
    return await asyncio.to_thread(
        store_feed, unit, settings, parsed, url=url, fetched=fetched, every_seconds=every_seconds
    )


def store_feed(
    unit: UnitOfWork,
    settings: Settings,
    parsed: ParsedFeed,
    *,
    url: str | None = None,
    fetched: Fetched | None = None,
    every_seconds: int | None = None,
) -> FeedReport:
    """Store a parsed feed's new items and register the feed (with `url` and `every_seconds`)."""
    feed, registered = None, False
    if url is not None and every_seconds is not None:
        feed, registered = register_feed(unit.session, url, every_seconds)
    counts = ingest_items(unit, parsed, settings, feed_id=feed.id if feed else None)
    if feed is not None and fetched is not None:
        record_fetch(feed, fetched, counts)
        unit.session.add(feed)
    unit.session.flush()
    return FeedReport(
        feed_id=feed.id if feed else None,
        title=counts.title,
        items=counts.items,
        new=counts.new,
        duplicate=counts.duplicate,
        failed=counts.failed,
        truncated=counts.truncated,
        every_seconds=every_seconds,
        registered=registered,
        new_ids=tuple(a.id for a in counts.created if a.id is not None),
    )


def register_feed(session: Session, url: str, every_seconds: int) -> tuple[Feed, bool]:
    """The feed polled at `url` every `every_seconds`; True when it was not active before.

    A feed registered again (same canonical URL) is the same feed, with the new interval.
    """
    feed = _by_url(session, url)
    if feed is None:
        try:
            # A savepoint, so a concurrent twin hitting the unique URL leaves the session usable.
            with session.begin_nested():
                feed = Feed(url=url, every_seconds=every_seconds)
                session.add(feed)
            return feed, True
        except IntegrityError:
            feed = _by_url(session, url)
            if feed is None:
                raise
    was_active = feed.active
    feed.every_seconds, feed.active = every_seconds, True
    session.add(feed)
    session.flush()
    return feed, not was_active


def _by_url(session: Session, url: str) -> Feed | None:
    return session.exec(select(Feed).where(col(Feed.url) == url)).first()


def record_fetch(feed: Feed, fetched: Fetched, counts: ItemCounts | None) -> None:
    """A successful poll: when, the validators for the next one, cumulative item counts."""
    feed.last_polled_at, feed.last_error = utcnow(), None
    if fetched.not_modified:
        # A 304 may repeat the validators or leave them out; either way they still hold.
        feed.etag = _clip(fetched.etag, _ETAG_CHARS) or feed.etag
        feed.last_modified = _clip(fetched.last_modified, _LAST_MODIFIED_CHARS) or (
            feed.last_modified
        )
    else:
        feed.etag = _clip(fetched.etag, _ETAG_CHARS)
        feed.last_modified = _clip(fetched.last_modified, _LAST_MODIFIED_CHARS)
    if counts is not None:
        feed.title = counts.title or feed.title
        feed.items_new += counts.new
        feed.items_duplicate += counts.duplicate
        feed.items_failed += counts.failed


def record_failure(feed: Feed, message: str) -> None:
    """A failed poll: when, and why; the validators and counts stay as they were."""
    feed.last_polled_at, feed.last_error = utcnow(), message[:_ERROR_CHARS]


def _clip(value: str | None, width: int) -> str | None:
    return value[:width] if value else None


def active_feeds(session: Session) -> list[Feed]:
    """The feeds being polled, oldest first."""
    return list(session.exec(select(Feed).where(col(Feed.active)).order_by(col(Feed.id))).all())


def get_feed(session: Session, feed_id: int) -> Feed:
    """The active feed with this id, or a 404."""
    feed = session.get(Feed, feed_id)
    if feed is None or not feed.active:
        raise NotFound(f"feed {feed_id} not found")
    return feed


def stop_feed(session: Session, feed_id: int) -> Feed:
    """Stop polling a feed; its row stays, inactive, because its articles point at it."""
    feed = get_feed(session, feed_id)
    feed.active = False
    session.add(feed)
    session.flush()
    return feed
