"""`Idempotency-Key` on POST, with Stripe's semantics.

The first request with a key claims it (a row inserted before the handler runs); its answer is
stored and replayed, with `Idempotent-Replayed: true`, to every later request with the same key
and the same method, path and body. The same key with another request answers 422. A duplicate
arriving while the first still runs waits up to `idempotency_wait_seconds` for its answer, then
answers 409. Keys are scoped to the caller (API key id, or `anonymous`) and forgotten after
`idempotency_ttl_hours`. Answers saying the request never ran (auth, validation, rate limits,
conflicts) and server errors are not stored: the claim is released so a retry runs afresh.
Replayed bodies are served as JSON: every POST route of this API answers JSON, but those whose
bodies stream (`app.http.idempotent_stream`), which answer NDJSON.
"""

import asyncio
import re
import time
from datetime import timedelta
from functools import partial

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth.guard import identify
from app.errors import Conflict, InvalidInput, ParleyError
from app.http import idempotent_stream
from app.http.errors import error_response
from app.http.idempotency_store import (
    REPLAYED_HEADER,
    IdempotencyStore,
    Stored,
    before_answering,
    finish,
    request_hash,
    run_keeping_answer,
)

HEADER = b"idempotency-key"
_VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")
_POLL_SECONDS = 0.05
__all__ = ["IdempotencyMiddleware", "request_hash"]


def _header(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == HEADER:
            return str(value.decode("latin-1"))
    return None


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(stored: Stored) -> Response:
    assert stored.status_code is not None
    return Response(
        stored.body or "",
        status_code=stored.status_code,
        media_type="application/json",
        headers={REPLAYED_HEADER: "true"},
    )


class IdempotencyMiddleware:
    """Pure ASGI middleware applying `Idempotency-Key` to POST requests; at `streamed` paths
    the body is not held in memory (`app.http.idempotent_stream`)."""

    def __init__(self, app: ASGIApp, streamed: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.streamed = streamed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope) if scope["type"] == "http" and scope["method"] == "POST" else None
        if key is None:
            await self.app(scope, receive, send)
            return
        try:
            await self._handle(scope, receive, send, key)
        except ParleyError as error:
            await error_response(error)(scope, receive, send)

    async def _handle(self, scope: Scope, receive: Receive, send: Send, key: str) -> None:
        if not _VALID_KEY.fullmatch(key):
            raise InvalidInput("Idempotency-Key must be 1 to 255 printable ASCII characters")
        principal = await before_answering(identify, scope)
        if principal is None:
            await self.app(scope, receive, send)  # a public path: the access check refused the rest
            return
        settings = scope["app"].state.services.settings
        store = IdempotencyStore(
            scope["app"].state.services.engine, timedelta(hours=settings.idempotency_ttl_hours)
        )
        if scope["path"] in self.streamed:
            streamed = idempotent_stream.StreamedRequest(self.app, store, key, principal.name)
            await streamed.handle(scope, receive, send)
            return
        body = await _read_body(receive)
        who, fingerprint = principal.name, request_hash(scope, body)
        stored = await self._settle(store, key, who, fingerprint, settings.idempotency_wait_seconds)
        if stored is not None:
            await _replay(stored)(scope, receive, send)
            return
        await self._run(scope, receive, send, body, store, key, who)

    async def _settle(
        self, store: IdempotencyStore, key: str, who: str, fingerprint: str, wait: float
    ) -> Stored | None:
        """Claim the key (None) or return the answer to replay, waiting for one in progress."""
        deadline = time.monotonic() + wait
        while True:
            stored = await before_answering(store.claim, key, who, fingerprint)
            if stored is None:
                return None
            while stored.status_code is None and stored.request_hash == fingerprint:
                if time.monotonic() >= deadline:
                    raise Conflict(
                        "a request with this Idempotency-Key is still in progress",
                        headers={"Retry-After": "1"},
                    )
                await asyncio.sleep(_POLL_SECONDS)
                stored = await before_answering(store.load, key, who)
                if stored is None:
                    break
            if stored is None:
                continue  # the first request gave up its claim: try to take it
            if stored.request_hash != fingerprint:
                raise InvalidInput(
                    "this Idempotency-Key was used with a different request",
                    details={"reason": "idempotency_key_reused"},
                )
            return stored

    async def _run(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        body: bytes,
        store: IdempotencyStore,
        key: str,
        who: str,
    ) -> None:
        delivered = False

        async def replay_receive() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        status, answer = await run_keeping_answer(
            self.app, scope, replay_receive, send, partial(store.release, key, who)
        )
        await finish(store, key, who, status, answer)
