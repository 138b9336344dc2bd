"""The FastAPI application: `uvicorn app.main:app` or `parley serve`."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from app import __version__, jobs, metrics, polling
from app.api import articles, errors, feeds, health, records
from app.auth import guard
from app.config import Settings, get_settings
from app.extraction.protocol import Extractor
from app.idempotency import IdempotencyMiddleware
from app.limits import BodyLimitMiddleware
from app.logs import RequestIdMiddleware, configure_logging
from app.metrics import MetricsMiddleware
from app.migrate import ensure_current
from app.runtime import Runtime, close_runtime, open_runtime

log = logging.getLogger("parley")


def create_app(settings: Settings | None = None, *, extractor: Extractor | None = None) -> FastAPI:
    """Build the application; `extractor` replaces the configured one (benchmarks, tests)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        config = settings or get_settings()
        configure_logging(config.log_format, config.log_level)
        runtime = open_runtime(config, extractor=extractor)
        ensure_current(runtime.engine, auto_migrate=config.auto_migrate)
        _observe_and_guard(app, runtime)
        await jobs.start(config, work=config.run_worker)
        await polling.sync_schedules(config)
        await asyncio.to_thread(jobs.sweep, runtime.engine)
        app.state.runtime = runtime
        log.info(
            "parley %s ready: extractor=%s, database=%s, worker=%s",
            __version__,
            runtime.extractor.name,
            runtime.engine.dialect.name,
            config.run_worker,
        )
        try:
            yield
        finally:
            # `parley serve` has already drained running extractions (off the event loop); here,
            # on the loop they run on, stop() hands back whatever is left at once.
            jobs.stop()
            await close_runtime(runtime)

    app = FastAPI(
        title="Parley",
        version=__version__,
        summary="Searchable records of negotiations, ceasefires, surrenders, prisoner exchanges "
        "and peace agreements, extracted from conflict news.",
        lifespan=lifespan,
    )
    errors.install(app)
    # Every router but health's carries the guard, so a new route is never left open.
    for router in (articles.router, records.router, feeds.router, metrics.router):
        app.include_router(router, dependencies=[Depends(guard.guard)])
    app.include_router(health.router)
    # Outermost last: request id, metrics, body cap, then idempotency next to the routes.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(RequestIdMiddleware)
    return app


def _observe_and_guard(app: FastAPI, runtime: Runtime) -> None:
    """Attach the access guard and metrics registry; say loudly when the API is open."""
    access = guard.install(app, runtime.settings, runtime.engine)
    app.state.metrics_registry, app.state.http_metrics = metrics.build_registry(runtime.engine)
    if access.presence.enforced(runtime.engine, runtime.settings):
        log.info("API keys required (scopes: read, ingest, admin)")
    else:
        log.warning(
            "the API is OPEN: no API key exists and PARLEY_REQUIRE_AUTH is false; "
            "create one with `parley keys create --scope admin` to require keys"
        )


app = create_app()
