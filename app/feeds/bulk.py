"""`parley ingest --bulk FILE.ndjson` (`-` for stdin): an archive into the database, in this
process, through the acceptance `POST /v1/articles/bulk` uses (`app.articles.bulk`).

A progress bar on stderr counts accepted, duplicate and invalid lines and lines/s; `--wait`
then works the queue here and shows done and failed out of accepted. Ctrl-C stops after the
batch in hand (a batch is committed whole or not at all); a second Ctrl-C stops at once. The
report (stdout, JSON) says what was committed and the line to resume from.
"""

import asyncio
import signal
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import anyio
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.articles.bulk import Outcome, Stopped, accept_ndjson
from app.articles.tables import Article, ArticleStatus
from app.config import get_settings
from app.errors import ParleyError
from app.records.tables import Record
from app.services import Lifecycle, Services

_CHUNK = 1 << 20
_IDS_PER_QUERY = 5_000  # under SQLite's bound on query parameters


@dataclass
class Tally:
    """What the upload gave so far."""

    created: int = 0
    duplicate: int = 0
    invalid: int = 0
    last_line: int = 0
    ids: list[int] = field(default_factory=list)
    stopped: dict[str, Any] | None = None
    interrupted: bool = False

    def add(self, item: Outcome | Stopped) -> None:
        """Count one line's outcome, or why the upload stopped."""
        if isinstance(item, Stopped):
            self.stopped = item.as_json()["error"]
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
        if self.stopped is not None:
            report["stopped"] = self.stopped
        if self.interrupted:
            report["interrupted"] = {"next_line": self.last_line + 1}
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


async def _accept(services: Services, target: str, progress: Progress) -> Tally:
    tally, stopping, started = Tally(), asyncio.Event(), time.monotonic()
    task = progress.add_task("accepting", total=None, counts="")
    with _opened(target) as source, _first_ctrl_c_stops(stopping):
        async for batch in accept_ndjson(_chunks(source), services):
            for item in batch:
                tally.add(item)
            progress.update(task, counts=tally.line(time.monotonic() - started))
            if stopping.is_set():
                tally.interrupted = True
                break
    return tally


def _finished(engine: Engine, ids: list[int]) -> tuple[int, int, int]:
    """Done, failed and records among the articles `ids`."""
    done = failed = records = 0
    with Session(engine) as session:
        for start in range(0, len(ids), _IDS_PER_QUERY):
            chunk = ids[start : start + _IDS_PER_QUERY]
            statuses = select(Article.status, func.count()).where(col(Article.id).in_(chunk))
            for status, n in session.exec(statuses.group_by(col(Article.status))):
                done += n if status == ArticleStatus.DONE else 0
                failed += n if status == ArticleStatus.FAILED else 0
            counted = select(func.count()).select_from(Record)
            records += session.exec(counted.where(col(Record.article_id).in_(chunk))).one()
    return done, failed, records


async def _extract(
    services: Services, ids: list[int], progress: Progress, within: float
) -> dict[str, int]:
    """Work the queue here until the accepted articles are done or failed."""
    task = progress.add_task("extracting", total=len(ids), counts="")
    deadline = time.monotonic() + within
    while True:
        done, failed, records = await asyncio.to_thread(_finished, services.engine, ids)
        progress.update(task, completed=done + failed, counts=f"done {done:,} · failed {failed:,}")
        if done + failed >= len(ids):
            return {"done": done, "failed": failed, "records": records}
        if time.monotonic() > deadline:
            raise ParleyError(f"articles still waiting after {within:g}s; a worker will finish")
        await asyncio.sleep(0.5)


async def ingest_bulk(opened: Lifecycle, target: str, wait: bool, within: float) -> dict[str, Any]:
    """Accept an NDJSON file (or stdin) in bulk; with `wait`, extract it here to the end."""
    async with opened.running(get_settings(), work=wait) as services:
        with _progress() as progress:
            tally = await _accept(services, target, progress)
            report = tally.report()
            if wait and not tally.interrupted:
                report.update(await _extract(services, tally.ids, progress, within))
        return report
