"""What a running Parley process holds: settings, database, extractor, breaker, queue.

`app.lifecycle` builds a `Services` when a process starts (the API, `parley worker`, a CLI
command) and closes it when the process stops; requests get it as a dependency. DBOS runs
durable workflows by name, outside any request, so workflow steps reach the process's services
through `bound()`: the one process-wide slot, set and cleared by the lifecycle alone.
"""

from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from openai import AsyncOpenAI
from sqlalchemy import Engine

from app.config import Settings
from app.db.unit import JobSender, UnitOfWork, transaction, unit_of_work
from app.extraction.breaker import CircuitBreaker
from app.extraction.protocol import Extractor


class DurableWork(JobSender, Protocol):
    """The durable queue as a process uses it (`app.pipeline.queue.DurableQueue`)."""

    def stop(self, *, drain: bool) -> None:
        """Stop taking work; with `drain`, running jobs get the grace period."""
        ...

    def sweep(self) -> int:
        """Re-queue waiting articles whose job is gone."""
        ...


@dataclass
class Services:
    """The long-lived objects of one process, opened and closed by `app.lifecycle`."""

    settings: Settings
    engine: Engine
    extractor: Extractor
    breaker: CircuitBreaker
    queue: "DurableWork | None" = None
    openai: AsyncOpenAI | None = None

    @contextmanager
    def unit(self) -> Iterator[UnitOfWork]:
        """A unit of work the caller commits once (uncommitted, it is rolled back)."""
        with unit_of_work(self.engine, self.queue) as unit:
            yield unit

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """A unit of work committed when the block succeeds."""
        with transaction(self.engine, self.queue) as unit:
            yield unit


_bound: list[Services] = []


def bind(services: Services) -> None:
    """Make `services` the ones this process's durable workflows use (lifecycle only)."""
    _bound[:] = [services]


def unbind(services: Services) -> None:
    """Forget `services` if they are the bound ones (lifecycle only)."""
    if _bound and _bound[0] is services:
        _bound.clear()


def bound() -> Services:
    """The services of the running process, for durable workflow steps."""
    if not _bound:
        raise RuntimeError("no Parley services are running in this process")
    return _bound[0]


@runtime_checkable
class Lifecycle(Protocol):
    """How commands open what they need (`app.lifecycle` implements it; the root command
    hands it to every subcommand through typer's context)."""

    def running(self, settings: Settings, *, work: bool) -> AbstractAsyncContextManager[Services]:
        """Everything a process serving or working the queue needs."""
        ...

    def database(
        self, settings: Settings, *, create: bool = True
    ) -> AbstractContextManager[Engine]:
        """The application database alone, checked against the code's schema."""
        ...

    def extracting(self, settings: Settings) -> AbstractAsyncContextManager[Extractor]:
        """The configured extractor, with no database."""
        ...
