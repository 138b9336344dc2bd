"""Time, size and content-type limits of a fetch, against a real loopback server."""

import gzip
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from app.config import Settings
from app.fetching.allowlist import AllowList
from app.fetching.client import FetchPolicy, fetch
from app.fetching.decoding import BoundedDecoder
from app.fetching.errors import (
    BodyTooLarge,
    FetchTimeout,
    UnsupportedContentType,
    UpstreamError,
)
from tests.support.loopback import LoopbackServer, Route, dribble, gzip_bomb, send

LIMIT = 100_000


@pytest.fixture
def site() -> Iterator[LoopbackServer]:
    with LoopbackServer() as server:
        yield server


def policy_for(site: LoopbackServer, **overrides: float) -> FetchPolicy:
    """A policy that allows exactly this loopback server, with a small size limit."""
    values = {"timeout_seconds": 5.0, "max_bytes": LIMIT, **overrides}
    return FetchPolicy(
        allow=AllowList.parse(f"127.0.0.1:{site.port}"),
        timeout_seconds=values["timeout_seconds"],
        max_bytes=int(values["max_bytes"]),
    )


def chunked(body: bytes, headers: dict[str, str]) -> Route:
    """A route sending `body` without Content-Length (read until close)."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(body)
        handler.close_connection = True

    return route


def test_policy_reads_its_limits_from_settings() -> None:
    settings = Settings(
        fetch_allow_hosts="cms.newsroom.internal, 10.1.2.3:8080",
        fetch_timeout_seconds=7,
        fetch_max_bytes=1234,
    )
    policy = FetchPolicy.from_settings(settings)
    assert (policy.timeout_seconds, policy.max_bytes, policy.max_redirects) == (7, 1234, 5)
    assert policy.allow.allows("cms.newsroom.internal", 443)
    assert policy.allow.allows("10.1.2.3", 8080)
    assert not policy.allow.allows("10.1.2.3", 80)


async def test_body_larger_than_limit_with_content_length_is_413(site: LoopbackServer) -> None:
    site.routes["/big"] = lambda h: send(h, body=b"a" * (LIMIT + 1))
    with pytest.raises(BodyTooLarge) as refused:
        await fetch(site.url("/big"), policy_for(site))
    assert refused.value.status_code == 413


async def test_body_larger_than_limit_without_content_length_is_413(site: LoopbackServer) -> None:
    site.routes["/stream"] = chunked(b"a" * (3 * LIMIT), {"Content-Type": "text/html"})
    with pytest.raises(BodyTooLarge):
        await fetch(site.url("/stream"), policy_for(site))


async def test_body_at_the_limit_is_accepted(site: LoopbackServer) -> None:
    site.routes["/exact"] = lambda h: send(h, body=b"a" * LIMIT)
    fetched = await fetch(site.url("/exact"), policy_for(site))
    assert len(fetched.body) == LIMIT


async def test_gzip_body_is_decompressed(site: LoopbackServer) -> None:
    page = b"<html><body><p>peace talks resumed</p></body></html>"
    site.routes["/gz"] = lambda h: send(
        h, body=gzip.compress(page), headers={"Content-Encoding": "gzip"}
    )
    fetched = await fetch(site.url("/gz"), policy_for(site))
    assert fetched.body == page
    assert "gzip" in site.received[0].headers["Accept-Encoding"]


async def test_gzip_bomb_is_413(site: LoopbackServer) -> None:
    bomb = gzip_bomb(50 * 1024 * 1024)
    assert len(bomb) < LIMIT
    site.routes["/bomb"] = lambda h: send(h, body=bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(BodyTooLarge):
        await fetch(site.url("/bomb"), policy_for(site))


def test_gzip_bomb_is_never_inflated_past_the_limit() -> None:
    decoder = BoundedDecoder("gzip", LIMIT)
    with pytest.raises(BodyTooLarge):
        decoder.feed(gzip_bomb(50 * 1024 * 1024))
    assert decoder.total <= LIMIT + 1


async def test_slow_server_times_out_within_the_limit(site: LoopbackServer) -> None:
    site.routes["/slow"] = lambda h: dribble(h, site.stop)
    started = time.monotonic()
    with pytest.raises(FetchTimeout) as timed_out:
        await fetch(site.url("/slow"), policy_for(site, timeout_seconds=1.0))
    # The page would drip forever: ending at all is the timeout; the slack is for a busy machine.
    assert time.monotonic() - started < 5.0
    assert timed_out.value.status_code == 504
    assert timed_out.value.transient


async def test_server_slow_to_answer_times_out(site: LoopbackServer) -> None:
    answered = threading.Event()

    def late(handler: BaseHTTPRequestHandler) -> None:
        answered.wait(3)
        send(handler)

    site.routes["/late"] = late
    with pytest.raises(FetchTimeout):
        await fetch(site.url("/late"), policy_for(site, timeout_seconds=0.5))
    answered.set()


async def test_image_content_type_is_415(site: LoopbackServer) -> None:
    site.routes["/logo.png"] = lambda h: send(
        h, body=b"\x89PNG", headers={"Content-Type": "image/png"}
    )
    with pytest.raises(UnsupportedContentType, match="image/png") as refused:
        await fetch(site.url("/logo.png"), policy_for(site))
    assert refused.value.status_code == 415


@pytest.mark.parametrize(
    "content_type",
    ["text/html; charset=ISO-8859-1", "application/rss+xml", "application/atom+xml", "text/plain"],
)
async def test_readable_content_types_are_accepted(site: LoopbackServer, content_type: str) -> None:
    site.routes["/doc"] = lambda h: send(h, body=b"<x/>", headers={"Content-Type": content_type})
    fetched = await fetch(site.url("/doc"), policy_for(site))
    assert fetched.content_type == content_type.split(";")[0].lower()


async def test_etag_round_trip_gives_not_modified(site: LoopbackServer) -> None:
    def conditional(handler: BaseHTTPRequestHandler) -> None:
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.send_response(304)
            handler.send_header("ETag", '"v1"')
            handler.end_headers()
        else:
            send(
                handler, headers={"ETag": '"v1"', "Last-Modified": "Mon, 02 Jun 2025 10:00:00 GMT"}
            )

    site.routes["/feed"] = conditional
    first = await fetch(site.url("/feed"), policy_for(site))
    assert (first.etag, first.not_modified) == ('"v1"', False)
    second = await fetch(
        site.url("/feed"), policy_for(site), etag=first.etag, last_modified=first.last_modified
    )
    assert second.not_modified
    assert second.status_code == 304
    assert second.body == b""
    assert site.received[1].headers["If-Modified-Since"] == "Mon, 02 Jun 2025 10:00:00 GMT"


@pytest.mark.parametrize(
    ("status", "transient"), [(500, True), (503, True), (429, True), (404, False), (403, False)]
)
async def test_upstream_http_errors_are_502_with_transient_flag(
    site: LoopbackServer, status: int, transient: bool
) -> None:
    site.routes["/err"] = lambda h: send(h, status)
    with pytest.raises(UpstreamError) as failed:
        await fetch(site.url("/err"), policy_for(site))
    assert failed.value.status_code == 502
    assert failed.value.transient is transient
    assert str(status) in failed.value.message


async def test_user_agent_is_sent(site: LoopbackServer) -> None:
    await fetch(site.url("/"), policy_for(site))
    assert site.received[0].headers["User-Agent"].startswith("Parley/")
