"""Alembic environment: migrates the database named by Parley's settings or the caller's engine."""

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from app.config import get_settings
from app.db import make_engine

target_metadata = SQLModel.metadata


def _include_object(obj: object, name: str | None, type_: str, *_: object) -> bool:
    # Full-text search objects are created by hand per dialect (see 0001), not by the models.
    if type_ == "table" and name and name.startswith("record_fts"):
        return False
    return not (type_ == "column" and name == "search_vector")


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations on a connection handed over by Parley, or on the configured database."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(
        context.config.get_main_option("sqlalchemy.url") or get_settings().database_url
    )
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


run_migrations_online()
