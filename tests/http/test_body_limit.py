"""Request bodies are capped while streaming: 413 at once for a declared length over the limit,
and as soon as a chunked body passes it."""

import json
from collections.abc import AsyncIterator, Callable, MutableMapping
from typing import Any

from app.config import Settings
from tests.support.app import serve

LIMIT = 1_000


async def test_declared_length_over_limit_is_refused_without_reading_the_body(
    make_settings: Callable[..., Settings],
) -> None:
    from app.http.body_limit import BodyLimitMiddleware

    sent: list[MutableMapping[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the app must not run")

    async def receive() -> dict[str, Any]:
        raise AssertionError("the body must not be read")

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/articles",
        "headers": [(b"content-length", str(LIMIT + 1).encode())],
    }
    await BodyLimitMiddleware(app, max_body_bytes=LIMIT)(scope, receive, send)
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["error"]["code"] == "payload_too_large"


async def test_declared_length_over_limit_answers_413_through_the_app(
    make_settings: Callable[..., Settings],
) -> None:
    async with serve(make_settings(max_body_bytes=LIMIT, run_worker=False)) as client:
        answer = await client.post("/v1/articles", content=b"x" * (LIMIT + 1))
    assert answer.status_code == 413
    assert answer.json()["error"]["message"] == f"the request body exceeds {LIMIT} bytes"


async def test_chunked_body_is_cut_off_once_it_passes_the_limit(
    make_settings: Callable[..., Settings],
) -> None:
    pulled = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(1_000):
            pulled += 1
            yield b"y" * 100

    async with serve(make_settings(max_body_bytes=LIMIT, run_worker=False)) as client:
        answer = await client.post(
            "/v1/articles", content=endless(), headers={"Content-Type": "application/json"}
        )
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "payload_too_large"
    assert "content-length" not in answer.request.headers
    assert pulled <= LIMIT // 100 + 2


async def test_chunked_body_under_the_limit_goes_through(
    make_settings: Callable[..., Settings],
) -> None:
    payload = json.dumps({"text": "Talks resumed in Doha on Monday."}).encode()

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(0, len(payload), 10):
            yield payload[i : i + 10]

    async with serve(make_settings(max_body_bytes=LIMIT, run_worker=False)) as client:
        answer = await client.post(
            "/v1/articles", content=chunks(), headers={"Content-Type": "application/json"}
        )
    assert answer.status_code == 202


async def test_idempotent_post_over_the_limit_is_refused_too(
    make_settings: Callable[..., Settings],
) -> None:
    async def endless() -> AsyncIterator[bytes]:
        for _ in range(1_000):
            yield b"z" * 100

    async with serve(make_settings(max_body_bytes=LIMIT, run_worker=False)) as client:
        answer = await client.post(
            "/v1/articles", content=endless(), headers={"Idempotency-Key": "big-1"}
        )
    assert answer.status_code == 413
