"""A request id on every request (echoed as `X-Request-ID`) and one access log line each."""

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.metrics import route_template
from app.observability.logs import redact, request_id

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
access_log = logging.getLogger("parley.access")


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            # An id that carries a secret (a client sending its key) is replaced, not logged.
            sane = _SANE_ID.fullmatch(candidate) and redact(candidate) == candidate
            return candidate if sane else None
    return None


class RequestIdMiddleware:
    """Give each request an id (a sane incoming `X-Request-ID`, else a new one), echo it in
    the response, and log one access line per request (route template, status, duration)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _incoming_id(scope) or uuid.uuid4().hex
        token = request_id.set(rid)
        status, started = 500, time.perf_counter()

        async def tag(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                message = {**message, "headers": [*headers, (b"x-request-id", rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, tag)
        finally:
            _log_access(scope, status, time.perf_counter() - started)
            request_id.reset(token)


def _log_access(scope: Scope, status: int, seconds: float) -> None:
    route = route_template(scope)
    access_log.info(
        "%s %s %d",
        scope["method"],
        route,
        status,
        extra={
            "method": scope["method"],
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
        },
    )
