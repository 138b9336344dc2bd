"""Events at scale (issue 10, item 6): attaching one report as the store grows, and
GET /v1/events with many events stored, on SQLite and PostgreSQL.

Usage (a quick run by default; the issue's figures with the second command):
  python bench/events.py [--db sqlite|postgres|both] [--sizes 1000,20000] [--events 10000]
  python bench/events.py --db both --sizes 1000,1000000 --events 100000 --requests 300

1. Attach. For each size, a fresh database is migrated and filled in bulk (bench.bulk_load)
   with that many stored, attached records: one conflict per country, a development of each
   kind every few days, each reported by 1-8 outlets; a store of N records covers
   clamp(N / 5000, 1, 200) countries at 0.5 reports per (country, kind, day), so a bigger
   store has more countries and a longer history, never denser news. A sample is checked
   against the real consolidation code, then `--attach` new reports (after `--warmup` more)
   are stored and attached one at a time through the pipeline's store-step code, half of
   them reports of a stored development, half the first report of a new one.
2. Search. `--events` events (200 countries, Zipf-like activity, ten years) are loaded the
   same way, then GET /v1/events is timed against the real app over ASGI.

bench/README.md explains the figures.
"""

import argparse
import asyncio
import math
import sys
import tempfile
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.db.engine import make_engine
from app.db.migrate import upgrade
from bench.bulk_load import Loaded, load
from bench.databases import DEFAULT_POSTGRES, fresh_database
from bench.event_attach import Timing, arrivals, time_arrivals
from bench.event_check import check_store
from bench.event_search import query_kinds, serve_and_time, skewed_layout
from bench.event_world import KINDS, MEAN_REPORTS, Layout, developments, streams, world
from bench.figures import p50_p95, percentile, table

PER_STREAM_DAY = 0.5  # reports per (country, kind, day) in the attach stores
RECORDS_PER_COUNTRY = 5000
MAX_COUNTRIES = 200
ATTACH_HEADERS = [
    "db",
    "stored records",
    "countries × days",
    "load s",
    "joined / new events",
    "joining: attach ms",
    "joining: CPU ms",
    "starting: attach ms",
    "starting: CPU ms",
    "store step p50 ms (joining; starting)",
]
SEARCH_HEADERS = ["query", "requests", "items/page", "p50 / p95 ms", "CPU ms (this process)"]


@dataclass(frozen=True)
class AttachRun:
    """One store size on one database: what was loaded and the attach timings."""

    db: str
    layout: Layout
    loaded: Loaded
    timings: list[Timing]


def grown_layout(records: int, seed: int) -> tuple[Layout, float]:
    """The countries and days a store of `records` covers, and its reports per day."""
    count = max(1, min(MAX_COUNTRIES, records // RECORDS_PER_COUNTRY))
    per_day = PER_STREAM_DAY * len(KINDS) * count
    days = math.ceil(records / per_day)
    return Layout(tuple(world(count, seed)), (1.0,) * count, days), per_day


def fresh(db: str, workdir: Path, postgres_url: str) -> str:
    """A new, migrated database; its URL."""
    url = fresh_database(db, workdir, postgres_url)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def run_attach(db: str, size: int, args: argparse.Namespace, workdir: Path) -> AttachRun:
    """Load `size` records, check them, then time attaching new reports."""
    url = fresh(db, workdir, args.postgres_url)
    layout, per_day = grown_layout(size, args.seed)
    all_streams = streams(layout, per_day, args.seed)
    loaded = load(url, layout.countries, developments(all_streams, records=size, seed=args.seed))
    _progress(f"{db}: {size:,} records loaded in {loaded.seconds:.1f}s")
    engine = make_engine(url)
    check_store(engine, sample=args.check, seed=args.seed)
    news = arrivals(all_streams, args.warmup + args.attach, args.seed)
    timings = time_arrivals(engine, news, first_serial=size + 1)[args.warmup :]
    engine.dispose()
    return AttachRun(db, layout, loaded, timings)


def run_search(db: str, args: argparse.Namespace, workdir: Path) -> tuple[Loaded, list[list[str]]]:
    """Load `--events` events, then time the query kinds."""
    url = fresh(db, workdir, args.postgres_url)
    layout = skewed_layout(args.seed)
    per_day = args.events * MEAN_REPORTS / layout.days
    all_streams = streams(layout, per_day, args.seed)
    told = developments(all_streams, records=sys.maxsize, seed=args.seed)
    loaded = load(url, layout.countries, islice(told, args.events))
    _progress(f"{db}: {loaded.events:,} events loaded in {loaded.seconds:.1f}s")
    engine = make_engine(url)
    check_store(engine, sample=args.check, seed=args.seed)
    engine.dispose()
    return loaded, asyncio.run(serve_and_time(url, query_kinds(layout), args.requests))


def _pick(timings: list[Timing], joined: bool, figure: str) -> list[float]:
    return [float(getattr(t, figure)) for t in timings if t.joined == joined]


def _ms(timings: list[Timing], joined: bool, figure: str = "attach_ms") -> str:
    chosen = _pick(timings, joined, figure)
    return p50_p95(chosen) if chosen else "-"


def attach_rows(runs: list[AttachRun]) -> list[list[str]]:
    """A table row per store: its shape, its load, and p50 / p95 of attaching."""
    rows = []
    for run in runs:
        joined = sum(t.joined for t in run.timings)
        expected = sum(t.expected for t in run.timings)
        seconds = run.loaded.seconds
        steps = [percentile(_pick(run.timings, j, "step_ms"), 50) for j in (True, False)]
        rows.append(
            [
                run.db,
                f"{run.loaded.records:,}",
                f"{len(run.layout.countries)} × {run.layout.days}",
                f"{seconds:.0f} ({run.loaded.records / seconds:,.0f}/s)",
                f"{joined} / {len(run.timings) - joined} ({expected} as meant)",
                _ms(run.timings, joined=True),
                _ms(run.timings, joined=True, figure="attach_cpu_ms"),
                _ms(run.timings, joined=False),
                _ms(run.timings, joined=False, figure="attach_cpu_ms"),
                f"{steps[0]:.1f}; {steps[1]:.1f}",
            ]
        )
    return rows


def ratio_rows(runs: list[AttachRun]) -> list[list[str]]:
    """Per database and larger store, its attach p50 and p95 (and CPU p50 / p95) over the
    smallest store's."""
    rows = []
    for db in dict.fromkeys(r.db for r in runs):
        small, *larger = [r for r in runs if r.db == db]
        for large in larger:
            cells = [db, f"{large.loaded.records:,} / {small.loaded.records:,}"]
            for joined in (True, False):
                for figure in ("attach_ms", "attach_cpu_ms"):
                    a, b = (_pick(r.timings, joined, figure) for r in (small, large))
                    cells.append(_ratio(a, b))
            rows.append(cells)
    return rows


def _ratio(small: list[float], large: list[float]) -> str:
    if not small or not large:
        return "-"
    p50 = percentile(large, 50) / percentile(small, 50)
    return f"{p50:.2f} / {percentile(large, 95) / percentile(small, 95):.2f}"


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--sizes", default="1000,20000", help="stored records, comma-separated")
    parser.add_argument("--attach", type=int, default=200, help="new reports timed per store")
    parser.add_argument("--warmup", type=int, default=10, help="new reports attached first")
    parser.add_argument("--events", type=int, default=10_000, help="events for search (0: skip)")
    parser.add_argument("--requests", type=int, default=100, help="per query kind")
    parser.add_argument("--check", type=int, default=20, help="events checked per store")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES, help="recreated on each run")
    parser.add_argument("--seed", type=int, default=11)
    return parser.parse_args()


def main() -> int:
    """Run both parts on each database, then print the tables."""
    args = parse_args()
    dbs = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    sizes = sorted(int(s) for s in args.sizes.split(",") if s)
    runs, searches = [], {}
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        for db in dbs:
            runs += [run_attach(db, size, args, Path(tmp)) for size in sizes]
            if args.events:
                searches[db] = run_search(db, args, Path(tmp))
    print_tables(runs, searches, args.attach)
    return 0


def print_tables(
    runs: list[AttachRun], searches: dict[str, tuple[Loaded, list[list[str]]]], attach: int
) -> None:
    """The attach table and the ratios, then a search table per database."""
    if runs:
        print(f"## Attaching one report (p50 / p95 ms; {attach} new reports per store)\n")
        print(table(ATTACH_HEADERS, attach_rows(runs)))
        print("\n## Each store over the smallest (p50 / p95)\n")
        headers = ["db", "records", "joining", "joining, CPU", "starting", "starting, CPU"]
        print(table(headers, ratio_rows(runs)))
    for db, (loaded, rows) in searches.items():
        print(
            f"\n## GET /v1/events, {db}: {loaded.events:,} events, {loaded.records:,} records "
            f"(loaded in {loaded.seconds:.0f}s)\n"
        )
        print(table(SEARCH_HEADERS, rows))


if __name__ == "__main__":
    raise SystemExit(main())
