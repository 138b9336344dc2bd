"""Who is calling, and may they: checked for every request before its body is read.

Auth is enforced once any API key exists (or `PARLEY_REQUIRE_AUTH=true`); before that the API is
open for local use. The scope a request needs follows from its method and path, so a new route
is covered the moment it exists (`app.http.access` calls `authorise` for every path but the
public ones): GET/HEAD/OPTIONS need `read`, other methods need `ingest`, anything under
/v1/admin needs `admin`; `admin` grants everything. Every request counts against its caller's
rate limit, whatever it answers.

A key travels as `Authorization: Bearer`. A browser signed in to the desk (app.auth.sessions)
may also read the API with its session cookie, on safe methods only: a link to an export opens
in the browser, and no cookie can change anything (the desk's forms carry a CSRF token).
"""

import time
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.types import Scope as AsgiScope

from app.auth import keys, sessions
from app.auth.keys import Scope
from app.auth.rate_limit import RateLimiter
from app.config import Settings
from app.errors import Forbidden, Unauthorized

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ADMIN_PREFIX = "/v1/admin"
_PRINCIPAL = "parley.principal"
_UNSET = object()


@dataclass(frozen=True)
class Principal:
    """The caller: an API key, or anyone while the API is open."""

    key_id: int | None
    scopes: frozenset[Scope]
    key_name: str | None = None

    @property
    def name(self) -> str:
        """A stable label: `key:<id>` or `anonymous`."""
        return f"key:{self.key_id}" if self.key_id is not None else "anonymous"

    @property
    def who(self) -> str:
        """Who made a change, for history: the key's name (`key:<id>` when it has none)."""
        return self.key_name or self.name


ANONYMOUS = Principal(key_id=None, scopes=frozenset(Scope))


class KeyPresence:
    """Caches whether auth is enforced: checked on every request, so read at most every `ttl`."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._answer = False
        self._checked_at = float("-inf")

    def enforced(self, engine: Engine, settings: Settings) -> bool:
        """Whether requests must present a key."""
        if settings.require_auth or self._answer:
            return True
        # Keys are created by `parley keys create`, another process: a new key is noticed
        # within `ttl`, and once one exists the answer never goes back.
        if time.monotonic() - self._checked_at >= self.ttl:
            with Session(engine) as session:
                self._answer = keys.any_key_exists(session)
            self._checked_at = time.monotonic()
        return self._answer


@dataclass
class Access:
    """Per-app access state: settings, database, key-presence cache, rate limiter."""

    settings: Settings
    engine: Engine
    presence: KeyPresence
    limiter: RateLimiter


def install(app: FastAPI, settings: Settings, engine: Engine) -> Access:
    """Attach the access state to `app` (from its lifespan)."""
    limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    access = Access(settings, engine, KeyPresence(settings.auth_cache_seconds), limiter)
    app.state.access = access
    return access


def bearer_token(scope: AsgiScope) -> str | None:
    """The token of an `Authorization: Bearer` header, if any."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer":
                return None
            return token.strip() or None
    return None


def session_token(scope: AsgiScope) -> str | None:
    """The desk session cookie's token, if the request carries one."""
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            try:
                jar = SimpleCookie(value.decode("latin-1"))
            except CookieError:
                return None
            morsel = jar.get(sessions.COOKIE)
            if morsel is not None:
                return morsel.value
    return None


def identify(scope: AsgiScope) -> Principal | None:
    """The request's principal; None when auth is enforced and no live key was presented.

    Blocking (database); the answer is cached in the request scope.
    """
    cached = scope.get(_PRINCIPAL, _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[no-any-return]
    access: Access = scope["app"].state.access
    principal: Principal | None = ANONYMOUS
    if access.presence.enforced(access.engine, access.settings):
        principal = _authenticate(access, scope)
    scope[_PRINCIPAL] = principal
    return principal


def _lookup(engine: Engine, token: str | None) -> Principal | None:
    if token is None:
        return None
    with Session(engine, expire_on_commit=False) as session:
        key = keys.find_key(session, token)
        if key is None:
            return None
        keys.touch(session, key)
        session.commit()
        return Principal(key_id=key.id, scopes=keys.parse_scopes(key.scopes), key_name=key.name)


def _authenticate(access: Access, scope: AsgiScope) -> Principal | None:
    """A bearer key; else, on a safe method, a desk session cookie."""
    token = bearer_token(scope)
    if token is None and scope.get("method") in SAFE_METHODS:
        cookie = session_token(scope)
        if cookie is not None:
            return _signed(access, cookie)
    return _lookup(access.engine, token)


def _signed(access: Access, token: str) -> Principal | None:
    with Session(access.engine) as session:
        signed = sessions.find_session(session, token)
        if signed is None:
            return None
        key = signed.key
        return Principal(key_id=key.id, scopes=keys.parse_scopes(key.scopes), key_name=key.name)


# Changing what the machine found (records, events) is review, not ingest.
REVIEW_PREFIXES = ("/v1/records/", "/v1/events/")


def needed_scope(method: str, path: str) -> Scope:
    """The scope a request needs, from its method and path."""
    if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
        return Scope.ADMIN
    if method.upper() in SAFE_METHODS:
        return Scope.READ
    return Scope.REVIEW if path.startswith(REVIEW_PREFIXES) else Scope.INGEST


def throttle(scope: AsgiScope) -> None:
    """Count a request against its client address's rate limit (429 past it)."""
    access: Access = scope["app"].state.access
    client = scope.get("client")
    access.limiter.take(f"ip:{client[0] if client else 'unknown'}")


def authorise(scope: AsgiScope) -> Principal:
    """Rate-limit, authenticate (401) and authorise (403) a request. Blocking (database)."""
    access: Access = scope["app"].state.access
    principal = identify(scope)
    if principal is not None and principal.key_id is not None:
        access.limiter.take(principal.name)
    else:
        throttle(scope)
    if principal is None:
        presented = bearer_token(scope) is not None
        raise Unauthorized(
            "the API key is not valid" if presented else "an API key is required",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"' if presented else "Bearer"},
        )
    needed = needed_scope(scope["method"], scope["path"])
    if not keys.grants(principal.scopes, needed):
        raise Forbidden(
            f"this API key lacks the '{needed.value}' scope", details={"needed": needed.value}
        )
    return principal
