"""`Idempotency-Key` for a route whose request body streams (`POST /v1/articles/bulk`): the body
is never held in memory, only its fingerprint.

The first request claims the key before its body is read (fingerprint unknown yet), runs while
the body is hashed on its way to the route, and stores its whole answer (one short line per
article) with the fingerprint once it ends; before the answer's last chunk goes out, the part
of the body the route left unread is hashed too. A later request with the same key has its body
hashed (read, not kept) and gets the stored answer when the fingerprints match, 422 when they
do not, 409 while the first is still running after `idempotency_wait_seconds`, and 409 too when
the first ended without an answer to keep (its claim released): sending it again then runs it.
Fingerprints cover the first `bulk_max_bytes` + 1 bytes of the body, as far as a route reads.
"""

import asyncio
import hashlib
import time
from functools import partial

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import Conflict, InvalidInput
from app.http.idempotency_store import (
    REPLAYED_HEADER,
    IdempotencyStore,
    Stored,
    before_answering,
    finish,
    request_digest,
    run_keeping_answer,
)

# The fingerprint of a streamed request still running, its body not yet read whole.
PENDING = "streaming"
MEDIA_TYPE = "application/x-ndjson"
_POLL_SECONDS = 0.05


class _Fingerprint:
    """The request's fingerprint, its body added chunk by chunk up to `limit` + 1 bytes."""

    def __init__(self, scope: Scope, limit: int) -> None:
        self.digest: hashlib._Hash = request_digest(scope)
        self.left = limit + 1
        self.more = True  # whether the body has chunks not received yet

    def add(self, message: Message) -> None:
        """Add a received body chunk."""
        body = message.get("body", b"")[: self.left]
        self.digest.update(body)
        self.left -= len(body)
        self.more = bool(message.get("more_body", False))

    async def rest(self, receive: Receive) -> None:
        """Add what is left of the body, as far as the limit."""
        while self.more and self.left > 0:
            message = await receive()
            if message["type"] != "http.request":
                return
            self.add(message)


class StreamedRequest:
    """One POST with an `Idempotency-Key` to a streamed route."""

    def __init__(self, app: ASGIApp, store: IdempotencyStore, key: str, who: str) -> None:
        self.app, self.store, self.key, self.who = app, store, key, who

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request (claiming the key), or answer as the key's first request did."""
        settings = scope["app"].state.services.settings
        body = _Fingerprint(scope, settings.bulk_max_bytes)
        stored = await before_answering(self.store.claim, self.key, self.who, PENDING)
        if stored is None:
            await self._run(scope, receive, send, body)
            return
        await body.rest(receive)
        fingerprint = body.digest.hexdigest()
        answer = await self._answer(stored, fingerprint, settings.idempotency_wait_seconds)
        replay = Response(
            answer.body or "",
            status_code=answer.status_code or 200,
            media_type=MEDIA_TYPE,
            headers={REPLAYED_HEADER: "true"},
        )
        await replay(scope, receive, send)

    async def _answer(self, stored: Stored | None, fingerprint: str, wait: float) -> Stored:
        deadline = time.monotonic() + wait
        while stored is not None and stored.status_code is None:
            if stored.request_hash not in (PENDING, fingerprint):
                break
            if time.monotonic() >= deadline:
                raise Conflict(
                    "a request with this Idempotency-Key is still in progress",
                    headers={"Retry-After": "1"},
                )
            await asyncio.sleep(_POLL_SECONDS)
            stored = await before_answering(self.store.load, self.key, self.who)
        if stored is None:
            raise Conflict(
                "the first request with this Idempotency-Key ended without an answer to "
                "replay; send it again",
                headers={"Retry-After": "1"},
            )
        if stored.request_hash != fingerprint:
            raise InvalidInput(
                "this Idempotency-Key was used with a different request",
                details={"reason": "idempotency_key_reused"},
            )
        return stored

    async def _run(self, scope: Scope, receive: Receive, send: Send, body: _Fingerprint) -> None:
        async def hashing_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                body.add(message)
            return message

        async def hash_the_rest() -> None:
            await body.rest(receive)  # while the request is still open

        status, answer = await run_keeping_answer(
            self.app,
            scope,
            hashing_receive,
            send,
            partial(self.store.release, self.key, self.who),
            before_last_chunk=hash_the_rest,
        )
        fingerprint = body.digest.hexdigest()
        await finish(self.store, self.key, self.who, status, answer, fingerprint)
