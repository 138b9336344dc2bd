"""Exports stream in constant memory: the peak RSS of `parley serve` while GET /v1/records and
GET /v1/events stream every row as CSV and NDJSON, at growing numbers of rows; and rows/s.

Usage: python bench/exports.py --db sqlite|postgres [--sizes 10000,100000,1000000]
                               [--routes records,events] [--formats csv,ndjson]

Rows are bulk-inserted (SQLAlchemy Core `executemany`, 10,000 per statement) into a freshly
migrated database, growing it from one size to the next: ten records per article, one event per
record (so both routes export `size` rows). For each size a new `parley serve` is started on a
free port (worker off, rules extractor, rate limit lifted) and warmed up with a JSON page and
small exports; then each export is streamed to a client that reads and discards the bytes.
Before each export the server's peak RSS is reset (`/proc/PID/clear_refs` = 5); the figure read
after it (`VmHWM`) is the most the process held while streaming. rows/s is the client's: rows
over the time from the request to the last byte. The database's own memory (PostgreSQL
backends) is not counted.
"""

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, Table, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.articles.tables import Article
from app.db.engine import make_engine
from app.db.migrate import upgrade
from app.events.tables import Event
from app.extraction.contract import RECORD_KINDS, RECORD_STATUSES
from app.normalize.countries import country_code
from app.records.tables import Extraction, Record
from bench.databases import DEFAULT_POSTGRES, fresh_database
from bench.figures import table
from bench.processes import ROOT, parley_serve
from bench.synthetic import CONFLICTS, MEDIATORS, TOPICS

RECORDS_PER_ARTICLE = 10
CHUNK = 10_000
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
FORMATS = ("csv", "ndjson")
WARM_UP = "2025-12-20"  # the last days of the ten years the rows' dates span
ISO3 = {c.country: country_code(c.country) for c in CONFLICTS} | {
    m[2]: country_code(m[2]) for m in MEDIATORS if m[2]
}


def _table(model: Any) -> Table:
    found: Table = model.__table__
    return found


def _fields(n: int, rng: random.Random) -> dict[str, Any]:
    """What a record and its event share: the development, its sides, place and day."""
    conflict = CONFLICTS[n % len(CONFLICTS)]
    code = ISO3[conflict.country]
    mediators = [
        {"name": name, "kind": kind, "country": ISO3.get(country or ""), "role": "mediator"}
        for name, kind, country in rng.sample(MEDIATORS, rng.randint(1, 2))
    ]
    day = date(2016, 1, 1) + timedelta(days=rng.randrange(3650))
    return {
        "kind": rng.choice(RECORD_KINDS),
        "status": rng.choice(RECORD_STATUSES),
        "summary": f"{conflict.side_a[0]} and {conflict.side_b[0]} met in "
        f"{conflict.places[0]} for talks on {rng.choice(TOPICS)}, dispatch {n}.",
        "parties": [
            {"name": conflict.side_a[0], "kind": conflict.side_a[1], "country": code},
            {"name": conflict.side_b[0], "kind": conflict.side_b[1], "country": code},
        ],
        "mediators": mediators,
        "location": {"name": rng.choice(conflict.places), "country": code},
        "countries": [code],
        "date": day.isoformat(),
        "end_date": None,
        "date_from": day,
        "date_to": day,
        "count": rng.choice((None, rng.randint(2, 900))),
    }


def _rows(n: int, rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
    """Record `n` (1-based) and its event, both with id `n`."""
    shared = _fields(n, rng)
    article = (n - 1) // RECORDS_PER_ARTICLE + 1
    quote = shared["summary"][:80]
    record = shared | {
        "id": n,
        "article_id": article,
        "extraction_id": article,
        "seq": (n - 1) % RECORDS_PER_ARTICLE,
        "round": None,
        "format": None,
        "topics": rng.sample(TOPICS, 2),
        "count_qualifier": None,
        "programme": None,
        "attributed_to": None,
        "background": False,
        "evidence": [{"quote": quote, "start": 0, "end": len(quote)}],
        "search_text": shared["summary"],
        "event_id": n,
        "event_score": None,
        "event_reasons": [],
        "event_pinned": False,
        "review": "unreviewed",
        "created_at": EPOCH + timedelta(seconds=n),
    }
    reported = EPOCH + timedelta(seconds=n)
    event = shared | {
        "id": n,
        "sort_date": shared["date_to"],
        "process_id": None,
        "source_count": 1,
        "first_reported_at": reported,
        "last_reported_at": reported,
        "updated_at": reported,
    }
    return record, event


def _article_rows(first: int, last: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Articles `first`..`last` and one extraction each (same ids)."""
    articles, extractions = [], []
    for a in range(first, last + 1):
        at = EPOCH + timedelta(seconds=a)
        articles.append(
            {
                "id": a,
                "status": "done",
                "title": f"Dispatch {a}",
                "url": f"https://wire.bench/{a}",
                "source": "Bench Wire",
                "published_at": at,
                "text": f"Dispatch {a}.",
                "text_hash": f"{a:064x}",
                "attempts": 1,
                "job_key": f"{a:032x}",
                "created_at": at,
                "updated_at": at,
            }
        )
        extractions.append(
            {
                "id": a,
                "article_id": a,
                "extractor": "llm",
                "model": "bench-model",
                "prompt_version": "v1",
                "prompt_tokens": 900,
                "completion_tokens": 300,
                "llm_calls": 1,
                "records_dropped": 0,
                "drop_reasons": [],
                "skipped_by_gate": False,
                "created_at": at,
            }
        )
    return articles, extractions


def load(engine: Engine, start: int, stop: int, seed: int) -> float:
    """Insert records and events `start+1`..`stop` (and their articles); seconds taken."""
    rng = random.Random(seed + start)
    began = time.perf_counter()
    for first in range(start + 1, stop + 1, CHUNK):
        last = min(first + CHUNK - 1, stop)
        pairs = [_rows(n, rng) for n in range(first, last + 1)]
        with engine.begin() as conn:
            known = conn.execute(text("SELECT coalesce(max(id), 0) FROM article")).scalar_one()
            articles, extractions = _article_rows(known + 1, (last - 1) // RECORDS_PER_ARTICLE + 1)
            if articles:
                conn.execute(insert(_table(Article)), articles)
                conn.execute(insert(_table(Extraction)), extractions)
            conn.execute(insert(_table(Event)), [e for _, e in pairs])
            conn.execute(insert(_table(Record)), [r for r, _ in pairs])
        print(f"\rloaded {last:,} rows", end="", file=sys.stderr)
    print(file=sys.stderr)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return time.perf_counter() - began


def _memory(pid: int, field: str) -> float:
    """A `/proc/PID/status` figure (VmRSS, VmHWM) in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for process {pid}")


def export(base: str, pid: int, route: str, fmt: str) -> dict[str, float]:
    """Stream one export to the end; rows, seconds, MiB and the server's memory."""
    before = _memory(pid, "VmRSS")
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset the peak RSS to the current RSS
    lines = size = 0
    started = time.perf_counter()
    with (
        httpx.Client(base_url=base, timeout=None) as client,
        client.stream("GET", f"/v1/{route}", params={"format": fmt}) as response,
    ):
        response.raise_for_status()
        for chunk in response.iter_raw(1 << 16):
            lines += chunk.count(b"\n")
            size += len(chunk)
    seconds = time.perf_counter() - started
    rows = lines - 1 if fmt == "csv" else lines
    peak = _memory(pid, "VmHWM")
    return {"rows": rows, "seconds": seconds, "mib": size / 2**20, "rss": before, "peak": peak}


@contextmanager
def server(url: str, workdir: Path) -> Iterator[tuple[str, int]]:
    """`parley serve` on this checkout's code and `url`; its base URL and process id."""
    env = {
        "PYTHONPATH": str(ROOT),
        "PARLEY_DATABASE_URL": url,
        "PARLEY_RUN_WORKER": "false",
        "PARLEY_EXTRACTOR": "rules",
        "PARLEY_RATE_LIMIT_PER_MINUTE": "100000000",
        "PARLEY_RATE_LIMIT_BURST": "100000000",
        "PARLEY_LOG_LEVEL": "WARNING",
        "PARLEY_LOG_FORMAT": "text",
    }
    with parley_serve(env, workdir / "serve.log") as (base, pid):
        for route in ("records", "events"):  # warm up: a page and small exports of each
            for params in ({"limit": "50"}, *({"format": f, "since": WARM_UP} for f in FORMATS)):
                httpx.get(f"{base}/v1/{route}", params=params, timeout=600).raise_for_status()
        yield base, pid


def measure(args: argparse.Namespace, workdir: Path) -> tuple[list[list[str]], list[str]]:
    """Load each size in turn and stream every export; table rows and load notes."""
    url = fresh_database(args.db, workdir, args.postgres_url)
    engine = make_engine(url)
    upgrade(engine)
    rows: list[list[str]] = []
    notes: list[str] = []
    loaded = 0
    for size in sorted(args.sizes):
        seconds = load(engine, loaded, size, args.seed)
        notes.append(f"{size - loaded:,} rows loaded in {seconds:.0f}s")
        loaded = size
        with server(url, workdir) as (base, pid):
            for route in args.routes:
                for fmt in args.formats:
                    got = export(base, pid, route, fmt)
                    if got["rows"] != size:
                        raise RuntimeError(f"{route} {fmt}: {got['rows']} rows, not {size}")
                    rows.append(_row(route, fmt, size, got))
                    print(" | ".join(rows[-1]), file=sys.stderr)
    engine.dispose()
    return rows, notes


def _row(route: str, fmt: str, size: int, got: dict[str, float]) -> list[str]:
    return [
        route,
        fmt,
        f"{size:,}",
        f"{got['mib']:,.1f}",
        f"{got['seconds']:.1f}",
        f"{got['rows'] / got['seconds']:,.0f}",
        f"{got['rss']:.0f}",
        f"{got['peak']:.0f}",
        f"{got['peak'] - got['rss']:+.0f}",
    ]


def _sizes(value: str) -> list[int]:
    sizes = [int(s.replace("_", "")) for s in value.split(",")]
    if any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError("sizes are positive row counts")
    return sizes


def main() -> int:
    """Parse the options, measure, print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--sizes", type=_sizes, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--routes", type=lambda v: v.split(","), default=["records", "events"])
    parser.add_argument("--formats", type=lambda v: v.split(","), default=list(FORMATS))
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES, help="recreated on each run")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        rows, notes = measure(args, Path(tmp))
    print(f"{args.db}: " + "; ".join(notes))
    headers = ["route", "format", "rows", "MiB sent", "s", "rows/s", "RSS before MiB"]
    headers += ["peak RSS MiB", "peak - before"]
    print(table(headers, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
