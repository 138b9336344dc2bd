"""The unit of work: one transaction, and the jobs to send once it has committed.

Whoever owns the transaction (a request, a job step, a command) opens a unit, lets business
functions add and flush rows and `send` jobs, and commits once. Jobs go out only after the
commit, so a worker never picks up an article it cannot see yet; a rollback drops them.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Engine
from sqlmodel import Session


@dataclass(frozen=True)
class Job:
    """A message for the durable queue; each domain defines what its jobs carry."""


class JobSender(Protocol):
    """Hands committed jobs to the durable queue."""

    def send(self, jobs: Sequence[Job]) -> None:
        """Queue `jobs` (sending the same job twice is a no-op)."""
        ...


class UnitOfWork:
    """A session plus an outbox of jobs sent after the commit."""

    def __init__(self, session: Session, sender: JobSender | None = None) -> None:
        self.session = session
        self._sender = sender
        self._outbox: list[Job] = []

    def send(self, job: Job) -> None:
        """Send `job` once this unit commits (never, if it rolls back)."""
        if self._sender is None:
            raise RuntimeError("this unit of work has no queue to send jobs to")
        self._outbox.append(job)

    def commit(self) -> None:
        """Commit the transaction, then send the jobs collected in it."""
        self.session.commit()
        jobs, self._outbox = self._outbox, []
        if jobs and self._sender is not None:
            self._sender.send(jobs)

    def rollback(self) -> None:
        """Undo the transaction and forget its jobs."""
        self.session.rollback()
        self._outbox.clear()


@contextmanager
def unit_of_work(engine: Engine, sender: JobSender | None = None) -> Iterator[UnitOfWork]:
    """A unit of work that the caller commits; left uncommitted, it is rolled back on exit."""
    with Session(engine, expire_on_commit=False) as session:
        unit = UnitOfWork(session, sender)
        try:
            yield unit
        finally:
            unit.rollback()


@contextmanager
def transaction(engine: Engine, sender: JobSender | None = None) -> Iterator[UnitOfWork]:
    """A unit of work committed when the block succeeds (job steps and commands use it)."""
    with unit_of_work(engine, sender) as unit:
        yield unit
        unit.commit()
