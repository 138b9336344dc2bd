"""A parser that crashes, hangs or eats memory fails that one document, not the process."""

import asyncio
from collections.abc import Callable

import httpx
import pytest

from app.config import Settings
from app.errors import InvalidInput
from app.parsing.isolation import ParserFailed, isolated
from tests.support import parsers
from tests.support.app import serve


def test_a_parse_returns_its_result_from_the_child() -> None:
    assert isolated(parsers.echo, b"Waffenruhe") == "Waffenruhe"


def test_a_native_crash_fails_the_document_and_this_process_goes_on() -> None:
    with pytest.raises(ParserFailed, match="crashed"):
        isolated(parsers.crash, b"<html>")

    assert isolated(parsers.echo, b"still here") == "still here"


def test_a_parse_that_never_ends_is_stopped_at_the_time_limit() -> None:
    with pytest.raises(ParserFailed, match=r"after 0\.5 s"):
        isolated(parsers.hang, b"<rss>", seconds=0.5)


def test_a_parse_that_needs_too_much_memory_fails_the_document() -> None:
    with pytest.raises(ParserFailed, match="memory"):
        isolated(parsers.hog, b"<rss>", memory_bytes=1 << 30)


def test_a_parser_refusing_its_input_raises_the_same_error_here() -> None:
    with pytest.raises(InvalidInput, match="not a document this parser reads") as raised:
        isolated(parsers.refuse, b"?")

    assert type(raised.value) is InvalidInput


def hostile_feed(author_chars: int) -> bytes:
    """A feed whose author feedparser's e-mail regex takes quadratic time over."""
    author = "a" * author_chars
    return (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>t</title><item>"
        f"<title>x</title><link>https://news.example/a</link><author>{author}</author>"
        "</item></channel></rss>"
    ).encode()


async def test_the_service_answers_while_a_hostile_feed_is_parsed(
    make_settings: Callable[..., Settings],
) -> None:
    # Parsed in a thread of the server, this feed held the GIL for about 5 s: 6 health checks
    # were answered meanwhile. Parsed in a child process, thousands are.
    async with serve(make_settings(run_worker=False)) as client:
        posting = asyncio.create_task(
            client.post("/v1/feeds", json={"xml": hostile_feed(30_000).decode()})
        )
        await asyncio.sleep(0.3)  # the parse is under way
        answered_meanwhile = 0
        while not posting.done():
            health = await client.get("/healthz")
            assert health.status_code == 200
            answered_meanwhile += not posting.done()
        answer: httpx.Response = await posting

    assert answered_meanwhile >= 100
    assert answer.status_code < 500
