"""Bulk acceptance: articles/s accepted into the queue from NDJSON, the worker off.

Usage: python bench/bulk_ingest.py [--db sqlite|postgres] [--articles 20000] [--batch 500]
       [--via direct,api] [--feed]
       python bench/bulk_ingest.py --end-to-end [--articles 50000] [--db sqlite|postgres]

Builds `--articles` distinct synthetic articles (2-4k characters, `bench/synthetic.py`) as one
NDJSON body in memory, then, on a fresh database each time:
- direct: `app.articles.bulk.accept_ndjson` in this process, fed 1 MiB chunks (what
  `parley ingest --bulk FILE` does);
- api: `POST /v1/articles/bulk` on the real app (lifespan, middleware, Idempotency-Key) over
  ASGI in this process, the body sent in 64 KiB chunks and the answer read to its end (HTTP
  parsing and sockets are not counted).
Accepted means committed as queued with the batch's feeding job on the durable queue: the
worker is off, so nothing is extracted meanwhile. With `--feed`, a worker is then started and
the time until every article's extraction job is on the queue is measured (the rules extractor
runs meanwhile and shares the CPU). `--end-to-end` instead runs `parley ingest --bulk FILE
--wait` as one command on a written archive and times it to the last article extracted
(`bench/end_to_end.py`).
"""

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.articles.bulk import Outcome, accept_ndjson
from app.config import Settings
from app.lifecycle import running
from bench import end_to_end
from bench.databases import DEFAULT_POSTGRES, fresh_database
from bench.figures import table
from bench.synthetic import article_text


def corpus(n: int, seed: int) -> bytes:
    """`n` distinct articles as NDJSON."""
    rng = random.Random(seed)
    lines = (json.dumps({"text": article_text(i, rng), "source": "bench"}) for i in range(n))
    return "".join(line + "\n" for line in lines).encode()


def settings_for(url: str, workdir: Path, batch: int) -> Settings:
    """The service's settings: a queue with room for the whole upload, the rules extractor."""
    return Settings(
        _env_file=None,
        database_url=url,
        dbos_database_url=f"sqlite:///{workdir / 'dbos.db'}" if url.startswith("sqlite") else None,
        auto_migrate=True,
        extractor_choice="rules",
        max_queued_articles=None,
        bulk_batch_lines=batch,
        log_level="WARNING",
        relevance_gate=False,
    )


async def chunks(body: bytes, size: int) -> AsyncIterator[bytes]:
    """The body in chunks of `size` bytes."""
    for start in range(0, len(body), size):
        yield body[start : start + size]
        await asyncio.sleep(0)


async def direct(settings: Settings, body: bytes) -> tuple[float, int]:
    """Seconds to accept the body in-process, and how many articles were created."""
    async with running(settings, work=False) as services:
        started = time.perf_counter()
        created = 0
        async for batch in accept_ndjson(chunks(body, 1 << 20), services):
            created += sum(1 for o in batch if isinstance(o, Outcome) and o.result == "created")
        return time.perf_counter() - started, created


async def api(settings: Settings, body: bytes) -> tuple[float, int]:
    """Seconds to POST the body to /v1/articles/bulk and read the answer, and articles created."""
    from app.main import create_app

    app = create_app(settings.model_copy(update={"run_worker": False}))
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            started = time.perf_counter()
            answer = await client.post(
                "/v1/articles/bulk",
                content=chunks(body, 64 << 10),
                headers={"Idempotency-Key": "bench"},
                timeout=600,
            )
            seconds = time.perf_counter() - started
    answer.raise_for_status()
    created = answer.text.count('"result": "created"')
    return seconds, created


def extraction_jobs(settings: Settings) -> int:
    """Extraction workflows DBOS holds (queued, running or ended)."""
    engine = create_engine(
        settings.system_database_url.replace("postgresql://", "postgresql+psycopg://")
    )
    try:
        with engine.connect() as conn:
            query = "SELECT count(*) FROM workflow_status WHERE name = 'parley.process_article'"
            schema = "" if settings.is_sqlite else "dbos."
            return int(conn.execute(text(query.replace("FROM ", f"FROM {schema}"))).scalar_one())
    finally:
        engine.dispose()


async def feed(settings: Settings, expected: int) -> float:
    """Seconds a worker takes to put every accepted article's extraction job on the queue."""
    async with running(settings, work=True):
        started = time.perf_counter()
        while await asyncio.to_thread(extraction_jobs, settings) < expected:  # noqa: ASYNC110
            await asyncio.sleep(0.2)
        return time.perf_counter() - started


def whole(args: argparse.Namespace, body: bytes) -> None:
    """`--end-to-end`: the archive through one `parley ingest --bulk --wait`."""
    print(f"{args.articles} articles, {len(body) / 1e6:.1f} MB of NDJSON, {args.db}, one command")
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "archive.ndjson"
        archive.write_bytes(body)
        url = fresh_database(args.db, Path(tmp), args.postgres_url)
        limits = end_to_end.Limits(args.max_queued, args.batch)
        got = end_to_end.run(archive, url, Path(tmp), limits, args.sample, args.deadline)
    times, counts = got["times"], got["counts"]
    accepted = sum(counts.values())
    finished = counts.get("done", 0) + counts.get("failed", 0)
    seconds = times["ended"] - times["started"]
    first_fill = times.get("filled", times["last"]) - times["first"]
    headers = ["via", "accepted", "until the queue filled", "start-up", "seconds", "done"]
    # Batches share their commit time: one batch alone gives no rate.
    rate = f"{min(accepted, args.max_queued) / first_fill:,.0f}/s" if first_fill > 0 else "-"
    row = ["one command", f"{accepted:,}", rate]
    row += [f"{times['first'] - times['started']:.0f}s", f"{seconds:,.0f}"]
    row += [f"{counts.get('done', 0):,}", f"{counts.get('failed', 0):,}"]
    working = times["ended"] - times["first"]
    headers += ["failed", "finished/s (from the first line)"]
    print(table(headers, [[*row, f"{finished / working:.1f}"]]))
    print("cut at the deadline (Ctrl-C)" if got["cut"] else f"report: {json.dumps(got['report'])}")
    print("load average at the end: " + " ".join(f"{x:.1f}" for x in got["load"]))


async def main() -> None:
    """Run the phases asked for and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--via", default="direct,api")
    parser.add_argument("--feed", action="store_true")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end-to-end", action="store_true")
    parser.add_argument("--max-queued", type=int, default=10_000)
    parser.add_argument("--deadline", type=float, default=float("inf"))
    parser.add_argument("--sample", type=float, default=30.0)
    args = parser.parse_args()
    body = corpus(args.articles, args.seed)
    if args.end_to_end:
        whole(args, body)
        return
    size = f"{len(body) / 1e6:.1f} MB of NDJSON"
    print(f"{args.articles} articles, {size}, {args.db}, batch {args.batch}")
    rows = []
    for via in args.via.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            url = fresh_database(args.db, Path(tmp), args.postgres_url)
            settings = settings_for(url, Path(tmp), args.batch)
            seconds, created = await (direct if via == "direct" else api)(settings, body)
            row = [via, f"{created:,}", f"{seconds:.2f}", f"{created / seconds:,.0f}"]
            row.append(f"{len(body) / 1e6 / seconds:.1f}")
            if args.feed:
                fed = await feed(settings, created)
                row.append(f"{created / fed:,.0f}")
            rows.append(row)
            print(f"  {via}: {created} accepted in {seconds:.2f}s", flush=True)
    headers = ["via", "accepted", "seconds", "articles/s", "MB/s"]
    print(table(headers + (["jobs queued/s (--feed)"] if args.feed else []), rows))


if __name__ == "__main__":
    asyncio.run(main())
