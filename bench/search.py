"""GET /v1/records latency with many records loaded, on SQLite or PostgreSQL.

Usage: python bench/search.py --db sqlite|postgres [--records 100000] [--requests 300]

Loads `--records` synthetic records (about 10 per article) through the real storage code
(`app.records.store.store_extraction`, grounding and normalisation included) into a freshly migrated
database, runs ANALYZE, then times GET /v1/records against the real app, lifespan and all,
in this process over ASGI (httpx.ASGITransport: no sockets, so HTTP parsing is not counted).
Each query kind is sent `--requests` times, one at a time, with values rotating over the
countries, mediators and words the data holds; latencies are printed as p50 / p95 in ms.
"""

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import Engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.articles.accept import text_fingerprint
from app.articles.tables import Article, ArticleStatus
from app.config import Settings
from app.db.engine import make_engine
from app.db.migrate import upgrade
from app.db.unit import transaction
from app.main import create_app
from app.records.store import store_extraction
from bench.databases import DEFAULT_POSTGRES, fresh_database
from bench.figures import p50_p95, table
from bench.synthetic import CONFLICTS, MEDIATORS, article_records, article_sentences

RECORDS_PER_ARTICLE = 10
WORDS = (
    "ceasefire",
    "prisoners",
    "humanitarian access",
    "observers",
    "Khartoum",
    "Doha",
    "heavy weapons",
    "detainees",
    "disarmament",
    "front line",
    "Goma",
    "elections",
)
KINDS = ("negotiation", "ceasefire", "prisoner_exchange", "peace_agreement", "surrender")


def load(engine: Engine, records: int, batch: int, seed: int) -> float:
    """Store `records` records, `batch` articles per transaction; seconds taken."""
    rng = random.Random(seed)
    articles = max(1, records // RECORDS_PER_ARTICLE)
    started = time.perf_counter()
    for first in range(0, articles, batch):
        with transaction(engine) as unit:
            session = unit.session
            for serial in range(first, min(first + batch, articles)):
                sentences = article_sentences(serial, rng)
                body = " ".join(sentences)
                article = Article(
                    text=body,
                    text_hash=text_fingerprint(body),
                    status=ArticleStatus.PROCESSING,
                    title=f"Dispatch {serial}",
                    source="Bench Wire",
                )
                session.add(article)
                session.flush()
                result = article_records(serial, sentences, rng, RECORDS_PER_ARTICLE)
                assert article.id is not None
                store_extraction(session, article.id, body, None, result)
        done = min(first + batch, articles)
        print(f"\rloaded {done * RECORDS_PER_ARTICLE:,} records", end="", file=sys.stderr)
    print(file=sys.stderr)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return time.perf_counter() - started


def query_kinds() -> dict[str, Callable[[int], dict[str, str]]]:
    """For each query kind, the parameters of its i-th request."""
    countries = [c.country for c in CONFLICTS]
    mediators = [m[0] for m in MEDIATORS]
    return {
        "country": lambda i: {"country": countries[i % len(countries)]},
        "mediator": lambda i: {"mediator": mediators[i % len(mediators)]},
        "q": lambda i: {"q": WORDS[i % len(WORDS)]},
        "country+kind+since": lambda i: {
            "country": countries[i % len(countries)],
            "kind": KINDS[i % len(KINDS)],
            "since": str(2016 + i % 8),
        },
        "country, page 2": lambda i: {"country": countries[i % len(countries)], "page": "2"},
    }


async def time_queries(client: httpx.AsyncClient, requests: int) -> list[list[str]]:
    """Send every query kind `requests` times; a table row per kind."""
    rows = []
    for name, params_for in query_kinds().items():
        latencies, items = [], 0
        for i in range(requests):
            params = params_for(i)
            second_page = params.pop("page", None) is not None
            if second_page:
                first = (await client.get("/v1/records", params=params)).json()
                params["cursor"] = first["next_cursor"]
            started = time.perf_counter()
            response = await client.get("/v1/records", params=params)
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{params} answered {response.status_code}: {response.text}")
            items += len(response.json()["items"])
        rows.append([name, str(requests), f"{items / requests:.1f}", p50_p95(latencies)])
    return rows


async def serve_and_time(settings: Settings, requests: int) -> list[list[str]]:
    """Start the real app in this process and time the queries against it."""
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=120) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for i in range(20):  # warm caches and connection pools
                await client.get("/v1/records", params=query_kinds()["q"](i))
            return await time_queries(client, requests)


def main() -> int:
    """Load, then time, then print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="per query kind (≥ 200)")
    parser.add_argument("--batch", type=int, default=200, help="articles per transaction")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES, help="recreated on each run")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="parley-bench-") as tmp:
        url = fresh_database(args.db, Path(tmp), args.postgres_url)
        engine = make_engine(url)
        upgrade(engine)
        seconds = load(engine, args.records, args.batch, args.seed)
        engine.dispose()
        settings = Settings(
            _env_file=None,
            database_url=url,
            run_worker=False,
            extractor_choice="rules",
            rate_limit_per_minute=100_000_000,
            rate_limit_burst=100_000_000,
            log_level="WARNING",
        )
        rows = asyncio.run(serve_and_time(settings, args.requests))
    print(
        f"{args.db}: {args.records:,} records loaded in {seconds:.0f}s "
        f"({args.records / seconds:,.0f} records/s through store_extraction)"
    )
    headers = ["query", "requests", "items/page", "p50 / p95 ms"]
    print(table(headers, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
