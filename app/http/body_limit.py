"""Request bodies capped while they stream (OWASP API4): 413 once a body passes the limit."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PayloadTooLarge
from app.http.errors import error_response


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
    as soon as the streamed (e.g. chunked) body passes the limit. Routes at `own_limits` paths
    read their bodies as streams under limits of their own (`POST /v1/articles/bulk`)."""

    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int | None = None,
        own_limits: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.own_limits = own_limits

    def _limit(self, scope: Scope) -> int:
        if self.max_body_bytes is not None:
            return self.max_body_bytes
        limit: int = scope["app"].state.services.settings.max_body_bytes
        return limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.own_limits:
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
        error = PayloadTooLarge(f"the request body exceeds {limit} bytes")
        await error_response(error)(scope, receive, send)
