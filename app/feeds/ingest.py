"""`parley ingest URL|FILE|FEED_URL`: bring one article or a whole feed in from the shell.

The target may be a page, a feed (by URL or file) or a text file; what it is, is read from the
content. The new articles are queued for a running `parley serve` or `parley worker`;
`--wait` processes them in this process instead and prints how many records they gave.
"""

import asyncio
import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from app.articles.accept import accept, attach_page, submit, text_fingerprint
from app.articles.jobs import ExtractArticle
from app.articles.tables import Article
from app.commands import lifecycle, run
from app.config import get_settings
from app.db.unit import UnitOfWork
from app.errors import InvalidInput, ParleyError, PayloadTooLarge
from app.feeds.bulk import ingest_bulk
from app.feeds.items import looks_like_feed
from app.feeds.store import FeedReport, read_feed, store_feed
from app.feeds.stories import count_stories
from app.fetching.canonical import canonical_url
from app.fetching.client import Fetched, fetch
from app.fetching.policy import FetchPolicy
from app.parsing.pages import extract_page
from app.records.tables import Record
from app.services import Lifecycle, Services


async def _ingest_url(unit: UnitOfWork, services: Services, url: str) -> dict[str, Any]:
    fetched = await fetch(url, FetchPolicy.from_settings(services.settings))
    if looks_like_feed(fetched.body, fetched.content_type):
        parsed = await asyncio.to_thread(
            read_feed, fetched.body, services.settings, fetched.final_url
        )
        report = await asyncio.to_thread(store_feed, unit, services.settings, parsed)
        return feed_result(report)
    return await asyncio.to_thread(_store_page, unit, url, fetched)


def _store_page(unit: UnitOfWork, url: str, fetched: Fetched) -> dict[str, Any]:
    """A fetched article page as a new article (or the one it duplicates), queued."""
    page = extract_page(fetched.body, fetched.final_url, content_type=fetched.content_type)
    if not page.text.strip():
        raise InvalidInput(f"no article text found at {fetched.final_url}")
    article, created = accept(unit.session, Article(url=url, canonical_url=canonical_url(url)))
    earlier = attach_page(unit.session, article, page) if created else article
    if earlier is not None:
        return _article_result(earlier, created=False)
    unit.send(ExtractArticle.of(article))
    return _article_result(article, created=True)


def _article_result(article: Article, *, created: bool) -> dict[str, Any]:
    status = "queued" if created else "duplicate"
    new_ids = [article.id] if created else []
    return {"kind": "article", "id": article.id, "status": status, "new_ids": new_ids}


async def _ingest_file(unit: UnitOfWork, services: Services, path: Path) -> dict[str, Any]:
    body = await asyncio.to_thread(path.read_bytes)
    if looks_like_feed(body):
        parsed = await asyncio.to_thread(read_feed, body, services.settings)
        return feed_result(await asyncio.to_thread(store_feed, unit, services.settings, parsed))
    text = body.decode("utf-8")
    if not text.strip():
        raise InvalidInput(f"{path} is empty")
    stories = count_stories(text)
    if stories > 1:
        raise InvalidInput(several_articles_message(path, stories))
    if len(text) > services.settings.max_text_chars:
        raise PayloadTooLarge(f"{path} has more than {services.settings.max_text_chars} characters")
    new = Article(text=text, text_hash=text_fingerprint(text), title=path.stem)
    article, created = submit(unit, new)
    return _article_result(article, created=created)


def several_articles_message(path: Path, stories: int) -> str:
    """Why a text file of several stories is refused, and how to send them."""
    return (
        f"{path} holds {stories} articles (each with its own URL or title line), and "
        "parley ingest FILE takes one article per text file: put each story in a file of its "
        'own and ingest them one by one (for f in stories/*.txt; do parley ingest "$f"; done), '
        "ingest the feed they came from (parley ingest FEED_URL, or the RSS/Atom file), or "
        "POST each one to /v1/articles"
    )


def feed_result(report: FeedReport) -> dict[str, Any]:
    """What a feed gave, as the command prints it."""
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
        return sum(1 for a in session.exec(query).all() if not a.status.finished)


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


async def _ingest(opened: Lifecycle, target: str, wait: bool, within: float) -> dict[str, Any]:
    async with opened.running(get_settings(), work=wait) as services:
        with services.unit() as unit:
            if "://" in target:
                result = await _ingest_url(unit, services, target)
            else:
                result = await _ingest_file(unit, services, Path(target))
            await asyncio.to_thread(unit.commit)
        if wait:
            result.update(await _wait(services.engine, result["new_ids"], within))
        return result


def ingest(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(
            help="Article URL, feed URL, feed file or text file; with --bulk, an NDJSON file "
            "(- for stdin)."
        ),
    ],
    wait: Annotated[
        bool, typer.Option(help="Process the new articles here and print the records count.")
    ] = False,
    timeout: Annotated[
        float,
        typer.Option(
            help="Longest --wait, in seconds; with --bulk, longest no article finishes, or a "
            "full queue does not shrink."
        ),
    ] = 600.0,
    bulk: Annotated[
        bool,
        typer.Option(
            "--bulk", help="TARGET holds one article per line, as POST /v1/articles/bulk takes."
        ),
    ] = False,
) -> None:
    """Ingest an article or a feed, by URL or file, and queue its extraction."""
    opened = lifecycle(ctx)
    work = (
        ingest_bulk(opened, target, wait, timeout)
        if bulk
        else _ingest(opened, target, wait, timeout)
    )
    typer.echo(json.dumps(run(work), ensure_ascii=False))
