"""Where `Idempotency-Key` answers are kept: the `idempotent_request` table, claimed before a
request runs and given its answer after (`app.http.idempotency` applies the semantics)."""

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

import anyio
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db.engine import DATABASE_UNREACHABLE
from app.db.types import as_utc, utcnow
from app.http.errors import database_unavailable
from app.http.tables import IdempotentRequest

# Statuses saying the handler did not act: a retry with the same key should run again.
NOT_EXECUTED = frozenset({400, 401, 403, 408, 409, 413, 422, 429})
REPLAYED_HEADER = "Idempotent-Replayed"
T = TypeVar("T")


def request_digest(scope: Scope) -> "hashlib._Hash":
    """A fingerprint of method, path and query, for the body to be added to."""
    digest = hashlib.sha256()
    for part in (scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1")):
        digest.update(part.encode("utf-8") + b"\0")
    return digest


def request_hash(scope: Scope, body: bytes) -> str:
    """Fingerprint of method, path, query and body."""
    digest = request_digest(scope)
    digest.update(body)
    return digest.hexdigest()


@dataclass(frozen=True)
class Stored:
    """A claimed key: its request fingerprint and, once answered, the answer."""

    request_hash: str
    status_code: int | None
    body: str | None


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

    def save(
        self, key: str, principal: str, status_code: int, body: str, fingerprint: str | None = None
    ) -> None:
        """Store the answer of a claimed key (and the request's fingerprint, for a streamed
        request claimed before its body was read)."""
        with Session(self.engine) as session:
            row = session.get(IdempotentRequest, (key, principal))
            if row is not None:
                row.status_code, row.response_body = status_code, body
                row.request_hash = fingerprint or row.request_hash
                session.add(row)
                session.commit()

    def release(self, key: str, principal: str) -> None:
        """Drop an unanswered claim so the key can be used again."""
        with Session(self.engine) as session:
            row = session.get(IdempotentRequest, (key, principal))
            if row is not None and row.status_code is None:
                session.delete(row)
                session.commit()


async def before_answering(call: Callable[..., T], *args: object) -> T:
    """A blocking database call made before the request is answered, in a thread. This
    middleware sits outside the app's handlers: an unreachable database is answered here as
    they answer it (503, Retry-After)."""
    try:
        return await anyio.to_thread.run_sync(call, *args)
    except DATABASE_UNREACHABLE as exc:
        raise database_unavailable(exc) from exc


async def finish(
    store: IdempotencyStore,
    key: str,
    who: str,
    status: int,
    body: bytes,
    fingerprint: str | None = None,
) -> None:
    """Store the answer to replay, or release the key when the request did not act."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or status >= 500 or status in NOT_EXECUTED:
        await anyio.to_thread.run_sync(store.release, key, who)
    else:
        await anyio.to_thread.run_sync(store.save, key, who, status, text, fingerprint)


async def run_keeping_answer(
    app: ASGIApp,
    scope: Scope,
    receive: Receive,
    send: Send,
    release: Callable[[], None],
    before_last_chunk: Callable[[], Awaitable[None]] | None = None,
) -> tuple[int, bytes]:
    """Run `app`, passing its answer on while keeping a copy (status, body); the claim is
    released (`release`, in a thread, even when cancelled) if the app fails."""
    status, chunks = 0, []

    async def capture(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if before_last_chunk is not None and not message.get("more_body", False):
                await before_last_chunk()
        await send(message)

    try:
        await app(scope, receive, capture)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(release)
        raise
    return status, b"".join(chunks)
