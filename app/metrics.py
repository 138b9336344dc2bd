"""Prometheus metrics: HTTP traffic by route template, articles and queue depth read from the
database at scrape time, and the pipeline's counters (LLM calls, tokens, failures, breaker).

Each app gets its own registry (tests build many apps); the pipeline's counters are
process-wide objects registered into every app's registry.
"""

import time
from collections.abc import Iterable

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.models import Article

ARTICLE_STATUSES = ("queued", "processing", "done", "failed")

# The pipeline increments these; they are not bound to any registry until an app adopts them.
LLM_CALLS = Counter("parley_llm_calls", "LLM requests made.", registry=None)
LLM_TOKENS = Counter("parley_llm_tokens", "LLM tokens spent.", ["kind"], registry=None)
EXTRACTION_FAILURES = Counter(
    "parley_extraction_failures", "Extractions that failed, by reason.", ["reason"], registry=None
)
BREAKER_STATE = Gauge(
    "parley_llm_breaker_state", "LLM circuit breaker: 0 closed, 1 half-open, 2 open.", registry=None
)
PIPELINE_METRICS: tuple[Collector, ...] = (
    LLM_CALLS,
    LLM_TOKENS,
    EXTRACTION_FAILURES,
    BREAKER_STATE,
)


class DatabaseCollector(Collector):
    """Articles by status and queue depth, counted when Prometheus scrapes."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterable[Metric]:
        """Yield the gauges read from the database."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(Article.status, func.count()).group_by(col(Article.status))
            ).all()
        counts = dict.fromkeys(ARTICLE_STATUSES, 0) | {status: int(n) for status, n in rows}
        articles = GaugeMetricFamily("parley_articles", "Articles by status.", labels=["status"])
        for status, n in sorted(counts.items()):
            articles.add_metric([status], n)
        yield articles
        depth = counts["queued"] + counts["processing"]
        yield GaugeMetricFamily("parley_queue_depth", "Articles queued or processing.", value=depth)


class HttpMetrics:
    """Request counter and latency histogram of one app."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "parley_http_requests",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "parley_http_request_duration_seconds",
            "HTTP request latency by method and route template.",
            ["method", "route"],
            registry=registry,
        )


def build_registry(engine: Engine) -> tuple[CollectorRegistry, HttpMetrics]:
    """A registry holding one app's HTTP metrics, its database gauges and the pipeline's."""
    registry = CollectorRegistry(auto_describe=True)
    http = HttpMetrics(registry)
    registry.register(DatabaseCollector(engine))
    for collector in PIPELINE_METRICS:
        registry.register(collector)
    return registry, http


def route_template(scope: Scope) -> str:
    """The matched route's template (`/v1/articles/{article_id}`), never the raw path."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class MetricsMiddleware:
    """Pure ASGI middleware counting and timing requests by route template and status."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            http: HttpMetrics | None = getattr(scope["app"].state, "http_metrics", None)
            if http is not None:
                route, method = route_template(scope), scope["method"]
                http.requests.labels(method, route, str(status)).inc()
                http.latency.labels(method, route).observe(time.perf_counter() - started)


router = APIRouter(tags=["observability"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text."}},
)
def metrics(request: Request) -> Response:
    """Prometheus metrics of this process."""
    registry: CollectorRegistry = request.app.state.metrics_registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
