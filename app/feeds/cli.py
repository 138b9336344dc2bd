"""`parley feeds add|list|remove`: feeds polled on a schedule, from the shell."""

import asyncio
import json
from typing import Annotated, Any

import typer
from sqlmodel import Session

from app.commands import lifecycle, one_line_errors, run
from app.config import get_settings
from app.feeds import polling
from app.feeds.ingest import feed_result
from app.feeds.store import (
    active_feeds,
    feed_url,
    record_failure,
    register_feed,
    stop_feed,
    take_feed,
)
from app.feeds.tables import Feed
from app.fetching.errors import FetchTimeout, UpstreamError
from app.services import Lifecycle

feeds_cli = typer.Typer(help="Feeds polled on a schedule.")
# Failures of the site, not of the URL: the feed is registered anyway and polled later.
UNREACHABLE = (UpstreamError, FetchTimeout)


async def _add(opened: Lifecycle, url: str, every: str) -> dict[str, Any]:
    async with opened.running(get_settings(), work=False) as services:
        seconds = polling.parse_every(every, minimum=services.settings.feed_min_every_seconds)
        url = feed_url(url, services.settings)
        with services.unit() as unit:
            try:
                report = await take_feed(unit, services.settings, url=url, every_seconds=seconds)
                result = {"every": every, **feed_result(report)}
                feed_id = report.feed_id
            except UNREACHABLE as exc:
                if not exc.transient:
                    raise
                # Down right now is no reason to refuse a feed: the polls will try again.
                unit.rollback()
                feed_id = _register_unreachable(unit.session, url, seconds, exc.message)
                result = {"every": every, "unreachable": exc.message}
            await asyncio.to_thread(unit.commit)
        assert feed_id is not None
        await polling.schedule_feed(feed_id, seconds)
        return {"feed_id": feed_id, **result}


def _register_unreachable(session: Session, url: str, seconds: int, error: str) -> int | None:
    """Register a feed that could not be fetched, with why, for the polls to try again."""
    feed, _ = register_feed(session, url, seconds)
    record_failure(feed, error)
    session.add(feed)
    session.flush()
    return feed.id


@feeds_cli.command("add")
def add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="RSS or Atom feed URL.")],
    every: Annotated[str, typer.Option(help="Interval: 30s, 15m, 2h, 1d ...")] = "15m",
) -> None:
    """Ingest a feed now and poll it on a schedule (the same URL again updates the interval)."""
    typer.echo(json.dumps(run(_add(lifecycle(ctx), url, every)), ensure_ascii=False))


@feeds_cli.command("list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the polled feeds: interval, last poll, last error, item counts."""
    with (
        one_line_errors(),
        lifecycle(ctx).database(get_settings(), create=False) as engine,
        Session(engine) as session,
    ):
        rows = [_feed_row(f) for f in active_feeds(session)]
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


async def _remove(opened: Lifecycle, feed_id: int) -> None:
    async with opened.running(get_settings(), work=False) as services:
        with services.transaction() as unit:
            stop_feed(unit.session, feed_id)
        await polling.unschedule_feed(feed_id)


@feeds_cli.command("remove")
def remove(
    ctx: typer.Context,
    feed_id: Annotated[int, typer.Argument(help="The feed's id (see `feeds list`).")],
) -> None:
    """Stop polling a feed; its articles stay."""
    run(_remove(lifecycle(ctx), feed_id))
    typer.echo(f"feed {feed_id} removed")
