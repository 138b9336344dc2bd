"""API keys minted straight into a test database, and the header that presents one."""

from app.auth.keys import Scope, create_key
from app.db.engine import make_engine
from app.db.migrate import ensure_current
from app.db.unit import transaction


def mint(database_url: str, *scopes: Scope, name: str | None = None) -> str:
    """Create a key with `scopes` in the database and return its plaintext."""
    engine = make_engine(database_url)
    try:
        ensure_current(engine, auto_migrate=False)
        with transaction(engine) as unit:
            return create_key(unit.session, set(scopes), name).plaintext
    finally:
        engine.dispose()


def bearer(key: str) -> dict[str, str]:
    """The Authorization header carrying `key`."""
    return {"Authorization": f"Bearer {key}"}
