"""Test databases: one SQLite file per test, or one PostgreSQL database per pytest worker.

With PARLEY_TEST_DATABASE_URL pointing at PostgreSQL, each xdist worker gets its own database
(`<name>_<run>_<worker>`), created fresh and migrated once, then emptied before each test; DBOS
keeps its `dbos` schema inside it. Without it, every test gets a new SQLite file.
"""

import atexit
import functools
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from dbos import DBOS
from psycopg.errors import DeadlockDetected, LockNotAvailable
from sqlalchemy import Connection, Engine, make_url, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from app.articles.tables import Article
from app.config import Settings
from app.db.engine import make_engine
from app.db.migrate import upgrade

_WIPE_ATTEMPTS = 5
_EVICT_OTHERS = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
)
APP_TABLES = (
    *("change", "event_anchor", "event_country", "event_mediator", "event", "process"),
    *("record_country", "record_mediator", "record", "extraction", "article", "feed", "api_key"),
    *("idempotent_request", "desk_session"),
)

# DBOS's record of work (its migrations and queue definitions stay).
DBOS_WORK_TABLES = frozenset(
    {
        "workflow_status",
        "operation_outputs",
        "notifications",
        "workflow_events",
        "workflow_events_history",
        "streams",
        "workflow_input",
        "workflow_output",
        "workflow_schedules",
    }
)


def postgres_url() -> str | None:
    """The PostgreSQL server tests run against, if any."""
    url = os.environ.get("PARLEY_TEST_DATABASE_URL", "")
    return url if url.startswith("postgres") else None


@contextmanager
def worker_database(server_url: str, worker: str) -> Iterator[str]:
    """A new, migrated PostgreSQL database for one pytest worker, dropped afterwards."""
    url = make_url(server_url)
    name = f"{url.database}_{worker}"
    recreate_database(server_url, name, create=True)
    worker_url = url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(worker_url)
    upgrade(engine)
    engine.dispose()
    try:
        yield worker_url
    finally:
        recreate_database(server_url, name, create=False)


def fresh_database(tmp: Path, postgres: str | None) -> str:
    """An empty migrated database: a new SQLite file, or the worker's PostgreSQL emptied."""
    if postgres is None:
        return f"sqlite:///{_copy_once(_templates() / 'parley.db', tmp)}"
    engine = make_engine(postgres)
    try:
        wipe(engine, evict=True)
    finally:
        engine.dispose()
    return postgres


def fresh_dbos_database(tmp: Path, database_url: str) -> str | None:
    """Beside a SQLite test database, a new DBOS system database (already migrated) in `tmp`;
    None beside PostgreSQL, whose DBOS keeps its schema in the test database."""
    if not database_url.startswith("sqlite"):
        return None
    return f"sqlite:///{_copy_once(_templates() / 'dbos.db', tmp)}"


def _copy_once(template: Path, folder: Path) -> Path:
    """`template` copied into `folder`, unless an earlier call of the same test put it there
    (settings built twice for one database: the second app must find the first one's work)."""
    path = folder / template.name
    if not path.exists():
        shutil.copyfile(template, path)
    return path


@functools.cache
def _templates() -> Path:
    """Empty SQLite databases at the newest migration, Parley's and DBOS's, made once per test
    process: copying one costs a millisecond where migrating a new file cost 0.1-0.3 s, in
    every test that has one. (tests/db/test_migrations.py runs the migrations from scratch.)"""
    folder = Path(tempfile.mkdtemp(prefix="parley-migrated-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    engine = make_engine(f"sqlite:///{folder / 'parley.db'}")
    try:
        upgrade(engine)
    finally:
        engine.dispose()  # the last connection closing folds the write-ahead log into the file
    DBOS.migrate(f"sqlite:///{folder / 'dbos.db'}")
    assert not list(folder.glob("*-wal")), "a template is not one file"
    return folder


def wipe(engine: Engine, *, evict: bool = False) -> None:
    """Empty the application tables and DBOS's record of work, retrying a lock conflict.

    With `evict`, first end every other session on this database: an earlier test's app, shut
    down without a grace period, may still hold a transaction open from a workflow thread, and
    emptying then deadlocks with it (seen in CI) or its late writes land in the next test.
    """
    for attempt in range(1, _WIPE_ATTEMPTS + 1):
        try:
            with engine.begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '10s'"))
                if evict:
                    conn.execute(text(_EVICT_OTHERS))
                _empty(conn)
            return
        except OperationalError as exc:
            if attempt == _WIPE_ATTEMPTS or not _lock_conflict(exc):
                raise
            time.sleep(0.2 * attempt)


def _empty(conn: Connection) -> None:
    """Delete every row and restart the ids. DELETE, not TRUNCATE: on tables this small it
    took 0.02-0.06 s where TRUNCATE, which gives each table new files, took 0.2 s a test."""
    # No foreign-key checks while emptying: every table goes, so the order does not matter.
    conn.execute(text("SET LOCAL session_replication_role = replica"))
    for table in APP_TABLES:
        conn.execute(text(f"DELETE FROM {table}"))
    # The queue's state too: a job an earlier test left queued would otherwise run here,
    # against the new rows that reuse its article's id.
    dbos_tables = _names(conn, "SELECT tablename FROM pg_tables WHERE schemaname = 'dbos'")
    for table in dbos_tables & DBOS_WORK_TABLES:
        conn.execute(text(f"DELETE FROM dbos.{table}"))
    sequences = _names(conn, "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
    for sequence in sequences:
        conn.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))


def _names(conn: Connection, query: str) -> set[str]:
    """The names a catalog query lists."""
    return set(conn.execute(text(query)).scalars())


def _lock_conflict(exc: OperationalError) -> bool:
    return isinstance(exc.orig, DeadlockDetected | LockNotAvailable)


# How often a test app's queues look for work. Every live app polls each of its four queues
# this often, so shorter intervals buy a few milliseconds per job at a price in CPU that the
# whole suite pays (at 20 ms, polling idle queues took about a tenth of a loaded run's CPU; on
# PostgreSQL each poll is several queries: at 50 and 100 ms, records, review, articles and events
# took 10% more CPU than at 100 and 500 ms). An idle `parley serve` on SQLite spent 13.9% of a
# core at 100 and 500 ms, 7.8% at 250 ms and 1 s, 3.3% with its queues not polling at all; CI's
# test workers keep an app each alive nearly all the time, beside the process tests' servers.
QUEUE_POLL_SECONDS = 0.25
BACKGROUND_QUEUE_POLL_SECONDS = 1.0


def module_settings(tmp: Path, database_url: str, **overrides: Any) -> Settings:
    """Settings for an app a whole test module shares: its database, a fast queue."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "dbos_database_url": fresh_dbos_database(tmp, database_url),
        "queue_poll_seconds": QUEUE_POLL_SECONDS,
        "background_queue_poll_seconds": BACKGROUND_QUEUE_POLL_SECONDS,
        "queue_rate_limit": 100_000,
        "shutdown_grace_seconds": 0,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@contextmanager
def postgres_database(prefix: str) -> Iterator[str]:
    """A fresh database beside PARLEY_TEST_DATABASE_URL's, dropped afterwards; skips without
    PostgreSQL. Its own database, because the rest of the suite wipes the test database's
    schemas; named after this process, so two test runs at once do not drop each other's.
    """
    admin_url = os.environ.get("PARLEY_TEST_DATABASE_URL", "")
    if not admin_url.startswith("postgres"):
        pytest.skip("needs PostgreSQL: set PARLEY_TEST_DATABASE_URL")
    name = f"{prefix}_{os.getpid()}"
    recreate_database(admin_url, name, create=True)
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        recreate_database(admin_url, name, create=False)


def recreate_database(admin_url: str, name: str, *, create: bool) -> None:
    """Drop the database `name` on `admin_url`'s server, and create it anew when `create`."""
    admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if create:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def stored_articles(database_url: str) -> list[Article]:
    """Every article in the database, in id order (read with an engine of its own)."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(Article).order_by(col(Article.id))).all())
    finally:
        engine.dispose()
