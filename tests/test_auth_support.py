"""Helpers for the access, limits, idempotency, metrics and logs tests: the real app over ASGI
with chosen settings, and API keys minted straight into the test database."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from asgi_lifespan import LifespanManager

from app.auth.keys import Scope, create_key
from app.config import Settings
from app.db import make_engine, transaction
from app.migrate import ensure_current


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The real app, lifespan and all, over ASGI (one at a time: DBOS is process-wide)."""
    from app.main import create_app

    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://parley.test") as c:
            yield c


def mint(database_url: str, *scopes: Scope, name: str | None = None) -> str:
    """Create a key with `scopes` in the database and return its plaintext."""
    engine = make_engine(database_url)
    try:
        ensure_current(engine, auto_migrate=False)
        with transaction(engine) as session:
            return create_key(session, set(scopes), name).plaintext
    finally:
        engine.dispose()


def bearer(key: str) -> dict[str, str]:
    """The Authorization header carrying `key`."""
    return {"Authorization": f"Bearer {key}"}
