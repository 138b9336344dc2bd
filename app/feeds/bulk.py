"""`parley ingest --bulk FILE.ndjson` (`-` for stdin): an archive into the database, in this
process, through the acceptance `POST /v1/articles/bulk` uses (`app.articles.bulk`).

A progress bar on stderr counts accepted, duplicate and invalid lines and lines/s; `--wait`
then works the queue here and shows done and failed out of accepted. When the queue is full
(`PARLEY_MAX_QUEUED_ARTICLES`) the command waits for room and goes on from the next line: with
`--wait` this process works the queue, so room comes; without it a worker elsewhere must, and
a queue that does not shrink within the timeout stops the command with the line to resume
from. Ctrl-C stops after the batch in hand (a batch is committed whole or not at all); a
second Ctrl-C stops at once. The report (stdout, JSON) says what was committed and the line to
resume from.
"""

import asyncio
import signal
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import anyio
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.articles.backlog import queued_count
from app.articles.bulk import Outcome, Stopped, accept_ndjson
from app.articles.tables import Article, ArticleStatus
from app.config import get_settings
from app.errors import ParleyError
from app.records.tables import Record
from app.services import Lifecycle, Services

_CHUNK = 1 << 20
_IDS_PER_QUERY = 5_000  # under SQLite's bound on query parameters
_POLL_SECONDS = 0.5


@dataclass
class Tally:
    """What the upload gave so far."""

    created: int = 0
    duplicate: int = 0
    invalid: int = 0
    last_line: int = 0
    ids: list[int] = field(default_factory=list)
    stopped: dict[str, Any] | None = None
    stopped_at: int | None = None
    interrupted: bool = False

    def add(self, item: Outcome | Stopped) -> None:
        """Count one line's outcome, or why the upload stopped."""
        if isinstance(item, Stopped):
            self.stopped, self.stopped_at = item.as_json()["error"], item.next_line
            return
        self.last_line = item.line
        if item.result == "created" and item.id is not None:
            self.created += 1
            self.ids.append(item.id)
        elif item.result == "duplicate":
            self.duplicate += 1
        else:
            self.invalid += 1

    def line(self, seconds: float) -> str:
        """The progress bar's text."""
        lines = self.created + self.duplicate + self.invalid
        rate = lines / seconds if seconds > 0 else 0.0
        return (
            f"accepted {self.created:,} · duplicate {self.duplicate:,} · "
            f"invalid {self.invalid:,} · {rate:,.0f} lines/s"
        )

    def report(self) -> dict[str, Any]:
        """What the command prints."""
        report: dict[str, Any] = {
            "kind": "bulk",
            "created": self.created,
            "duplicate": self.duplicate,
            "invalid": self.invalid,
        }
        if self.interrupted:
            # Ctrl-C while waiting for room ends the wait too: that is not the queue's doing.
            report["interrupted"] = {"next_line": self.stopped_at or self.last_line + 1}
        elif self.stopped is not None:
            report["stopped"] = self.stopped
        return report


@contextmanager
def _opened(target: str) -> Iterator[BinaryIO]:
    if target == "-":
        yield sys.stdin.buffer
        return
    with Path(target).open("rb") as source:
        yield source


async def _chunks(source: BinaryIO) -> AsyncIterator[bytes]:
    while chunk := await anyio.to_thread.run_sync(source.read, _CHUNK, abandon_on_cancel=True):
        yield chunk


@contextmanager
def _first_ctrl_c_stops(stopping: asyncio.Event) -> Iterator[None]:
    """Ctrl-C once: stop after the batch in hand; twice: cancel at once."""
    loop, task = asyncio.get_running_loop(), asyncio.current_task()

    def interrupted() -> None:
        if stopping.is_set() and task is not None:
            task.cancel()
        stopping.set()

    try:
        loop.add_signal_handler(signal.SIGINT, interrupted)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or Windows
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )


@dataclass
class _Room:
    """Waiting for the queue to drain below its maximum, shown on the progress bar."""

    services: Services
    progress: Progress
    task: TaskID
    stopping: asyncio.Event
    patience: float

    async def __call__(self) -> bool:
        """True once the queue has room; False on Ctrl-C, or when it stopped shrinking for
        `patience` seconds (no worker is draining it)."""
        limit = self.services.settings.max_queued_articles
        lowest, since = None, time.monotonic()
        while limit is not None and not self.stopping.is_set():
            queued = await asyncio.to_thread(_queued, self.services.engine)
            if queued < limit:
                self.progress.update(self.task, description="accepting")
                return True
            if lowest is None or queued < lowest:
                lowest, since = queued, time.monotonic()
            elif time.monotonic() - since > self.patience:
                return False
            self.progress.update(self.task, description=f"waiting for room: {queued:,} queued")
            with suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), _POLL_SECONDS)
        return False


def _queued(engine: Engine) -> int:
    with Session(engine) as session:
        return queued_count(session)


async def _accept(services: Services, target: str, progress: Progress, patience: float) -> Tally:
    tally, stopping, started = Tally(), asyncio.Event(), time.monotonic()
    task = progress.add_task("accepting", total=None, counts="")
    room = _Room(services, progress, task, stopping, patience)
    with _opened(target) as source, _first_ctrl_c_stops(stopping):
        async for batch in accept_ndjson(_chunks(source), services, room):
            for item in batch:
                tally.add(item)
            progress.update(task, counts=tally.line(time.monotonic() - started))
            if stopping.is_set():
                tally.interrupted = True
                break
    return tally


def _finished(engine: Engine, ids: list[int]) -> tuple[int, int]:
    """Done and failed among the articles `ids`."""
    done = failed = 0
    with Session(engine) as session:
        for chunk in _chunked(ids):
            statuses = select(Article.status, func.count()).where(col(Article.id).in_(chunk))
            for status, n in session.exec(statuses.group_by(col(Article.status))):
                done += n if status == ArticleStatus.DONE else 0
                failed += n if status == ArticleStatus.FAILED else 0
    return done, failed


def _records(engine: Engine, ids: list[int]) -> int:
    """Records stored from the articles `ids`."""
    counted = select(func.count()).select_from(Record)
    with Session(engine) as session:
        return sum(
            session.exec(counted.where(col(Record.article_id).in_(chunk))).one()
            for chunk in _chunked(ids)
        )


def _chunked(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _IDS_PER_QUERY):
        yield ids[start : start + _IDS_PER_QUERY]


async def _extract(
    services: Services, ids: list[int], progress: Progress, patience: float
) -> dict[str, int]:
    """Work the queue here until the accepted articles are done or failed; give up when none
    finished for `patience` seconds."""
    task = progress.add_task("extracting", total=len(ids), counts="")
    # Reading 50,000 statuses takes a while: a large archive is looked at less often.
    every = max(_POLL_SECONDS, len(ids) / 10_000)
    finished, since = -1, time.monotonic()
    while True:
        done, failed = await asyncio.to_thread(_finished, services.engine, ids)
        progress.update(task, completed=done + failed, counts=f"done {done:,} · failed {failed:,}")
        if done + failed >= len(ids):
            records = await asyncio.to_thread(_records, services.engine, ids)
            return {"done": done, "failed": failed, "records": records}
        if done + failed > finished:
            finished, since = done + failed, time.monotonic()
        elif time.monotonic() - since > patience:
            raise ParleyError(f"no article finished for {patience:g}s; a worker will finish")
        await asyncio.sleep(every)


async def ingest_bulk(opened: Lifecycle, target: str, wait: bool, within: float) -> dict[str, Any]:
    """Accept an NDJSON file (or stdin) in bulk; with `wait`, extract it here to the end."""
    async with opened.running(get_settings(), work=wait) as services:
        with _progress() as progress:
            tally = await _accept(services, target, progress, within)
            report = tally.report()
            if wait and not tally.interrupted:
                report.update(await _extract(services, tally.ids, progress, within))
        return report
