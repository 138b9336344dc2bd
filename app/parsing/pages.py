"""Main text and metadata of a fetched page, with trafilatura and htmldate.

Tuned on the article-body benchmark (`bench/article_body.py`): `favor_precision` without
comments scores best, except on the rare page where precision mode keeps only a stub; there the
default extraction, when it finds far more, is taken instead.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import lxml.html  # type: ignore[import-untyped]
import trafilatura
from lxml.etree import ParserError  # type: ignore[import-untyped]

from app.fetching.canonical import canonical_url
from app.parsing.html_text import text_from_html
from app.parsing.isolation import isolated

__all__ = ["Page", "extract_page", "text_from_html"]

# Below this many characters a precision-mode text may be a stub worth double-checking.
_STUB_CHARS = 1000
# The default extraction replaces a stub when it is at least this many times longer.
_STUB_RATIO = 5
_PRECISE: dict[str, Any] = {"favor_precision": True, "include_comments": False}
_DATES: dict[str, Any] = {"original_date": True, "extensive_search": True}


@dataclass(frozen=True)
class Page:
    """What we keep of a page: its main text and what it says about itself."""

    text: str
    title: str | None = None
    published_at: datetime | None = None
    author: str | None = None
    site_name: str | None = None
    language: str | None = None
    canonical_url: str | None = None


def _decode(body: bytes) -> str:
    """Plain-text bodies: UTF-8 when valid, else Latin-1 so no byte is lost."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return body.decode("latin-1")


def _tree(body: bytes) -> Any:
    """A parsed HTML tree, or None for an empty or unparsable body."""
    try:
        return lxml.html.fromstring(body)
    except (ParserError, ValueError):
        return None


def _first(tree: Any, xpath: str) -> str | None:
    """The first non-empty string an XPath finds."""
    for value in tree.xpath(xpath):
        if str(value).strip():
            return str(value).strip()
    return None


def declared_canonical(tree: Any, url: str | None) -> str | None:
    """`rel=canonical`, else `og:url`, resolved against `url` and canonicalised."""
    href = _first(
        tree, "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href"
    )
    href = href or _first(tree, "//meta[@property='og:url' or @name='og:url']/@content")
    if not href:
        return None
    absolute = urljoin(url or "", href)
    return canonical_url(absolute) if absolute.startswith(("http://", "https://")) else None


def declared_language(tree: Any) -> str | None:
    """The page's language as a lower-case primary subtag (`en`, `uk`), if it declares one."""
    value = (
        _first(tree, "/html/@lang | /html/@xml:lang")
        or _first(tree, "//meta[@http-equiv='content-language' or @name='language']/@content")
        or _first(tree, "//meta[@property='og:locale']/@content")
    )
    if not value:
        return None
    primary = value.replace("_", "-").split("-")[0].split(",")[0].strip().lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def _date(value: str | None) -> datetime | None:
    """htmldate's `YYYY-MM-DD` as midnight UTC."""
    if not value:
        return None
    try:
        return datetime.strptime(value[:10], "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


def _field(doc: Any, name: str) -> str | None:
    """A stripped, non-empty metadata field of a trafilatura document."""
    value = getattr(doc, name, None) if doc is not None else None
    return str(value).strip() or None if value else None


def _extract(body: bytes, url: str | None) -> Any:
    """trafilatura's document in the benchmark-tuned mode, with the stub check."""
    doc: Any = trafilatura.bare_extraction(
        body, url=url, with_metadata=True, date_extraction_params=_DATES, **_PRECISE
    )
    text = (doc.text or "") if doc is not None else ""
    if len(text) < _STUB_CHARS:
        fuller = trafilatura.extract(body, url=url, include_comments=False) or ""
        if len(fuller) >= _STUB_RATIO * max(len(text), 1):
            if doc is None:
                return trafilatura.bare_extraction(
                    body, url=url, with_metadata=True, include_comments=False
                )
            doc.text = fuller
    return doc


def extract_page(body: bytes, url: str | None = None, *, content_type: str | None = None) -> Page:
    """Main text and metadata of an HTML page, read in a child process (see `isolation`)."""
    if content_type == "text/plain":
        return read_page(body, url, content_type=content_type)
    return isolated(read_page, body, url, content_type)


def read_page(body: bytes, url: str | None = None, content_type: str | None = None) -> Page:
    """Main text and metadata of an HTML page, read here; a `text/plain` body is its own text."""
    if content_type == "text/plain":
        return Page(text=_decode(body).strip())
    tree = _tree(body)
    if tree is None:
        return Page(text="")
    doc = _extract(body, url)
    return Page(
        text=_field(doc, "text") or "",
        title=_field(doc, "title"),
        published_at=_date(_field(doc, "date")),
        author=_field(doc, "author"),
        site_name=_field(doc, "sitename"),
        language=declared_language(tree) or _field(doc, "language"),
        canonical_url=declared_canonical(tree, url),
    )
