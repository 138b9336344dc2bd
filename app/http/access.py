"""Access control for every request, before its body is read: rate limit, key, scope.

A pure ASGI middleware rather than a route dependency, so that a request without a valid key
is refused before a byte of its body is read or parsed, and so that every request (a replay of
an idempotent POST, malformed JSON) counts against its caller's rate limit. Deny by default:
only the paths in PUBLIC pass unchecked.

The desk's pages (DESK, app.desk) are for people in a browser: they answer in HTML, sign people
in with a session cookie, and check that session (and every form's CSRF token) on each of their
routes, redirecting to the sign-in page rather than answering 401. Here they are only counted
against the client's rate limit.
"""

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from app.auth.guard import authorise, throttle
from app.db.engine import DATABASE_UNREACHABLE
from app.errors import ParleyError
from app.http.errors import database_unavailable, error_response

PUBLIC = frozenset({"/healthz", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})
DESK = "/desk"


def is_desk(path: str) -> bool:
    """Whether a path belongs to the desk, which checks its own sessions."""
    return path == DESK or path.startswith(DESK + "/")


class AccessMiddleware:
    """Answer 401/403/429 before the app sees a request that may not go on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in PUBLIC:
            await self.app(scope, receive, send)
            return
        check = throttle if is_desk(scope["path"]) else authorise
        try:
            await anyio.to_thread.run_sync(check, scope)
        except ParleyError as error:
            await error_response(error)(scope, receive, send)
            return
        except DATABASE_UNREACHABLE as exc:  # outside the app's handlers: render it here
            await error_response(database_unavailable(exc))(scope, receive, send)
            return
        await self.app(scope, receive, send)
