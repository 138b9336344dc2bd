"""A loopback news site serving the fixture feeds and their item pages, for the feed tests.

The fixture feeds link to
public sites; `localised` rewrites those links to the loopback server, so every fetch a feed
causes lands on it and is recorded.
"""

from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from tests.support.loopback import LoopbackServer, send

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"
FIXTURE_SITES = (b"https://thedefensepost.com", b"https://monitor.example.org")
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"


def fixture(name: str) -> bytes:
    """A fixture feed as stored."""
    return (FEEDS / name).read_bytes()


def localised(name: str, site: LoopbackServer) -> bytes:
    """A fixture feed whose links point at the loopback site."""
    body = fixture(name)
    for origin in FIXTURE_SITES:
        body = body.replace(origin, site.url("").encode())
    return body


def article_page(title: str, *paragraphs: str) -> bytes:
    """An article page whose main text is `paragraphs`."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"</head><body><nav><a href='/'>Home</a></nav><main><article><h1>{title}</h1>{body}"
        "</article></main><footer><p>All rights reserved.</p></footer></body></html>"
    ).encode()


def story(topic: str) -> bytes:
    """A distinct, long enough article page about `topic`."""
    return article_page(
        f"{topic.capitalize()} under way",
        f"Delegations met on Thursday to discuss {topic}, the mediators said in a statement "
        "issued after the first session in the capital.",
        f"Officials briefed on the talks said progress on {topic} depended on guarantees that "
        "neither side had yet offered, and that the next session would test both.",
        "Humanitarian agencies welcomed the meeting but warned that access to besieged "
        "districts remained blocked and that food stocks would run out within weeks.",
    )


def rss(items: Iterable[str], title: str = "Wire") -> bytes:
    """An RSS 2.0 document with the given `<item>` elements."""
    content = "xmlns:content='http://purl.org/rss/1.0/modules/content/'"
    channel = f"<channel><title>{title}</title>{''.join(items)}</channel>"
    return f"<?xml version='1.0'?><rss version='2.0' {content}>{channel}</rss>".encode()


def rss_item(link: str, title: str, content: str | None = None) -> str:
    """One RSS item, with `content:encoded` when `content` is given."""
    encoded = f"<content:encoded><![CDATA[<p>{content}</p>]]></content:encoded>" if content else ""
    return (
        f"<item><title>{title}</title><link>{link}</link>"
        f"<pubDate>Mon, 02 Jun 2025 10:00:00 GMT</pubDate>{encoded}</item>"
    )


def serve_feed(
    body: bytes, content_type: str = RSS, etag: str | None = None
) -> Callable[..., None]:
    """A route serving a feed; with `etag`, answering 304 when the client already has it."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        if etag is not None and handler.headers.get("If-None-Match") == etag:
            send(handler, status=304, body=b"", headers={"ETag": etag})
            return
        headers = {"Content-Type": content_type, **({"ETag": etag} if etag else {})}
        send(handler, body=body, headers=headers)

    return route


def requested(site: LoopbackServer, path: str) -> int:
    """How many times the site was asked for `path` (any query)."""
    return len([r for r in site.received if r.path.split("?")[0] == path])


def site_settings(make_settings: Any, site: LoopbackServer, **overrides: Any) -> Any:
    """Settings that may fetch from the loopback site.

    On SQLite, one fetch and one extraction at a time: two URL-only articles attaching their
    pages at once can meet "database is locked" (a stale WAL snapshot upgraded to a write); the
    fetch step then runs again, so tests count page fetches as "at least once". PostgreSQL
    keeps the default concurrency: its system database outlives each test, and a single slot
    could be held by an earlier test's sleeping workflow.
    """
    sqlite = make_settings().is_sqlite
    concurrency = {"queue_concurrency": 1, "fetch_concurrency": 1} if sqlite else {}
    return make_settings(fetch_allow_hosts=f"127.0.0.1:{site.port}", **concurrency, **overrides)
