"""Databases the benchmarks run against: a fresh SQLite file, or a PostgreSQL database of
their own (`parley_bench`), dropped and created again, so the test suite's is never touched.
"""

from pathlib import Path

import psycopg
from psycopg import sql

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/parley_bench"


def fresh_postgres(url: str = DEFAULT_POSTGRES) -> str:
    """Drop and recreate the database `url` names; return `url`."""
    base, _, name = url.rpartition("/")
    if name in ("", "postgres", "test", "template0", "template1"):
        raise ValueError(f"refusing to recreate database {name!r}: give the benchmark its own")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url


def fresh_database(kind: str, workdir: Path, postgres_url: str = DEFAULT_POSTGRES) -> str:
    """A new, empty database of `kind` ("sqlite" or "postgres") and its URL."""
    if kind == "sqlite":
        path = workdir / "parley.db"
        for stale in workdir.glob("parley.db*"):
            stale.unlink()
        return f"sqlite:///{path}"
    return fresh_postgres(postgres_url)
