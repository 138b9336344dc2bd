"""RSS 2.0, RSS 1.0 and Atom feeds from bytes we already hold, parsed without surprises.

The bytes are first bounded (`feed_bounds`: items past the cap cut out, author names cut short),
then read by defusedxml: a feed declaring entities (billion laughs) or pointing at external
resources (XXE) is refused outright. Only then does feedparser read it, from an in-memory
stream, so it never opens a URL, and it has nothing left to expand.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import struct_time
from typing import Any
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree
import feedparser
from defusedxml import DefusedXmlException

from app.errors import InvalidInput
from app.fetching.canonical import canonical_url
from app.parsing.feed_bounds import bound_feed
from app.parsing.isolation import isolated

_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_FULL_CONTENT_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")


class FeedError(InvalidInput):
    """The document is not a feed we can read safely."""

    code = "invalid_feed"


@dataclass(frozen=True)
class FeedItem:
    """One entry: where the article lives, and its full content when the feed carries it."""

    url: str
    title: str | None = None
    published_at: datetime | None = None
    author: str | None = None
    content_html: str | None = None
    summary_html: str | None = None
    guid: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    """A feed's items (at most the cap) and what went wrong while reading it."""

    title: str | None
    link: str | None
    format: str
    items: list[FeedItem] = field(default_factory=list)
    bozo: bool = False
    bozo_message: str | None = None
    truncated: int = 0
    skipped: int = 0


def check_xml_safety(body: bytes) -> None:
    """Refuse entity declarations, DTDs with external references and other XML traps."""
    try:
        defusedxml.ElementTree.fromstring(body, forbid_dtd=False)
    except DefusedXmlException as exc:
        raise FeedError(f"unsafe XML refused: {type(exc).__name__}") from exc
    except ParseError:
        # Broken XML is feedparser's loose parser's job, but never with entities declared.
        if _ENTITY_DECLARATION.search(body):
            raise FeedError("unsafe XML refused: entity declaration") from None


def _datetime(value: struct_time | None) -> datetime | None:
    """feedparser's UTC struct_time as an aware datetime; None when there is no such day."""
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except ValueError:  # feedparser reads `0000-00-00` as year -1
        return None


def _text(value: Any) -> str | None:
    """A stripped, non-empty string without NUL (`&#0;`: PostgreSQL cannot store it), else None."""
    return str(value).replace("\x00", "").strip() or None if value else None


def _full_content(entry: Any) -> str | None:
    """The longest HTML `content:encoded` / Atom `content` of an entry, if any."""
    contents = [
        c.get("value", "")
        for c in entry.get("content", [])
        if str(c.get("type", "text/html")).lower() in _FULL_CONTENT_TYPES
    ]
    return max(contents, key=len).strip() or None if contents else None


def _item(entry: Any) -> FeedItem | None:
    """One feed entry, or None when it has no http(s) link to identify the article."""
    link = _text(entry.get("link"))
    if not link or not link.lower().startswith(("http://", "https://")):
        return None
    try:
        url = canonical_url(link)
    except ValueError:  # not a URL at all (`http://[oops/`): as good as no link
        return None
    published = entry.get("published_parsed") or entry.get("updated_parsed")
    return FeedItem(
        url=url,
        title=_text(entry.get("title")),
        published_at=_datetime(published),
        author=_text(entry.get("author")),
        content_html=_full_content(entry),
        summary_html=_text(entry.get("summary")),
        guid=_text(entry.get("id")) or link,
    )


def _feedparser(body: bytes, base_url: str | None) -> Any:
    """feedparser's reading of `body`, or a `FeedError` saying what stopped it.

    feedparser decodes character references with chr() and encodes them as UTF-8: a lone
    surrogate (`&#xDC00;`) or a number past U+10FFFF stops it, and the whole document with it.
    """
    headers = {"content-location": base_url} if base_url else None
    try:
        return feedparser.parse(io.BytesIO(body), response_headers=headers)
    except UnicodeEncodeError as exc:
        code = ord(exc.object[exc.start])
        raise FeedError(
            f"not a readable feed: a character reference to U+{code:04X}, a lone surrogate, "
            "which is not a character"
        ) from exc
    except (ValueError, OverflowError) as exc:
        raise FeedError(f"not a readable feed: {exc}") from exc


def parse_feed(body: bytes, *, max_items: int, base_url: str | None = None) -> ParsedFeed:
    """Parse RSS/Atom bytes safely, in a child process (see `isolation`); at most `max_items`
    items are returned."""
    if not body.strip():
        raise FeedError("empty document is not a feed")
    return isolated(read_feed_here, body, max_items, base_url)


def read_feed_here(body: bytes, max_items: int, base_url: str | None = None) -> ParsedFeed:
    """Parse RSS/Atom bytes in this process (the child `parse_feed` starts)."""
    if not body.strip():
        raise FeedError("empty document is not a feed")
    body, listed = bound_feed(body, max_items)
    check_xml_safety(body)
    parsed = _feedparser(body, base_url)
    entries = parsed.entries
    reason = str(parsed.get("bozo_exception", "")) or None if parsed.bozo else None
    if not entries and (parsed.bozo or not parsed.version):
        raise FeedError(f"not a readable feed: {reason or 'no RSS or Atom root element'}")
    items = [item for item in map(_item, entries[:max_items]) if item is not None]
    return ParsedFeed(
        title=_text(parsed.feed.get("title")),
        link=_text(parsed.feed.get("link")),
        format=parsed.version or "unknown",
        items=items,
        bozo=bool(parsed.bozo),
        bozo_message=reason,
        truncated=max(0, max(listed, len(entries)) - max_items),
        skipped=min(len(entries), max_items) - len(items),
    )
