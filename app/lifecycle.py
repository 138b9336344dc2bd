"""One lifecycle for every Parley process: the API, `parley worker` and the CLI commands.

`running` opens, in order, logging, the database (checked against the code's schema), the LLM
client and extractor, the circuit breaker and the durable queue (DBOS, its queues and the feed
schedules), and closes them in reverse. Commands that need less take `database` (the engine
alone) or `extracting` (an extractor, no database).
"""

import asyncio
import functools
from collections.abc import AsyncIterator, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
)

import anyio
from sqlalchemy import Engine

from app import services as process
from app.config import Settings
from app.db.engine import make_engine, missing_sqlite_file
from app.db.migrate import ensure_current
from app.errors import NotFound
from app.extraction.breaker import CircuitBreaker
from app.extraction.choice import build_client, build_extractor
from app.extraction.protocol import Extractor
from app.extraction.rules.lexicon import load_lexicon
from app.feeds import polling
from app.observability.logs import configure_logging
from app.pipeline.queue import DurableQueue
from app.services import Services


@contextmanager
def database(settings: Settings, *, create: bool = True) -> Iterator[Engine]:
    """The application database, created or checked against the code's schema.

    With `create=False` a SQLite file that does not exist is an error naming its path, so a
    command run from another directory does not quietly read a new, empty database.
    """
    configure_logging(settings.log_format, settings.log_level)
    missing = None if create else missing_sqlite_file(settings.database_url)
    if missing is not None:
        raise NotFound(
            f"no database at {missing}: set PARLEY_DATABASE_URL, or create it with "
            "`parley db upgrade`"
        )
    workflows = settings.queue_concurrency + settings.fetch_concurrency
    engine = make_engine(settings.database_url, pool_size=workflows + 10)
    try:
        ensure_current(engine, auto_migrate=settings.auto_migrate)
        yield engine
    finally:
        engine.dispose()


@asynccontextmanager
async def extracting(settings: Settings) -> AsyncIterator[Extractor]:
    """The configured extractor and its client, for commands that use no database."""
    client = build_client(settings)
    try:
        yield build_extractor(settings, client)
    finally:
        if client is not None:
            await client.close()


@asynccontextmanager
async def running(
    settings: Settings, *, work: bool, extractor: Extractor | None = None
) -> AsyncIterator[Services]:
    """Everything a process serving or working the queue needs; `work` runs queued jobs here.

    `extractor` replaces the configured one (benchmarks and tests).
    """
    with database(settings) as engine:
        client = None if extractor is not None else build_client(settings)
        services = Services(
            settings=settings,
            engine=engine,
            extractor=extractor or build_extractor(settings, client),
            breaker=CircuitBreaker(
                settings.llm_breaker_threshold, settings.llm_breaker_cooldown_seconds
            ),
            openai=client,
        )
        queue = services.queue = DurableQueue(settings, engine)
        process.bind(services)
        try:
            await queue.start(work=work)
            try:
                await polling.sync_schedules(services)
                if work:
                    await asyncio.to_thread(queue.sweep)
                    # The relevance gate's and the rules' tables (0.1 s): read before the first
                    # article, not while it waits.
                    await asyncio.to_thread(load_lexicon)
                yield services
            finally:
                # Work still running is handed back at once (`parley serve` and `parley worker`
                # drain first, see `drain`). Off the loop, since DBOS starts dequeued workflows
                # on it and waits (stopping on it stalled shutdown 10 s), and in anyio's thread:
                # the loop's default executor is DBOS's, which may be shut down already.
                await anyio.to_thread.run_sync(functools.partial(queue.stop, drain=False))
        finally:
            process.unbind(services)
            if client is not None:
                await client.close()


async def drain(services: Services) -> None:
    """Stop taking work and let running jobs finish within the grace period (off the loop)."""
    if services.queue is not None:
        await asyncio.to_thread(services.queue.stop, drain=True)


class ProcessLifecycle:
    """This module's functions as the `Lifecycle` commands receive."""

    def running(self, settings: Settings, *, work: bool) -> AbstractAsyncContextManager[Services]:
        """See `running`."""
        return running(settings, work=work)

    def database(
        self, settings: Settings, *, create: bool = True
    ) -> AbstractContextManager[Engine]:
        """See `database`."""
        return database(settings, create=create)

    def extracting(self, settings: Settings) -> AbstractAsyncContextManager[Extractor]:
        """See `extracting`."""
        return extracting(settings)
