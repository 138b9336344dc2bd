"""Migrations: they match the models, run both ways, and an outdated schema stops the server."""

import os
from collections.abc import Iterator
from datetime import UTC, datetime
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
def empty_engine(tmp_path: Path, postgres_ready: str | None) -> Iterator[Engine]:
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


def test_upgrading_remembers_the_url_each_existing_article_was_sent_as(
    empty_engine: Engine,
) -> None:
    from alembic import command

    with empty_engine.begin() as conn:
        command.upgrade(_config(conn), "0002")
        now = datetime.now(UTC)
        for article_id, url, canonical, duplicate_of in [
            (1, "https://News.example/story?utm_source=x", "https://news.example/a/?id=4", None),
            (2, "https://news.example/story?utm_medium=y#top", None, 1),
            (3, None, None, None),
        ]:
            conn.execute(
                text(
                    "INSERT INTO article (id, status, url, canonical_url, duplicate_of, attempts,"
                    " job_key, created_at, updated_at)"
                    " VALUES (:id, 'done', :url, :canonical, :dup, 0, :key, :now, :now)"
                ),
                {
                    "id": article_id,
                    "url": url,
                    "canonical": canonical,
                    "dup": duplicate_of,
                    "key": f"job{article_id}",
                    "now": now,
                },
            )

    upgrade(empty_engine)

    with empty_engine.connect() as conn:
        rows = conn.execute(text("SELECT id, posted_url FROM article ORDER BY id")).all()
    # The earliest article keeps the URL; its later duplicate posted the same one.
    assert [tuple(row) for row in rows] == [(1, "https://news.example/story"), (2, None), (3, None)]
