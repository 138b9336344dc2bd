"""Fetch one URL for a stranger, safely: validated, guarded on every hop, bounded in time and size.

Redirects are followed here, one hop at a time, so each new URL is validated like the first
and its connection guarded like the first. Every refusal is a `FetchError` with its status.
"""

import asyncio
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from app.fetching.addresses import is_forbidden, parse_host_address
from app.fetching.decoding import ACCEPT_ENCODING, BoundedDecoder
from app.fetching.errors import (
    BodyTooLarge,
    FetchError,
    FetchTimeout,
    ForbiddenURL,
    UnsupportedContentType,
    UpstreamError,
)
from app.fetching.guard import GuardedTransport
from app.fetching.policy import FetchPolicy

__all__ = ["FetchError", "FetchPolicy", "Fetched", "fetch", "parse_url", "validate_url"]

# DNS limits: a name of at most 253 characters, in labels of at most 63.
_MAX_NAME_CHARS, _MAX_LABEL_CHARS = 253, 63
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_TRANSIENT_CLIENT_ERRORS = frozenset({408, 425, 429})
_ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/plain;q=0.8"
)


@dataclass(frozen=True)
class Fetched:
    """A fetched response: the body is decompressed and within the size limit."""

    url: str
    final_url: str
    status_code: int
    content_type: str
    body: bytes
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


def _check_host_name(host: str) -> None:
    """Refuse a host name the resolver cannot take, naming why (`ForbiddenURL`, 422).

    The labels are checked as getaddrinfo's IDNA codec will encode them: each 1 to 63
    characters, an `xn--` label valid Punycode. Left to the resolver, such a name fails mid-fetch
    with a `UnicodeError`. IP literals are not names and are not checked here.
    """
    name = host.removesuffix(".")
    if len(name) > _MAX_NAME_CHARS:
        raise ForbiddenURL(f"host name is longer than {_MAX_NAME_CHARS} characters")
    for label in name.split("."):
        if not label:
            raise ForbiddenURL(f"host {host} has an empty label")
        if len(label) > _MAX_LABEL_CHARS:
            raise ForbiddenURL(f"host {host} has a label longer than {_MAX_LABEL_CHARS} characters")
        if label.startswith("xn--"):
            try:
                label.encode("ascii").decode("idna")
            except UnicodeError:
                raise ForbiddenURL(f"host {host} has an invalid IDNA label {label}") from None


def parse_url(url: str) -> httpx.URL:
    """The parsed URL if it is an http(s) URL a fetch could use; `ForbiddenURL` (422) says why
    not. Where it points is `validate_url`'s question."""
    try:
        parsed = httpx.URL(url.strip())
        # The standard library splits the URL we store (canonical_url): both must read it.
        urlsplit(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise ForbiddenURL(f"invalid URL: {exc}") from exc
    if parsed.scheme not in ("http", "https"):
        raise ForbiddenURL("only http and https URLs are fetched")
    if parsed.userinfo:
        raise ForbiddenURL("URLs with credentials (user:pass@) are not fetched")
    raw_host = parsed.raw_host.decode("ascii")
    if not raw_host:
        raise ForbiddenURL("URL has no host")
    if parse_host_address(raw_host) is None:
        _check_host_name(raw_host)
    try:
        parsed.host  # noqa: B018 - decodes `xn--` names with IDNA 2008, stricter than the resolver
    except ValueError as exc:
        raise ForbiddenURL(f"host {raw_host} is not a valid IDNA name: {exc}") from None
    return parsed


def validate_url(url: str, policy: FetchPolicy) -> httpx.URL:
    """The parsed URL if it may be fetched at all; `ForbiddenURL` (422) says why not."""
    parsed = parse_url(url)
    host = parsed.host
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    if policy.allow.allows(host, port):
        return parsed
    name = host.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        raise ForbiddenURL(f"host {host} is not publicly routable")
    ip = parse_host_address(host)
    if ip is not None and is_forbidden(ip):
        raise ForbiddenURL(f"address {ip} is not publicly routable")
    return parsed


def _media_type(header: str) -> tuple[str, str | None]:
    """`text/html; charset=UTF-8` into (`text/html`, `utf-8`)."""
    media, *params = (part.strip() for part in header.split(";"))
    values = (p.split("=", 1)[1] for p in params if p.lower().startswith("charset="))
    charset = next((v.strip("\"' ").lower() for v in values), None)
    return media.lower(), charset


def _check_status(response: httpx.Response) -> None:
    """Raise `UpstreamError` for 4xx/5xx; 5xx and throttling are worth a retry."""
    code = response.status_code
    if code >= 400:
        transient = code >= 500 or code in _TRANSIENT_CLIENT_ERRORS
        raise UpstreamError(f"{response.url} answered HTTP {code}", transient=transient)
    if code >= 300:
        raise UpstreamError(f"{response.url} answered HTTP {code} without a usable Location")


def _check_declared(response: httpx.Response, policy: FetchPolicy) -> tuple[str, str | None]:
    """Refuse by headers alone, before reading: content type (415), declared length (413)."""
    media, charset = _media_type(response.headers.get("content-type", ""))
    if media and media not in policy.content_types:
        raise UnsupportedContentType(f"content type {media} is not fetched")
    declared = response.headers.get("content-length", "")
    encoded = response.headers.get("content-encoding", "identity").lower() != "identity"
    if declared.isdigit() and not encoded and int(declared) > policy.max_bytes:
        raise BodyTooLarge(f"body is larger than {policy.max_bytes} bytes")
    return media, charset


async def _read_body(response: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body, stopping as soon as it passes `max_bytes`."""
    decoder = BoundedDecoder(response.headers.get("content-encoding", ""), max_bytes)
    parts = [decoder.feed(chunk) async for chunk in response.aiter_raw()]
    parts.append(decoder.flush())
    return b"".join(parts)


async def _one_hop(
    client: httpx.AsyncClient, url: str, current: httpx.URL, policy: FetchPolicy
) -> Fetched | httpx.URL:
    """One request: the next URL for a redirect, else the fetched response."""
    response = await client.send(client.build_request("GET", current), stream=True)
    try:
        location = response.headers.get("location")
        if response.status_code in _REDIRECTS and location:
            return current.join(location)
        common = {
            "url": url,
            "final_url": str(current),
            "status_code": response.status_code,
            "etag": response.headers.get("etag"),
            "last_modified": response.headers.get("last-modified"),
        }
        if response.status_code == 304:
            return Fetched(content_type="", body=b"", not_modified=True, **common)
        _check_status(response)
        media, charset = _check_declared(response, policy)
        body = await _read_body(response, policy.max_bytes)
        return Fetched(content_type=media, body=body, charset=charset, **common)
    finally:
        await response.aclose()


def _headers(policy: FetchPolicy, etag: str | None, last_modified: str | None) -> dict[str, str]:
    """Request headers, with the validators of a previous fetch when we have them."""
    headers = {
        "User-Agent": policy.user_agent,
        "Accept": _ACCEPT,
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


async def _follow(client: httpx.AsyncClient, url: str, policy: FetchPolicy) -> Fetched:
    """Follow at most `policy.max_redirects` redirects, validating every hop."""
    current = validate_url(url, policy)
    for _ in range(policy.max_redirects + 1):
        result = await _one_hop(client, url, current, policy)
        if isinstance(result, Fetched):
            return result
        current = validate_url(str(result), policy)
    raise UpstreamError(f"more than {policy.max_redirects} redirects")


async def fetch(
    url: str,
    policy: FetchPolicy,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Fetched:
    """GET `url` under `policy`; raises a `FetchError` subclass carrying the HTTP status."""
    validate_url(url, policy)
    client = httpx.AsyncClient(
        transport=transport or GuardedTransport(policy.allow),
        headers=_headers(policy, etag, last_modified),
        timeout=policy.timeout_seconds,
        follow_redirects=False,
        trust_env=False,
    )
    try:
        async with asyncio.timeout(policy.timeout_seconds):
            return await _follow(client, url, policy)
    except (TimeoutError, httpx.TimeoutException) as exc:
        raise FetchTimeout(f"fetch took longer than {policy.timeout_seconds:g}s") from exc
    except httpx.HTTPError as exc:
        raise UpstreamError(f"cannot fetch {url}: {exc}", transient=True) from exc
    finally:
        if transport is None:
            await client.aclose()
