"""The FastAPI application: `uvicorn app.main:app` or `parley serve`."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from app import __version__
from app.articles import routes as articles
from app.articles.metrics import ArticleGauges
from app.auth import guard
from app.config import Settings, get_settings
from app.desk import routes as desk
from app.events import routes as events
from app.extraction.protocol import Extractor
from app.feeds import routes as feeds
from app.http import errors, health, openapi
from app.http import metrics as http_metrics
from app.http.access import AccessMiddleware
from app.http.body_limit import BodyLimitMiddleware
from app.http.deps import refuse_unknown_query
from app.http.idempotency import IdempotencyMiddleware
from app.http.request_id import RequestIdMiddleware
from app.lifecycle import running
from app.observability.metrics import build_registry
from app.records import routes as records
from app.review import routes as review
from app.services import Services

log = logging.getLogger("parley")


def create_app(settings: Settings | None = None, *, extractor: Extractor | None = None) -> FastAPI:
    """Build the application; `extractor` replaces the configured one (benchmarks, tests)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        config = settings or get_settings()
        async with running(config, work=config.run_worker, extractor=extractor) as services:
            app.state.services = services
            _observe_and_guard(app, services)
            log.info(
                "parley %s ready: extractor=%s, database=%s, worker=%s",
                __version__,
                services.extractor.name,
                services.engine.dialect.name,
                config.run_worker,
            )
            yield

    app = FastAPI(
        title="Parley",
        version=__version__,
        summary="Searchable records of negotiations, ceasefires, surrenders, prisoner exchanges "
        "and peace agreements, extracted from conflict news.",
        lifespan=lifespan,
    )
    errors.install(app)
    openapi.install(app, lambda: settings or get_settings())
    # Access is checked before routing (AccessMiddleware); every router refuses query
    # parameters its routes do not declare.
    known_query, refused = Depends(refuse_unknown_query), errors.error_responses(422)
    routers = (
        articles.router,
        records.router,
        events.router,
        review.router,
        feeds.router,
        http_metrics.router,
    )
    for router in routers:
        app.include_router(router, dependencies=[known_query], responses=refused)
    app.include_router(health.router, dependencies=[known_query], responses=refused)
    # The desk's pages check their own session (app.desk.session) and take their own queries.
    desk.install(app)
    # Outermost last: request id, metrics, access (every path but the public ones, before any
    # body is read), body cap, then idempotency next to the routes.
    streamed = frozenset({articles.BULK_PATH})  # bodies read as streams, under caps of their own
    app.add_middleware(IdempotencyMiddleware, streamed=streamed)
    app.add_middleware(BodyLimitMiddleware, own_limits=streamed)
    app.add_middleware(AccessMiddleware)
    app.add_middleware(http_metrics.MetricsMiddleware)
    app.add_middleware(RequestIdMiddleware)
    return app


def _observe_and_guard(app: FastAPI, services: Services) -> None:
    """Attach the access guard and metrics registry; say loudly when the API is open."""
    access = guard.install(app, services.settings, services.engine)
    registry, http = build_registry(ArticleGauges(services.engine))
    app.state.metrics_registry, app.state.http_metrics = registry, http
    if access.presence.enforced(services.engine, services.settings):
        log.info("API keys required (scopes: read, ingest, admin)")
    else:
        log.warning(
            "the API is OPEN: no API key exists and PARLEY_REQUIRE_AUTH is false; "
            "create one with `parley keys create --scope admin` to require keys"
        )


app = create_app()
