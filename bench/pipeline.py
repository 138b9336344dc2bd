"""Whole-pipeline throughput and per-article service overhead, the LLM answered at zero latency.

Usage: python bench/pipeline.py --db sqlite|postgres [--articles N] [--concurrency C]

Starts the fake OpenAI-compatible endpoint (tests/support/llm_server.py, no delay) and the real
service (`parley serve`, a subprocess) on free loopback ports, then:
- solo: posts `--solo` articles one at a time, each waited for: latency on an idle service;
- burst: posts `--articles` distinct articles from `--posters` concurrent clients and waits
  until every one is done: articles/s from the first POST to the last article done.
Timings come from the databases: the article row (accepted → done) and DBOS's workflow and
step rows (enqueued, dequeued, extract step). The fake LLM sleeps 0 s, so nothing is
subtracted for it: the extract step (HTTP round trip to the fake, SDK and instructor parsing)
is service overhead and is shown separately.
"""

import argparse
import asyncio
import itertools
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.config import Settings
from app.db.engine import make_engine
from bench.databases import DEFAULT_POSTGRES, fresh_database
from bench.figures import p50_p95, table
from bench.processes import (
    cpu_seconds,
    fake_llm,
    machine_cpu_seconds,
    parley_serve,
    parley_workers,
    profiled,
)
from bench.synthetic import article_text


@dataclass
class Phase:
    """What one phase measured, in milliseconds unless named otherwise."""

    name: str
    articles: int = 0
    seconds: float = 0.0
    post_ms: list[float] = field(default_factory=list)
    end_to_end_ms: list[float] = field(default_factory=list)
    queue_ms: list[float] = field(default_factory=list)
    service_ms: list[float] = field(default_factory=list)
    extract_ms: list[float] = field(default_factory=list)
    cpu_ms_per_article: dict[str, float] = field(default_factory=dict)


def cpu_now(service_pids: list[int], llm_pid: int) -> dict[str, float]:
    """CPU seconds so far: the service (API and workers), the fake LLM, this client, and the
    whole machine."""
    own = os.times()
    return {
        "service": sum(cpu_seconds(pid) for pid in service_pids),
        "fake LLM": cpu_seconds(llm_pid),
        "bench client": own.user + own.system,
        "machine": machine_cpu_seconds(),
    }


def service_env(
    database_url: str, llm_url: str, concurrency: int, poll: float, gate: bool = False
) -> dict[str, str]:
    """The service's settings: fake LLM, the gate as asked, a queue only the machine limits."""
    return {
        "PARLEY_DATABASE_URL": database_url,
        "OPENAI_BASE_URL": llm_url,
        "OPENAI_API_KEY": "sk-bench",
        "PARLEY_RELEVANCE_GATE": str(gate).lower(),
        "PARLEY_QUEUE_RATE_LIMIT": "100000000",
        "PARLEY_QUEUE_CONCURRENCY": str(concurrency),
        "PARLEY_QUEUE_POLL_SECONDS": str(poll),
        # One benchmark client would otherwise meet the per-client request limit.
        "PARLEY_RATE_LIMIT_PER_MINUTE": "100000000",
        "PARLEY_RATE_LIMIT_BURST": "100000000",
    }


def published_at(serial: int, outlets: int) -> str:
    """The article's publication day. The fake LLM finds the same ceasefire in every article,
    dated by its article: `outlets` articles in a row share a day (one development, as many
    reports), days 20 apart (beyond the kind's window, so developments stay apart). With 0,
    every article reports one development, whose event grows with the run."""
    if not outlets:
        return "2025-03-14T08:00:00Z"
    day = _FIRST_DAY + timedelta(days=20 * ((serial % 100_000) // outlets))
    return f"{day.isoformat()}T08:00:00Z"


_FIRST_DAY = date(2000, 1, 1)


def _off_topic(serial: int) -> str:
    """A distinct article the relevance gate turns away (no record kind's trigger)."""
    line = f"The council of district {serial} approved its budget for parks and libraries. "
    return line * 40


def article_body(serial: int, rng: random.Random | None, outlets: int) -> dict[str, str]:
    """One distinct article (off topic without `rng`), as the API takes it."""
    return {
        "text": _off_topic(serial) if rng is None else article_text(serial, rng),
        "title": f"City news, {serial}" if rng is None else f"Ceasefire talks, dispatch {serial}",
        "source": "Bench Wire",
        "published_at": published_at(serial, outlets),
    }


async def post_article(
    client: httpx.AsyncClient, serial: int, rng: random.Random | None, outlets: int
) -> tuple[int, float]:
    """POST one distinct article (off topic without `rng`); its id and latency in ms."""
    body = article_body(serial, rng, outlets)
    started = time.perf_counter()
    response = await client.post("/v1/articles", json=body)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 202:
        raise RuntimeError(f"POST answered {response.status_code}: {response.text[:300]}")
    return int(response.json()["id"]), elapsed


async def post_bulk(
    client: httpx.AsyncClient, serials: list[int], rng: random.Random | None, outlets: int
) -> tuple[list[int], float]:
    """POST the articles as one NDJSON upload; their ids and the upload's latency in ms."""
    lines = [json.dumps(article_body(s, rng, outlets)) for s in serials]
    started = time.perf_counter()
    response = await client.post("/v1/articles/bulk", content="\n".join(lines) + "\n")
    elapsed = (time.perf_counter() - started) * 1000
    results = [json.loads(line) for line in response.text.splitlines()]
    if response.status_code != 200 or any(r.get("result") != "created" for r in results):
        raise RuntimeError(f"bulk answered {response.status_code}: {response.text[:300]}")
    return [int(r["id"]) for r in results], elapsed


def finished(engine: Engine, ids: list[int]) -> int:
    """How many of the articles `ids` (a contiguous id range) are done or failed."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                text(
                    "SELECT count(*) FROM article WHERE id BETWEEN :lo AND :hi "
                    "AND status IN ('done', 'failed')"
                ),
                {"lo": min(ids), "hi": max(ids)},
            ).scalar_one()
        )


async def wait_done(engine: Engine, ids: list[int], within: float) -> None:
    """Poll the database until every article in `ids` is done or failed."""
    deadline = time.monotonic() + within
    while finished(engine, ids) < len(ids):
        if time.monotonic() > deadline:
            raise RuntimeError(f"articles still unfinished after {within}s")
        await asyncio.sleep(0.02)


# The extraction queues slow down once they have had no work this long (app.pipeline.pacing).
IDLE_AFTER_SECONDS = float(Settings.model_fields["queue_idle_after_seconds"].default)


async def idle_phase(pids: tuple[list[int], int], seconds: float) -> None:
    """Print the service's CPU per second with nothing to do, once the queues have slowed to
    their idle pace: the queues' polling."""
    await asyncio.sleep(IDLE_AFTER_SECONDS + 3)  # start-up settles, then the pace
    before = cpu_now(*pids)["service"]
    await asyncio.sleep(seconds)
    spent = cpu_now(*pids)["service"] - before
    print(f"idle service CPU: {spent * 1000 / seconds:.1f} ms/s over {seconds:g} s")


async def solo_phase(
    client: httpx.AsyncClient, engine: Engine, args: argparse.Namespace, rng: random.Random
) -> Phase:
    """Articles one at a time, each waited for."""
    count = args.solo
    phase, ids = Phase("solo (one at a time)", articles=count), []
    for serial in range(count):
        article_id, post_ms = await post_article(client, 1_000_000 + serial, rng, args.outlets)
        await wait_done(engine, [article_id], within=60)
        ids.append(article_id)
        phase.post_ms.append(post_ms)
    read_timings(engine, ids, phase)
    return phase


async def burst_phase(
    client: httpx.AsyncClient,
    engine: Engine,
    pids: tuple[list[int], int],
    args: argparse.Namespace,
    rng: random.Random,
) -> Phase:
    """`count` articles posted by `posters` concurrent clients; throughput to the last done."""
    count, posters = args.articles, args.posters
    phase, serials = Phase(f"burst ({posters} posting clients)", articles=count), iter(range(count))
    ids: list[int] = []

    chosen = None if args.gate else rng

    async def poster() -> None:
        for serial in serials:
            article_id, post_ms = await post_article(client, serial, chosen, args.outlets)
            ids.append(article_id)
            phase.post_ms.append(post_ms)

    async def uploader() -> None:
        while batch := list(itertools.islice(serials, args.bulk)):
            uploaded, post_ms = await post_bulk(client, batch, chosen, args.outlets)
            ids.extend(uploaded)
            phase.post_ms.append(post_ms)

    if args.bulk:
        phase.name = f"burst ({posters} clients, bulk uploads of {args.bulk})"

    with profiled(pids[0][-1], args.profile):
        cpu_before, started = cpu_now(*pids), time.perf_counter()
        sender = uploader if args.bulk else poster
        await asyncio.gather(*(sender() for _ in range(posters)))
        await wait_done(engine, ids, within=max(120, count))
        phase.seconds = time.perf_counter() - started
        cpu_after = cpu_now(*pids)
    phase.cpu_ms_per_article = {
        name: (cpu_after[name] - cpu_before[name]) * 1000 / count for name in cpu_after
    }
    read_timings(engine, ids, phase)
    return phase


def _epoch_ms(value: Any) -> float:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        from datetime import UTC

        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp() * 1000


def read_timings(engine: Engine, ids: list[int], phase: Phase) -> None:
    """Fill the phase's per-article timings from the article rows and DBOS's step rows.

    DBOS stamps workflow rows in whole seconds on SQLite, so a workflow's start and end are
    read from its steps (milliseconds): first step started → last step completed.
    """
    with engine.connect() as conn:
        articles = conn.execute(
            text(
                "SELECT job_key, attempts, job_group, created_at, updated_at, status FROM article "
                "WHERE id BETWEEN :lo AND :hi"
            ),
            {"lo": min(ids), "hi": max(ids)},
        ).all()
    steps = _step_times(engine)
    failed = sum(1 for a in articles if a.status != "done")
    if failed:
        print(f"warning: {failed} articles did not finish as done", file=sys.stderr)
    for job_key, attempts, group, created, updated, _status in articles:
        # An article of a bulk upload's group is timed by its group's workflow.
        first, last, extract = steps[group or f"article-{job_key}-{attempts}"]
        accepted = _epoch_ms(created)
        phase.end_to_end_ms.append(_epoch_ms(updated) - accepted)
        phase.queue_ms.append(first - accepted)
        phase.service_ms.append(last - first)
        phase.extract_ms.append(extract)


def _step_times(engine: Engine) -> dict[str, tuple[float, float, float]]:
    """Per workflow: first step's start, last step's end, extract step's duration (ms)."""
    system = _system_engine(engine)
    prefix = "dbos." if engine.dialect.name == "postgresql" else ""
    extracts = "('parley.extract', 'parley.group.extract')"
    extract = f"CASE WHEN function_name IN {extracts} THEN {{}} ELSE 0 END"
    duration = "completed_at_epoch_ms - started_at_epoch_ms"
    with system.connect() as conn:
        rows = conn.execute(
            text(
                f"SELECT workflow_uuid, min(started_at_epoch_ms), max(completed_at_epoch_ms), "
                f"sum({extract.format(duration)}) FROM {prefix}operation_outputs "
                f"WHERE workflow_uuid LIKE 'article-%' OR workflow_uuid LIKE 'group-%' "
                f"GROUP BY workflow_uuid"
            )
        ).all()
    if system is not engine:
        system.dispose()
    return {r[0]: (float(r[1]), float(r[2]), float(r[3])) for r in rows}


def _system_engine(engine: Engine) -> Engine:
    if engine.dialect.name == "postgresql":
        return engine
    url = engine.url.render_as_string(hide_password=False)
    return make_engine(Settings(_env_file=None, database_url=url).system_database_url)


def report(db: str, phases: list[Phase], concurrency: int) -> str:
    """The figures as two tables: rates and latencies, then CPU per article."""
    rows = []
    for p in phases:
        rate = f"{p.articles / p.seconds:.1f}" if p.seconds else "-"
        rows.append(
            [
                db,
                p.name,
                str(p.articles),
                rate,
                p50_p95(p.post_ms),
                p50_p95(p.end_to_end_ms),
                p50_p95(p.queue_ms),
                p50_p95(p.service_ms),
                p50_p95(p.extract_ms),
            ]
        )
    headers = [
        "db",
        "phase",
        "articles",
        "articles/s",
        "POST ms",
        "accepted→done ms",
        "queue wait ms",
        "service ms (dequeue→done)",
        "extract step ms",
    ]
    cpu = [(p, p.cpu_ms_per_article) for p in phases if p.cpu_ms_per_article]
    cpu_headers = ["db", "phase", *(f"{name} CPU ms/article" for name in cpu[0][1])] if cpu else []
    cpu_rows = [[db, p.name, *(f"{v:.1f}" for v in c.values())] for p, c in cpu]
    return (
        f"queue concurrency {concurrency}; latencies as p50 / p95\n"
        + table(headers, rows)
        + ("\n\n" + table(cpu_headers, cpu_rows) if cpu else "")
    )


async def run(args: argparse.Namespace, workdir: Path) -> list[Phase]:
    """Start everything, run both phases, stop everything."""
    rng = random.Random(args.seed)
    database_url = fresh_database(args.db, workdir, args.postgres_url)
    with fake_llm(workdir / "llm.log") as (llm_url, llm_pid):
        env = service_env(database_url, llm_url, args.concurrency, args.poll, args.gate)
        env["PARLEY_QUEUE_GROUP_SIZE"] = str(args.group)
        if args.workers:  # the API process only accepts; `parley worker` processes work
            env["PARLEY_RUN_WORKER"] = "false"
        with (
            parley_serve(env, workdir / "parley.log") as (base_url, pid),
            parley_workers({**env, "PARLEY_RUN_WORKER": "true"}, workdir, args.workers) as pids,
        ):
            engine = make_engine(database_url)
            limits = httpx.Limits(max_connections=args.posters)
            async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
                if args.idle:
                    await idle_phase(([pid, *pids], llm_pid), args.idle)
                phases = [await solo_phase(client, engine, args, rng)] if args.solo else []
                phases.append(await burst_phase(client, engine, ([pid, *pids], llm_pid), args, rng))
            engine.dispose()
    return phases


def main() -> int:
    """Parse arguments, run, print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--articles", type=int, default=1000, help="articles in the burst")
    parser.add_argument("--concurrency", type=int, default=8, help="PARLEY_QUEUE_CONCURRENCY")
    parser.add_argument("--posters", type=int, default=8, help="concurrent posting clients")
    parser.add_argument("--solo", type=int, default=20, help="articles posted one at a time")
    parser.add_argument("--poll", type=float, default=0.05, help="PARLEY_QUEUE_POLL_SECONDS")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES, help="recreated on each run")
    parser.add_argument(
        "--outlets", type=int, default=4, help="articles per development (0: one for all)"
    )
    parser.add_argument(
        "--gate", action="store_true", help="burst of off-topic articles, relevance gate on"
    )
    parser.add_argument(
        "--workers", type=int, default=0, help="`parley worker` processes (0: the API works)"
    )
    parser.add_argument(
        "--idle", type=float, default=0, help="first measure the idle service's CPU this long"
    )
    parser.add_argument(
        "--bulk",
        type=int,
        default=0,
        help="post the burst as NDJSON uploads of this many articles (POST /v1/articles/bulk)",
    )
    parser.add_argument(
        "--group", type=int, default=16, help="PARLEY_QUEUE_GROUP_SIZE (bulk uploads only)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", type=Path, help="py-spy the service during the burst")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="parley-bench-"))
    phases = asyncio.run(run(args, workdir))
    db = f"{args.db}, {args.workers} worker(s)" if args.workers else args.db
    db += ", gate on, off-topic" if args.gate else ""
    print(report(db, phases, args.concurrency))
    if args.keep:
        print(f"logs and database in {workdir}")
    else:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
