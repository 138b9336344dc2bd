"""Limits (OWASP API4): request bodies capped while streaming, per-key rate limits, and a daily
LLM token budget the pipeline consults before spending."""

import math
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PayloadTooLarge, TooManyRequests
from app.models import Extraction


class _BodyTooLarge(Exception):
    """Raised from `receive` once a streamed body passes the limit."""


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimitMiddleware:
    """Answer 413 for bodies over `max_body_bytes`: at once when Content-Length says so, else
    as soon as the streamed (e.g. chunked) body passes the limit."""

    def __init__(self, app: ASGIApp, max_body_bytes: int | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    def _limit(self, scope: Scope) -> int:
        if self.max_body_bytes is not None:
            return self.max_body_bytes
        limit: int = scope["app"].state.runtime.settings.max_body_bytes
        return limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await self._reject(scope, receive, send, limit)
            return
        received = 0
        exceeded = started = False

        async def capped_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the app's answer to the aborted read; ours replaces it
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, capped_receive, guarded_send)
        except _BodyTooLarge:
            if started:
                raise
        if exceeded and not started:
            await self._reject(scope, receive, send, limit)

    @staticmethod
    async def _reject(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        from app.api.errors import error_response

        error = PayloadTooLarge(f"the request body exceeds {limit} bytes")
        await error_response(error)(scope, receive, send)


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets in memory, one per caller: `per_minute` sustained, `burst` at once.

    Per process: with several workers each enforces its own share.
    """

    MAX_BUCKETS = 10_000

    def __init__(self, per_minute: int | None, burst: int) -> None:
        self.rate = per_minute / 60.0 if per_minute else None
        self.burst = float(burst)
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, caller: str) -> None:
        """Spend one request of `caller`'s allowance, or raise TooManyRequests (429)."""
        wait = self.wait_for(caller)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise TooManyRequests(
                f"rate limit exceeded; retry in {seconds} s",
                details={"retry_after": seconds},
                headers={"Retry-After": str(seconds)},
            )

    def wait_for(self, caller: str) -> float:
        """Spend a token and return 0, or return the seconds until one is available."""
        if self.rate is None:
            return 0.0
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(caller)
            if bucket is None:
                self._prune(now)
                bucket = self._buckets[caller] = _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / self.rate

    def _prune(self, now: float) -> None:
        # Buckets that have refilled completely carry no information; drop them.
        if len(self._buckets) < self.MAX_BUCKETS or self.rate is None:
            return
        full_after = self.burst / self.rate
        for caller in [c for c, b in self._buckets.items() if now - b.updated >= full_after]:
            del self._buckets[caller]


@dataclass(frozen=True)
class BudgetStatus:
    """Today's LLM spending against the budget."""

    spent: int
    limit: int | None
    resets_at: datetime

    @property
    def allowed(self) -> bool:
        """Whether more LLM calls may be made today."""
        return self.limit is None or self.spent < self.limit


class TokenBudget:
    """The daily LLM token budget: tokens recorded on today's (UTC) extractions."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit

    def status(self, session: Session, now: datetime | None = None) -> BudgetStatus:
        """Tokens spent since midnight UTC, the limit, and when the budget resets."""
        now = now or datetime.now(UTC)
        midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        resets_at = midnight + timedelta(days=1)
        if self.limit is None:
            return BudgetStatus(spent=0, limit=None, resets_at=resets_at)
        total: Any = func.coalesce(
            func.sum(Extraction.prompt_tokens + Extraction.completion_tokens), 0
        )
        spent = session.exec(select(total).where(col(Extraction.created_at) >= midnight)).one()
        return BudgetStatus(spent=int(spent), limit=self.limit, resets_at=resets_at)

    def allows(self, session: Session, now: datetime | None = None) -> bool:
        """Whether an article may spend LLM tokens now."""
        return self.status(session, now).allowed
