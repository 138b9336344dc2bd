"""Schema migrations (Alembic) and the start-up check that the schema is current.

Policy: a new, empty database is created on first start; an existing database behind the code
is never migrated behind the operator's back unless `PARLEY_AUTO_MIGRATE=true`: the process
refuses to start and says to run `parley db upgrade`.
"""

import functools

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from app.config import resource_dir

# Any constant works; it only has to be the same in every Parley process.
_PG_MIGRATION_LOCK = 7_202_611


class SchemaOutdated(RuntimeError):
    """The database schema is older than the code."""


def include_object(obj: object, name: str | None, type_: str, *_: object) -> bool:
    """Autogenerate filter: full-text search objects are made by hand per dialect (see 0001)."""
    if type_ == "table" and name and name.startswith("record_fts"):
        return False
    return name not in ("search_vector", "ix_record_search_vector")


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resource_dir("migrations")))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@functools.cache  # the shipped migrations do not change while a process runs
def head_revision() -> str | None:
    """The newest migration this code ships."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at; None for a new database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Apply every pending migration; concurrent callers on PostgreSQL take turns."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        command.upgrade(_config(conn), "head")


def ensure_current(engine: Engine, *, auto_migrate: bool) -> None:
    """Create a new database, or check (or, if allowed, bring) an existing one up to date."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    if current is None or auto_migrate:
        upgrade(engine)
        return
    raise SchemaOutdated(
        f"the database schema is at revision {current} but this Parley needs {head}: "
        "run `parley db upgrade` (or set PARLEY_AUTO_MIGRATE=true)"
    )
