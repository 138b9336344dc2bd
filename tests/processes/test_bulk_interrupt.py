"""Ctrl-C on a real `parley ingest --bulk`: what the report calls accepted is exactly what the
database holds, in whole batches, each with its feeding job, and the line to resume from is the
first line not stored; Ctrl-C while the command waits for room in a full queue ends the wait."""

import json
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from app.db.engine import make_engine
from tests.support.processes import PARLEY, REPO, Cluster, Process, clean_env, wait_until
from tests.support.samples import TEXT

pytestmark = pytest.mark.slow

BATCH = 500


def write_archive(path: Path, lines: int) -> Path:
    """`lines` distinct articles, each titled with its line number."""
    with path.open("w") as out:
        for n in range(1, lines + 1):
            out.write(json.dumps({"title": str(n), "text": f"Round {n}. {TEXT}"}) + "\n")
    return path


def ingest(cluster: Cluster, workdir: Path, archive: Path, **settings: str) -> Process:
    """Start `parley ingest --bulk ARCHIVE` on a SQLite database in `workdir` (this checkout's
    code, whatever the installed one)."""
    env = clean_env(
        PYTHONPATH=str(REPO),
        PARLEY_DATABASE_URL=f"sqlite:///{workdir / 'parley.db'}",
        PARLEY_DBOS_DATABASE_URL=f"sqlite:///{workdir / 'dbos.db'}",
        PARLEY_AUTO_MIGRATE="true",
        PARLEY_EXTRACTOR="rules",
        PARLEY_BULK_BATCH_LINES=str(BATCH),
        **settings,
    )
    return cluster.spawn("ingest", [PARLEY, "ingest", "--bulk", str(archive)], env, workdir)


def query(workdir: Path, sql: str, database: str = "parley.db") -> list[Any]:
    engine = make_engine(f"sqlite:///{workdir / database}")
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)).all())
    except Exception:  # the command has not created its tables yet
        return []
    finally:
        engine.dispose()


def stored_titles(workdir: Path) -> list[int]:
    return sorted(int(title) for (title,) in query(workdir, "SELECT title FROM article"))


def interrupt(proc: Process) -> dict[str, Any]:
    """Ctrl-C once; the report the command printed as it stopped."""
    assert proc.popen is not None
    assert proc.alive, proc.log_tail()
    proc.popen.send_signal(signal.SIGINT)
    try:
        proc.popen.wait(timeout=60)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"still running 60s after Ctrl-C:\n{proc.log_tail()}") from None
    assert proc.returncode == 0, proc.log_tail()
    lines = proc.log_path.read_text().splitlines()
    loaded: dict[str, Any] = json.loads(next(ln for ln in lines if ln.startswith('{"kind"')))
    return loaded


def test_ctrl_c_mid_archive_leaves_whole_batches_and_says_where_to_resume(
    cluster: Cluster, tmp_path: Path
) -> None:
    archive = write_archive(tmp_path / "archive.ndjson", 40_000)
    proc = ingest(cluster, tmp_path, archive, PARLEY_MAX_QUEUED_ARTICLES="1000000")
    wait_until(lambda: len(query(tmp_path, "SELECT id FROM article")) >= 2 * BATCH, 120, proc)

    report = interrupt(proc)

    created = report["created"]
    assert 0 < created < 40_000, "Ctrl-C came too late to interrupt anything"
    assert (report["duplicate"], report["invalid"]) == (0, 0)
    assert report["interrupted"] == {"next_line": created + 1}
    assert created % BATCH == 0
    assert stored_titles(tmp_path) == list(range(1, created + 1))
    feeding = "SELECT count(*) FROM workflow_status WHERE name = 'parley.feed_articles'"
    assert query(tmp_path, feeding, "dbos.db") == [(created // BATCH,)]


def test_ctrl_c_while_waiting_for_room_stops_at_once_with_the_line_to_resume_from(
    cluster: Cluster, tmp_path: Path
) -> None:
    archive = write_archive(tmp_path / "archive.ndjson", 3 * BATCH)
    proc = ingest(cluster, tmp_path, archive, PARLEY_MAX_QUEUED_ARTICLES=str(BATCH))
    # Nobody works the queue: one batch fills it, and the command waits for room (a progress
    # bar on a pipe is drawn only at the end, so the wait is seen in the database).
    wait_until(lambda: len(query(tmp_path, "SELECT id FROM article")) == BATCH, 120, proc)
    time.sleep(2)

    report = interrupt(proc)

    assert report == {
        "kind": "bulk",
        "created": BATCH,
        "duplicate": 0,
        "invalid": 0,
        "interrupted": {"next_line": BATCH + 1},
    }
    assert stored_titles(tmp_path) == list(range(1, BATCH + 1))
