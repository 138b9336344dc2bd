"""Writing a synthetic store straight into a migrated database, fast: one transaction of
executemany batches on SQLite (journal and fsync off for the load only), COPY on PostgreSQL.

The schema ends as migrated. Secondary indexes (and SQLite's full-text triggers) are dropped
for the load and made again after it, in one pass each, the full-text index rebuilt; on
PostgreSQL the generated search column fills as rows go in, and foreign-key triggers are off
while loading (rows go in parents first).
"""

import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import psycopg
from sqlalchemy import make_url

from bench.event_rows import COLUMNS, TABLES, Process, Row, Rows, row
from bench.event_world import Country, Development

CHUNK = 20_000  # records per batch written
_SERIAL = ("process", "article", "extraction", "event", "record")


class Sink(Protocol):
    """Where rows go."""

    def write(self, tables: dict[str, list[Row]]) -> None:
        """Append rows, table by table in `TABLES` order."""

    def close_processes(self, rows: list[Row], unused: list[int]) -> None:
        """Write the processes' final rows; drop the ones no event joined."""


@dataclass(frozen=True)
class Loaded:
    """What went in and how long it took."""

    records: int
    events: int
    seconds: float


def load(url: str, countries: Iterable[Country], developments: Iterable[Development]) -> Loaded:
    """Write the developments' rows into the database at `url` (migrated, empty)."""
    started = time.perf_counter()
    rows = Rows(countries)
    with sink_for(url) as sink:
        sink.write({"process": [_placeholder(p) for p in rows.processes.values()]})
        for development in developments:
            rows.add(development)
            if len(rows.tables["record"]) >= CHUNK:
                sink.write(rows.take())
        sink.write(rows.take())
        processes = rows.processes.values()
        sink.close_processes(
            [p.row() for p in processes if p.events], [p.id for p in processes if not p.events]
        )
    return Loaded(rows.records, rows.events, time.perf_counter() - started)


def _placeholder(process: Process) -> Row:
    day = "2000-01-01"
    return row(
        "process",
        id=process.id,
        title="",
        date_from=day,
        date_to=day,
        event_count=0,
        updated_at=f"{day} 00:00:00.000000",
    )


@contextmanager
def sink_for(url: str) -> Iterator[Sink]:
    """A sink writing one transaction into the SQLite or PostgreSQL database at `url`."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        assert parsed.database is not None
        with _sqlite(parsed.database) as sqlite_sink:
            yield sqlite_sink
    else:
        plain = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        with _postgres(plain) as postgres_sink:
            yield postgres_sink


class _SqliteSink:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def write(self, tables: dict[str, list[Row]]) -> None:
        for name in TABLES:
            if tables.get(name):
                columns = COLUMNS[name]
                marks = ", ".join("?" * len(columns))
                sql = f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})"
                self.conn.executemany(sql, tables[name])

    def close_processes(self, rows: list[Row], unused: list[int]) -> None:
        columns = COLUMNS["process"][1:]
        sets = ", ".join(f"{c} = ?" for c in columns)
        self.conn.executemany(
            f"UPDATE process SET {sets} WHERE id = ?", [(*r[1:], r[0]) for r in rows]
        )
        self.conn.executemany("DELETE FROM process WHERE id = ?", [(i,) for i in unused])


# Secondary indexes and triggers of the tables written (a key's own index has no SQL).
_SQLITE_DEFERRED = (
    "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
    "AND sql IS NOT NULL AND tbl_name IN ({})"
)


@contextmanager
def _sqlite(path: str) -> Iterator[_SqliteSink]:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        # For the load only: no rollback journal, no fsync, no foreign-key checks (a raw
        # connection); the app's own connections set WAL and their pragmas again.
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1000000"):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute("BEGIN")
        marks = ", ".join("?" * len(TABLES))
        deferred = conn.execute(_SQLITE_DEFERRED.format(marks), TABLES).fetchall()
        for kind, name, _ in deferred:  # built once at the end: far faster than row by row
            conn.execute(f"DROP {kind} {name}")
        yield _SqliteSink(conn)
        for _, _, sql in deferred:
            conn.execute(sql)
        # The full-text index (migration 0001) was kept by triggers: fill it in one pass.
        conn.execute("INSERT INTO record_fts(record_fts) VALUES ('rebuild')")
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()


class _PostgresSink:
    def __init__(self, conn: psycopg.Connection[tuple[object, ...]]) -> None:
        self.conn = conn

    def write(self, tables: dict[str, list[Row]]) -> None:
        with self.conn.cursor() as cur:
            for name in TABLES:
                if tables.get(name):
                    columns = ", ".join(COLUMNS[name])
                    with cur.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
                        for row in tables[name]:
                            copy.write_row(row)

    def close_processes(self, rows: list[Row], unused: list[int]) -> None:
        columns = COLUMNS["process"][1:]
        sets = ", ".join(f"{c} = %s" for c in columns)
        with self.conn.cursor() as cur:
            cur.executemany(
                f"UPDATE process SET {sets} WHERE id = %s", [(*r[1:], r[0]) for r in rows]
            )
            cur.executemany("DELETE FROM process WHERE id = %s", [(i,) for i in unused])
            for table in _SERIAL:  # ids were given: move the sequences past them
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )


# Secondary indexes of the tables written (constraints' own indexes stay).
_PG_INDEXES = """
SELECT i.indexname, i.indexdef FROM pg_indexes i
WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
"""


@contextmanager
def _postgres(url: str) -> Iterator[_PostgresSink]:
    with psycopg.connect(url) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        conn.execute("SET maintenance_work_mem = '512MB'")
        # No foreign-key triggers while loading: the rows are written parents first.
        conn.execute("SET session_replication_role = replica")
        indexes = conn.execute(_PG_INDEXES, [list(TABLES)]).fetchall()
        for name, _ in indexes:  # built once at the end: far faster than row by row
            conn.execute(f"DROP INDEX {name}")
        yield _PostgresSink(conn)
        for _, definition in indexes:
            conn.execute(definition)
        conn.execute("SET session_replication_role = DEFAULT")
        conn.commit()
        conn.autocommit = True
        conn.execute("ANALYZE")
