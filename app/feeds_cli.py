"""`parley ingest URL|FILE|FEED_URL` and `parley feeds add|list|remove`.

Both write to the configured database and queue the work; a running `parley serve` or
`parley worker` processes it (`parley ingest --wait` processes it in this process instead).
Expected failures print one line and exit 1, never a traceback.
"""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app import jobs, polling
from app.articles import accept, attach_page, text_fingerprint
from app.config import get_settings
from app.db import make_engine, transaction
from app.errors import InvalidInput, ParleyError, PayloadTooLarge
from app.feed_items import looks_like_feed
from app.feeds import (
    FeedReport,
    active_feeds,
    feed_url,
    read_feed,
    stop_feed,
    store_feed,
    take_feed,
)
from app.fetching.client import Fetched, fetch
from app.fetching.policy import FetchPolicy
from app.ingest.canonical import canonical_url
from app.ingest.pages import extract_page
from app.migrate import SchemaOutdated, ensure_current
from app.models import Article, Feed, Record
from app.runtime import Runtime, close_runtime, open_runtime

feeds_cli = typer.Typer(help="Feeds polled on a schedule.")
T = TypeVar("T")


def _run(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a command's coroutine; expected errors become one line on stderr and exit 1."""
    try:
        return asyncio.run(work())
    except (ParleyError, SchemaOutdated, OSError, UnicodeDecodeError) as exc:
        typer.echo(f"error: {getattr(exc, 'message', exc)}", err=True)
        raise typer.Exit(1) from None


@asynccontextmanager
async def _service(*, work: bool = False) -> AsyncIterator[Runtime]:
    """The database and the queue, as `parley worker` opens them; `work` also runs the jobs."""
    settings = get_settings()
    runtime = open_runtime(settings)
    try:
        ensure_current(runtime.engine, auto_migrate=settings.auto_migrate)
        await jobs.start(settings, work=work)
        try:
            await polling.ensure_queue(settings)
            yield runtime
        finally:
            await asyncio.to_thread(jobs.stop)
    finally:
        await close_runtime(runtime)


def _is_url(target: str) -> bool:
    return "://" in target


async def _ingest_url(session: Session, runtime: Runtime, url: str) -> dict[str, Any]:
    fetched = await fetch(url, FetchPolicy.from_settings(runtime.settings))
    if looks_like_feed(fetched.body, fetched.content_type):
        parsed = await asyncio.to_thread(
            read_feed, fetched.body, runtime.settings, fetched.final_url
        )
        report = await store_feed(session, runtime.settings, parsed)
        return _feed_result(report)
    return await asyncio.to_thread(_store_page, session, url, fetched)


def _store_page(session: Session, url: str, fetched: Fetched) -> dict[str, Any]:
    """A fetched article page as a new article (or the one it duplicates), queued."""
    page = extract_page(fetched.body, fetched.final_url, content_type=fetched.content_type)
    if not page.text.strip():
        raise InvalidInput(f"no article text found at {fetched.final_url}")
    article, created = accept(session, Article(url=url, canonical_url=canonical_url(url)))
    earlier = attach_page(session, article, page) if created else article
    session.commit()
    if earlier is not None:
        return _article_result(earlier, created=False)
    jobs.enqueue(article)
    return _article_result(article, created=True)


def _article_result(article: Article, *, created: bool) -> dict[str, Any]:
    status = "queued" if created else "duplicate"
    new_ids = [article.id] if created else []
    return {"kind": "article", "id": article.id, "status": status, "new_ids": new_ids}


async def _ingest_file(session: Session, runtime: Runtime, path: Path) -> dict[str, Any]:
    body = await asyncio.to_thread(path.read_bytes)
    if looks_like_feed(body):
        parsed = await asyncio.to_thread(read_feed, body, runtime.settings)
        return _feed_result(await store_feed(session, runtime.settings, parsed))
    text = body.decode("utf-8")
    if not text.strip():
        raise InvalidInput(f"{path} is empty")
    if len(text) > runtime.settings.max_text_chars:
        raise PayloadTooLarge(f"{path} has more than {runtime.settings.max_text_chars} characters")
    new = Article(text=text, text_hash=text_fingerprint(text), title=path.stem)
    article, created = accept(session, new)
    session.commit()
    if created:
        jobs.enqueue(article)
    return _article_result(article, created=created)


def _feed_result(report: FeedReport) -> dict[str, Any]:
    return {
        "kind": "feed",
        "title": report.title,
        "items": report.items,
        "new": report.new,
        "duplicate": report.duplicate,
        "failed": report.failed,
        "truncated": report.truncated,
        "new_ids": list(report.new_ids),
    }


def _unfinished(engine: Engine, ids: list[int]) -> int:
    with Session(engine) as session:
        query = select(Article).where(col(Article.id).in_(ids))
        return sum(1 for a in session.exec(query).all() if a.status not in ("done", "failed"))


def _records(engine: Engine, ids: list[int]) -> int:
    with Session(engine) as session:
        query = select(func.count()).select_from(Record).where(col(Record.article_id).in_(ids))
        return int(session.exec(query).one())


async def _wait(engine: Engine, ids: list[int], within: float) -> dict[str, Any]:
    """Process in this process until the new articles are done or failed."""
    deadline = time.monotonic() + within
    while ids:
        if not await asyncio.to_thread(_unfinished, engine, ids):
            break
        if time.monotonic() > deadline:
            raise ParleyError(f"articles still waiting after {within:g}s; a worker will finish")
        await asyncio.sleep(0.2)
    return {"records": await asyncio.to_thread(_records, engine, ids)}


def ingest(
    target: Annotated[str, typer.Argument(help="Article URL, feed URL, feed file or text file.")],
    wait: Annotated[
        bool, typer.Option(help="Process the new articles here and print the records count.")
    ] = False,
    timeout: Annotated[float, typer.Option(help="Longest --wait, in seconds.")] = 600.0,
) -> None:
    """Ingest an article or a feed, by URL or file, and queue its extraction."""

    async def work() -> dict[str, Any]:
        async with _service(work=wait) as runtime:
            with Session(runtime.engine, expire_on_commit=False) as session:
                if _is_url(target):
                    result = await _ingest_url(session, runtime, target)
                else:
                    result = await _ingest_file(session, runtime, Path(target))
            if wait:
                result.update(await _wait(runtime.engine, result["new_ids"], timeout))
            return result

    typer.echo(json.dumps(_run(work), ensure_ascii=False))


@feeds_cli.command("add")
def add(
    url: Annotated[str, typer.Argument(help="RSS or Atom feed URL.")],
    every: Annotated[str, typer.Option(help="Interval: 30s, 15m, 2h, 1d ...")] = "15m",
) -> None:
    """Ingest a feed now and poll it on a schedule (the same URL again updates the interval)."""

    async def work() -> dict[str, Any]:
        async with _service() as runtime:
            seconds = polling.parse_every(every, minimum=runtime.settings.feed_min_every_seconds)
            feed_url(url, runtime.settings)
            with Session(runtime.engine, expire_on_commit=False) as session:
                report = await take_feed(session, runtime.settings, url=url, every_seconds=seconds)
            assert report.feed_id is not None
            await polling.schedule_feed(report.feed_id, seconds)
            return {"feed_id": report.feed_id, "every": every, **_feed_result(report)}

    typer.echo(json.dumps(_run(work), ensure_ascii=False))


@feeds_cli.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the polled feeds: interval, last poll, last error, item counts."""

    async def work() -> list[dict[str, Any]]:
        settings = get_settings()
        engine = make_engine(settings.database_url)
        try:
            ensure_current(engine, auto_migrate=settings.auto_migrate)
            with transaction(engine) as session:
                return [_feed_row(f) for f in active_feeds(session)]
        finally:
            engine.dispose()

    rows = _run(work)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    typer.echo("id\tevery\tnew\tdup\tfailed\tlast_polled\turl\tlast_error")
    for r in rows:
        counts = f"{r['items_new']}\t{r['items_duplicate']}\t{r['items_failed']}"
        polled, error = r["last_polled_at"] or "-", r["last_error"] or "-"
        typer.echo(f"{r['id']}\t{r['every']}\t{counts}\t{polled}\t{r['url']}\t{error}")


def _feed_row(feed: Feed) -> dict[str, Any]:
    polled = feed.last_polled_at.isoformat(timespec="seconds") if feed.last_polled_at else None
    return {
        "id": feed.id,
        "url": feed.url,
        "title": feed.title,
        "every": polling.describe_every(feed.every_seconds),
        "last_polled_at": polled,
        "last_error": feed.last_error,
        "items_new": feed.items_new,
        "items_duplicate": feed.items_duplicate,
        "items_failed": feed.items_failed,
    }


@feeds_cli.command("remove")
def remove(
    feed_id: Annotated[int, typer.Argument(help="The feed's id (see `feeds list`).")],
) -> None:
    """Stop polling a feed; its articles stay."""

    async def work() -> None:
        async with _service() as runtime:
            with transaction(runtime.engine) as session:
                stop_feed(session, feed_id)
            await polling.unschedule_feed(feed_id)

    _run(work)
    typer.echo(f"feed {feed_id} removed")
