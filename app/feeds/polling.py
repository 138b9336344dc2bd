"""Registered feeds polled on a schedule: intervals, DBOS schedules, and the poll workflow.

One DBOS schedule per feed, named `parley-feed-<id>`, with the feed id as its context. The
schedules live in the DBOS system database; `sync_schedules` makes them match the active feeds
on every start (a DELETE whose schedule removal was lost is finished then). Polls run on their
own queue, which API-only processes (PARLEY_RUN_WORKER=false) do not listen to.
"""

import asyncio
import logging
import re
from collections.abc import Sequence
from datetime import datetime

from dbos import DBOS, ScheduleInput

from app.articles.jobs import ExtractArticle
from app.config import Settings
from app.db.unit import Job, transaction
from app.errors import InvalidInput, ParleyError
from app.feeds.items import ingest_items
from app.feeds.store import active_feeds, fetch_feed, record_failure, record_fetch
from app.feeds.tables import Feed
from app.fetching.client import Fetched
from app.parsing.feeds import ParsedFeed
from app.services import Services, bound

FEEDS_QUEUE = "feeds"
SCHEDULE_PREFIX = "parley-feed-"
EVERY_FORMS = "Ns or Nm with N dividing 60 (30s, 15m), Nh with N dividing 24 (2h), or 1d"
_EVERY = re.compile(r"^\s*(\d{1,6})\s*([smhd])\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
log = logging.getLogger(__name__)


def cron_for(seconds: int, offset: int = 0) -> str | None:
    """A 6-field cron that fires exactly every `seconds`, or None when cron cannot.

    `offset` (a feed id) spreads feeds with the same interval over the minute.
    """
    second = offset % 60
    minutes, hours = seconds // 60, seconds // 3600
    if 0 < seconds < 60 and 60 % seconds == 0:
        return f"*/{seconds} * * * * *"
    if seconds % 60 == 0 and 0 < minutes < 60 and 60 % minutes == 0:
        return f"{second} */{minutes} * * * *"
    if seconds % 3600 == 0 and 0 < hours < 24 and 24 % hours == 0:
        return f"{second} 0 */{hours} * * *"
    if seconds == 86400:
        return f"{second} 0 0 * * *"
    return None


def parse_every(text: str, *, minimum: int) -> int:
    """Seconds between polls for `15m`-style text; 422 for what cron cannot keep exactly."""
    match = _EVERY.match(text)
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()] if match else 0
    if cron_for(seconds) is None:
        raise InvalidInput(f"every={text!r} is not a polling interval; use {EVERY_FORMS}")
    if seconds < minimum:
        raise InvalidInput(f"every={text!r} is too often; the shortest interval is {minimum}s")
    return seconds


def describe_every(seconds: int | None) -> str | None:
    """`900` as `15m`: the largest unit that divides the interval."""
    if seconds is None:
        return None
    for unit in ("d", "h", "m"):
        if seconds % _UNIT_SECONDS[unit] == 0:
            return f"{seconds // _UNIT_SECONDS[unit]}{unit}"
    return f"{seconds}s"


def schedule_name(feed_id: int) -> str:
    """The DBOS schedule polling this feed."""
    return f"{SCHEDULE_PREFIX}{feed_id}"


def _schedule(feed_id: int, every_seconds: int) -> ScheduleInput:
    cron = cron_for(every_seconds, offset=feed_id)
    assert cron is not None, "intervals are checked by parse_every"
    return ScheduleInput(
        schedule_name=schedule_name(feed_id),
        workflow_fn=poll_feed,
        schedule=cron,
        context=feed_id,
        queue_name=FEEDS_QUEUE,
    )


async def ensure_queue(settings: Settings) -> None:
    """Declare the polls' queue; DBOS refuses schedules on an undeclared one."""
    await DBOS.register_queue_async(
        FEEDS_QUEUE, worker_concurrency=settings.feed_poll_concurrency, on_conflict="always_update"
    )


async def schedule_feed(feed_id: int, every_seconds: int) -> None:
    """Create or replace the feed's schedule (idempotent)."""
    await DBOS.apply_schedules_async([_schedule(feed_id, every_seconds)])


async def unschedule_feed(feed_id: int) -> None:
    """Remove the feed's schedule; nothing happens when there is none."""
    await DBOS.delete_schedule_async(schedule_name(feed_id))


async def feed_schedules() -> list[str]:
    """Names of the feed schedules in the DBOS system database."""
    schedules = await DBOS.list_schedules_async(schedule_name_prefix=SCHEDULE_PREFIX)
    return sorted(str(s["schedule_name"]) for s in schedules)


async def sync_schedules(services: Services) -> int:
    """Make the schedules match the active feeds; the number of feeds polled."""
    await ensure_queue(services.settings)
    with services.transaction() as unit:
        feeds = active_feeds(unit.session)
        wanted = {f.id: f.every_seconds for f in feeds if f.id and f.every_seconds}
    if wanted:
        await DBOS.apply_schedules_async([_schedule(i, s) for i, s in wanted.items()])
    keep = {schedule_name(i) for i in wanted}
    for name in await feed_schedules():
        if name not in keep:
            await DBOS.delete_schedule_async(name)
    return len(wanted)


def _poll_target(feed_id: int) -> tuple[str, str | None, str | None] | None:
    with bound().transaction() as unit:
        feed = unit.session.get(Feed, feed_id)
        if feed is None or not feed.active:
            return None
        return feed.url, feed.etag, feed.last_modified


def _record(
    feed_id: int, fetched: Fetched | None, parsed: ParsedFeed | None, error: str | None
) -> list[tuple[int, str, int, bool]]:
    """Store a poll's outcome; the new articles' jobs, as `ExtractArticle` fields, for the
    workflow to send (durably) once this step's transaction has committed."""
    services, jobs = bound(), _Collected()
    with transaction(services.engine, jobs) as unit:
        feed = unit.session.get(Feed, feed_id)
        if feed is None:
            return []
        if error is not None or fetched is None:
            record_failure(feed, error or "no response")
            unit.session.add(feed)
            return []
        counts = ingest_items(unit, parsed, services.settings, feed_id=feed_id) if parsed else None
        record_fetch(feed, fetched, counts)
        unit.session.add(feed)
    return [(j.article_id, j.job_key, j.attempts, j.fetch_first) for j in jobs.sent]


class _Collected:
    """A sender that keeps the jobs, for a step that hands them to its workflow."""

    def __init__(self) -> None:
        self.sent: list[ExtractArticle] = []

    def send(self, jobs: Sequence[Job]) -> None:
        """Keep the committed jobs."""
        self.sent.extend(j for j in jobs if isinstance(j, ExtractArticle))


@DBOS.step(name="parley.poll")
async def poll_once(feed_id: int) -> list[tuple[int, str, int, bool]] | None:
    """Fetch a feed with its validators and store what is new; None when it is not polled."""
    target = await asyncio.to_thread(_poll_target, feed_id)
    if target is None:
        return None
    url, etag, last_modified = target
    settings = bound().settings
    fetched, parsed, error = None, None, None
    try:
        fetched, parsed = await fetch_feed(url, settings, etag=etag, last_modified=last_modified)
    except ParleyError as exc:
        error = f"{exc.code}: {exc.message}"
    return await asyncio.to_thread(_record, feed_id, fetched, parsed, error)


@DBOS.workflow(name="parley.poll_feed")
async def poll_feed(scheduled_time: datetime, feed_id: int) -> None:
    """One scheduled poll of one feed; a failure is recorded on the feed, never raised."""
    try:
        created = await poll_once(feed_id)
    except Exception as exc:  # a bug must leave an error on the feed, not a crashed schedule
        log.exception("feed %s: poll crashed", feed_id)
        await asyncio.to_thread(_record, feed_id, None, None, f"poll error: {exc!r}")
        return
    if created is None:
        return
    queue = bound().queue
    if queue is not None:
        queue.send([ExtractArticle(*job) for job in created])
    log.info("feed %s polled at %s: %d new", feed_id, scheduled_time.isoformat(), len(created))
