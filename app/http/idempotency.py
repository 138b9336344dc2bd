"""`Idempotency-Key` on POST, with Stripe's semantics.

The first request with a key claims it (a row inserted before the handler runs); its answer is
stored and replayed, with `Idempotent-Replayed: true`, to every later request with the same key
and the same method, path and body. The same key with another request answers 422. A duplicate
arriving while the first still runs waits up to `idempotency_wait_seconds` for its answer, then
answers 409. Keys are scoped to the caller (API key id, or `anonymous`) and forgotten after
`idempotency_ttl_hours`. Answers saying the request never ran (auth, validation, rate limits,
conflicts) and server errors are not stored: the claim is released so a retry runs afresh.
Replayed bodies are served as JSON: every POST route of this API answers JSON.
"""

import asyncio
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

import anyio
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth.guard import identify
from app.db.engine import DATABASE_UNREACHABLE
from app.db.types import as_utc, utcnow
from app.errors import Conflict, InvalidInput, ParleyError
from app.http.errors import database_unavailable, error_response
from app.http.tables import IdempotentRequest

HEADER = b"idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
_VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")
# Statuses saying the handler did not act: a retry with the same key should run again.
NOT_EXECUTED = frozenset({400, 401, 403, 408, 409, 413, 422, 429})
_POLL_SECONDS = 0.05
T = TypeVar("T")


@dataclass(frozen=True)
class Stored:
    """A claimed key: its request fingerprint and, once answered, the answer."""

    request_hash: str
    status_code: int | None
    body: str | None


def request_hash(scope: Scope, body: bytes) -> str:
    """Fingerprint of method, path, query and body."""
    digest = hashlib.sha256()
    for part in (scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1")):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(body)
    return digest.hexdigest()


class IdempotencyStore:
    """The `idempotent_request` table (blocking calls; run them in a thread)."""

    def __init__(self, engine: Engine, ttl: timedelta) -> None:
        self.engine = engine
        self.ttl = ttl

    def claim(self, key: str, principal: str, fingerprint: str) -> Stored | None:
        """Claim the key (None) or return the row that already holds it."""
        while True:
            with Session(self.engine) as session:
                session.add(
                    IdempotentRequest(key=key, principal=principal, request_hash=fingerprint)
                )
                try:
                    session.commit()
                    return None
                except IntegrityError:
                    session.rollback()
                row = session.get(IdempotentRequest, (key, principal))
                if row is None:
                    continue  # released between our insert and our read
                created = as_utc(row.created_at)
                if created is not None and utcnow() - created > self.ttl:
                    session.delete(row)
                    session.commit()
                    continue
                return Stored(row.request_hash, row.status_code, row.response_body)

    def load(self, key: str, principal: str) -> Stored | None:
        """The row holding the key, if any."""
        with Session(self.engine) as session:
            row = session.get(IdempotentRequest, (key, principal))
            return (
                None
                if row is None
                else Stored(row.request_hash, row.status_code, row.response_body)
            )

    def save(self, key: str, principal: str, status_code: int, body: str) -> None:
        """Store the answer of a claimed key."""
        with Session(self.engine) as session:
            row = session.get(IdempotentRequest, (key, principal))
            if row is not None:
                row.status_code, row.response_body = status_code, body
                session.add(row)
                session.commit()

    def release(self, key: str, principal: str) -> None:
        """Drop an unanswered claim so the key can be used again."""
        with Session(self.engine) as session:
            row = session.get(IdempotentRequest, (key, principal))
            if row is not None and row.status_code is None:
                session.delete(row)
                session.commit()


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


async def _before_answering(call: Callable[..., T], *args: object) -> T:
    """A blocking database call made before the request is answered, in a thread. This
    middleware sits outside the app's handlers: an unreachable database is answered here as
    they answer it (503, Retry-After)."""
    try:
        return await anyio.to_thread.run_sync(call, *args)
    except DATABASE_UNREACHABLE as exc:
        raise database_unavailable(exc) from exc


def _replay(stored: Stored) -> Response:
    assert stored.status_code is not None
    return Response(
        stored.body or "",
        status_code=stored.status_code,
        media_type="application/json",
        headers={REPLAYED_HEADER: "true"},
    )


class IdempotencyMiddleware:
    """Pure ASGI middleware applying `Idempotency-Key` to POST requests."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

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
        principal = await _before_answering(identify, scope)
        if principal is None:
            await self.app(scope, receive, send)  # a public path: the access check refused the rest
            return
        body = await _read_body(receive)
        settings = scope["app"].state.services.settings
        store = IdempotencyStore(
            scope["app"].state.services.engine, timedelta(hours=settings.idempotency_ttl_hours)
        )
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
            stored = await _before_answering(store.claim, key, who, fingerprint)
            if stored is None:
                return None
            while stored.status_code is None and stored.request_hash == fingerprint:
                if time.monotonic() >= deadline:
                    raise Conflict(
                        "a request with this Idempotency-Key is still in progress",
                        headers={"Retry-After": "1"},
                    )
                await asyncio.sleep(_POLL_SECONDS)
                stored = await _before_answering(store.load, key, who)
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
        status, chunks, delivered = 0, [], False

        async def replay_receive() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_receive, capture)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(store.release, key, who)
            raise
        await self._finish(store, key, who, status, b"".join(chunks))

    @staticmethod
    async def _finish(
        store: IdempotencyStore, key: str, who: str, status: int, body: bytes
    ) -> None:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is None or status >= 500 or status in NOT_EXECUTED:
            await anyio.to_thread.run_sync(store.release, key, who)
        else:
            await anyio.to_thread.run_sync(store.save, key, who, status, text)
