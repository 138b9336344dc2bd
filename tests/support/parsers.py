"""Stand-in parsers that misbehave the ways real ones can, for the isolation tests (the child
process imports them by name, so they live in a module)."""

import os
import time

from app.errors import InvalidInput


def crash(_body: bytes) -> str:
    """Die as a native crash would (SIGABRT), without a Python exception."""
    os.abort()


def hang(_body: bytes) -> str:
    """Never finish."""
    time.sleep(3600)
    return ""


def hog(_body: bytes) -> str:
    """Ask for far more memory than a parse may use."""
    return str(len(bytearray(8 << 30)))


def refuse(_body: bytes) -> str:
    """Refuse the document as a parser refuses input it cannot read."""
    raise InvalidInput("not a document this parser reads")


def echo(body: bytes) -> str:
    """Parse successfully: the body as text."""
    return body.decode("utf-8")


def quadratic_author(_body: bytes) -> int:
    """Hold the GIL for seconds in one C call: feedparser's e-mail regex over a 30 KB author,
    the probe's hostile feed, read without Parley's bounds. The number of entries read."""
    import feedparser

    author = "a" * 30_000
    feed = (
        "<rss version='2.0'><channel><item><link>https://news.example/a</link>"
        f"<author>{author}</author></item></channel></rss>"
    )
    return len(feedparser.parse(feed).entries)
