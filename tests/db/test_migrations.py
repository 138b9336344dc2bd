"""Migrations: they match the models, run both ways, and an outdated schema stops the server."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, text
from sqlmodel import SQLModel

import app.tables  # noqa: F401  (the whole schema on SQLModel.metadata)
from app.db.engine import make_engine, normalise_url
from app.db.migrate import (
    SchemaOutdated,
    _config,
    current_revision,
    ensure_current,
    head_revision,
    include_object,
    upgrade,
)

_PG = os.environ.get("PARLEY_TEST_DATABASE_URL", "")


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    """A brand-new database of the suite's kind (PostgreSQL: a database of its own)."""
    if not _PG.startswith("postgres"):
        engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
        yield engine
        engine.dispose()
        return
    admin = create_engine(normalise_url(_PG), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS parley_migrations WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE parley_migrations"))
    engine = make_engine(_PG.rsplit("/", 1)[0] + "/parley_migrations")
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS parley_migrations WITH (FORCE)"))
    admin.dispose()


def test_a_new_database_is_created_on_first_start(empty_engine: Engine) -> None:
    ensure_current(empty_engine, auto_migrate=False)

    assert current_revision(empty_engine) == head_revision()


def test_migrations_produce_exactly_the_models(empty_engine: Engine) -> None:
    upgrade(empty_engine)

    with empty_engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": include_object, "compare_type": True}
        )
        assert compare_metadata(context, SQLModel.metadata) == []


def test_an_outdated_schema_refuses_to_start_and_says_what_to_run(empty_engine: Engine) -> None:
    from alembic import command

    with empty_engine.begin() as conn:
        command.upgrade(_config(conn), "0001")

    with pytest.raises(SchemaOutdated, match="parley db upgrade"):
        ensure_current(empty_engine, auto_migrate=False)
    assert current_revision(empty_engine) == "0001"


def test_auto_migrate_upgrades_an_outdated_schema(empty_engine: Engine) -> None:
    from alembic import command

    with empty_engine.begin() as conn:
        command.upgrade(_config(conn), "0001")

    ensure_current(empty_engine, auto_migrate=True)

    assert current_revision(empty_engine) == head_revision()


def test_migrations_downgrade_to_nothing_and_back(empty_engine: Engine) -> None:
    from alembic import command

    upgrade(empty_engine)
    with empty_engine.begin() as conn:
        command.downgrade(_config(conn), "base")
    assert current_revision(empty_engine) is None

    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM record")).scalar_one() == 0
