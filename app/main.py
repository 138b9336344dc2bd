"""The FastAPI application: `uvicorn app.main:app` or `parley serve`."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import __version__, jobs
from app.api import articles, errors, health, records
from app.config import Settings, get_settings
from app.db import transaction
from app.extraction.protocol import Extractor
from app.migrate import ensure_current
from app.runtime import close_runtime, open_runtime

log = logging.getLogger("parley")


def create_app(settings: Settings | None = None, *, extractor: Extractor | None = None) -> FastAPI:
    """Build the application; `extractor` replaces the configured one (benchmarks, tests)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        config = settings or get_settings()
        runtime = open_runtime(config, extractor=extractor)
        ensure_current(runtime.engine, auto_migrate=config.auto_migrate)
        await jobs.start(config, work=config.run_worker)
        with transaction(runtime.engine) as session:
            jobs.enqueue_pending(session)
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
    for router in (articles.router, records.router, health.router):
        app.include_router(router)
    return app


app = create_app()
