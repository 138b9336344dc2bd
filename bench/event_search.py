"""Timing GET /v1/events against the real app, in this process over ASGI, as bench/search.py
times GET /v1/records: each query kind `requests` times, one at a time, values rotating."""

import datetime as dt
import time
from collections.abc import Callable

import httpx
from asgi_lifespan import LifespanManager

from app.config import Settings
from app.main import create_app
from bench.event_world import END, KINDS, Layout, world
from bench.figures import p50_p95

COUNTRIES = 200
YEARS = 10
SKEW = 0.7  # country k (from 1) is reported in proportion to 1 / k**SKEW
ROTATE = 5  # values each query kind rotates over

Params = Callable[[int], dict[str, str]]


def skewed_layout(seed: int) -> Layout:
    """200 countries over ten years, a few busy and many quiet (Zipf-like weights)."""
    countries = world(COUNTRIES, seed)
    weights = tuple(1 / (k + 1) ** SKEW for k in range(COUNTRIES))
    return Layout(tuple(countries), weights, YEARS * 365)


def query_kinds(layout: Layout) -> dict[str, Params]:
    """For each query kind, the parameters of its i-th request."""
    by_weight = sorted(zip(layout.weights, layout.countries, strict=True), key=lambda p: -p[0])
    frequent = [c.code for _, c in by_weight[:ROTATE]]
    rare = [c.code for _, c in by_weight[-ROTATE:]]
    share: dict[str, float] = {}
    for weight, country in by_weight:
        share[country.mediator[0]] = share.get(country.mediator[0], 0.0) + weight
    ranked = sorted(share, key=lambda m: -share[m])
    since = (END - dt.timedelta(days=365)).isoformat()

    def pick(values: list[str]) -> Callable[[int], str]:
        return lambda i: values[i % len(values)]

    top, few, kind = pick(frequent), pick(rare), pick([str(k) for k in KINDS])
    return {
        "no filter": lambda i: {},
        "country, frequent": lambda i: {"country": top(i)},
        "country, rare": lambda i: {"country": few(i)},
        "country, frequent, page 2": lambda i: {"country": top(i), "page": "2"},
        "country, rare, page 2": lambda i: {"country": few(i), "page": "2"},
        "country+kind, frequent": lambda i: {"country": top(i), "kind": kind(i)},
        "country+kind, rare": lambda i: {"country": few(i), "kind": kind(i)},
        "country+kind+since, frequent": lambda i: {
            "country": top(i),
            "kind": kind(i),
            "since": since,
        },
        "country+since, rare": lambda i: {"country": few(i), "since": since},
        "mediator, frequent": lambda i: {"mediator": ranked[0]},
        "mediator, rare": lambda i: {"mediator": ranked[-1]},
        "mediator+kind, frequent": lambda i: {"mediator": ranked[0], "kind": kind(i)},
    }


async def time_queries(
    client: httpx.AsyncClient, kinds: dict[str, Params], requests: int
) -> list[list[str]]:
    """Send every query kind `requests` times; a table row per kind."""
    rows = []
    for name, params_for in kinds.items():
        latencies, cpu, items = [], [], 0
        for i in range(requests):
            params = params_for(i)
            if params.pop("page", None) is not None:
                first = (await client.get("/v1/events", params=params)).json()
                params["cursor"] = first["next_cursor"]
            started, used = time.perf_counter(), time.process_time()
            response = await client.get("/v1/events", params=params)
            latencies.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{params} answered {response.status_code}: {response.text}")
            items += len(response.json()["items"])
        average = f"{items / requests:.1f}"
        rows.append([name, str(requests), average, p50_p95(latencies), p50_p95(cpu)])
    return rows


async def serve_and_time(url: str, kinds: dict[str, Params], requests: int) -> list[list[str]]:
    """Start the real app (lifespan included, worker off) and time the queries against it."""
    settings = Settings(
        _env_file=None,
        database_url=url,
        run_worker=False,
        extractor_choice="rules",
        rate_limit_per_minute=100_000_000,
        rate_limit_burst=100_000_000,
        log_level="WARNING",
    )
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=120) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for i in range(20):  # warm caches and connection pools
                await client.get("/v1/events", params=kinds["country, frequent"](i))
            return await time_queries(client, kinds, requests)
