"""`bench/bulk_ingest.py --end-to-end`: an archive through `parley ingest --bulk FILE --wait`,
one command in a subprocess, from the first line read to the last article extracted.

The archive (`--articles` distinct synthetic articles, `bench/synthetic.py`) is written as an
NDJSON file; the command runs with the rules extractor on a fresh database and otherwise the
default settings (so the queue holds at most `PARLEY_MAX_QUEUED_ARTICLES`, 10,000, and the
command waits for room while it works the queue itself). Every `--sample` seconds the articles
are counted by status, with the load average, so a run cut short still gives its rates.
"""

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[1]
PARLEY = Path(sys.executable).parent / "parley"


@dataclass(frozen=True)
class Limits:
    """The queue's maximum (`PARLEY_MAX_QUEUED_ARTICLES`) and the lines per batch."""

    max_queued: int
    batch: int


def command_env(url: str, workdir: Path, limits: Limits) -> dict[str, str]:
    """The command's environment: this checkout's code, the rules extractor, the database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARLEY_", "OPENAI_"))}
    env |= {
        "PYTHONPATH": str(REPO),
        "PARLEY_DATABASE_URL": url,
        "PARLEY_AUTO_MIGRATE": "true",
        "PARLEY_EXTRACTOR": "rules",
        "PARLEY_LOG_LEVEL": "WARNING",
    }
    if url.startswith("sqlite"):
        env["PARLEY_DBOS_DATABASE_URL"] = f"sqlite:///{workdir / 'dbos.db'}"
    env["PARLEY_MAX_QUEUED_ARTICLES"] = str(limits.max_queued)
    env["PARLEY_BULK_BATCH_LINES"] = str(limits.batch)
    return env


def by_status(url: str) -> dict[str, int]:
    """Articles per status so far (none before the tables exist)."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT status, count(*) FROM article GROUP BY status"))
            return {str(status): int(n) for status, n in rows}
    except Exception:  # the table may not exist yet
        return {}
    finally:
        engine.dispose()


def spans(url: str, full: int) -> dict[str, float]:
    """Epoch seconds of the first and last acceptance, and of the `full`th (when the queue
    first filled, if the archive is larger than the queue)."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    ends = "SELECT min(created_at), max(created_at) FROM article"
    nth = "SELECT created_at FROM article ORDER BY id LIMIT 1 OFFSET :n"
    try:
        with engine.connect() as conn:
            first, last = conn.execute(text(ends)).one()
            filled = conn.execute(text(nth), {"n": full - 1}).scalar()
    finally:
        engine.dispose()
    times = {"first": _epoch(first), "last": _epoch(last)}
    return times | ({"filled": _epoch(filled)} if filled is not None else {})


def _epoch(value: Any) -> float:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return float(value.timestamp())


def run(
    archive: Path, url: str, workdir: Path, limits: Limits, sample: float, deadline: float
) -> dict[str, Any]:
    """Run the command to its end (or Ctrl-C it at `deadline` seconds), printing samples."""
    env = command_env(url, workdir, limits)
    args = [str(PARLEY), "ingest", "--bulk", str(archive), "--wait", "--timeout", "600"]
    started = time.time()
    counts: dict[str, int] = {}
    with (workdir / "stderr.log").open("wb") as err:
        proc = subprocess.Popen(args, env=env, cwd=workdir, stdout=subprocess.PIPE, stderr=err)
        cut, next_sample = False, started + sample
        # Whether the command ended is looked at every second: its end is timed to the second,
        # however rarely the samples print.
        while proc.poll() is None:
            time.sleep(1.0)
            elapsed = time.time() - started
            if time.time() >= next_sample:
                next_sample += sample
                counts = by_status(url)
                load = os.getloadavg()[0]
                print(f"  {elapsed:7.0f}s  load {load:5.1f}  {json.dumps(counts)}", flush=True)
            if elapsed > deadline and proc.poll() is None:
                print(f"  deadline: Ctrl-C after {elapsed:.0f}s", flush=True)
                cut = True
                proc.send_signal(signal.SIGINT)
                proc.wait(timeout=120)
        ended = time.time()
        out = proc.stdout.read() if proc.stdout else b""
    if proc.returncode != 0 and not cut:
        tail = (workdir / "stderr.log").read_text(errors="replace")[-2000:]
        raise SystemExit(f"parley exited {proc.returncode}:\n{tail}")
    report: dict[str, Any] = json.loads(out) if out.strip() else {"cut": True}
    return {
        "report": report,
        "counts": by_status(url),
        "times": spans(url, limits.max_queued) | {"started": started, "ended": ended},
        "cut": cut,
        "load": os.getloadavg(),
    }
