"""POST /v1/feeds (ingest once, or register for polling), GET /v1/feeds, DELETE /v1/feeds/{id}."""

import asyncio

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from app.articles.backlog import QueueRoom
from app.errors import PayloadTooLarge
from app.feeds import polling
from app.feeds.schemas import FeedIn, FeedIngested, FeedList, FeedOut
from app.feeds.store import FeedReport, active_feeds, get_feed, stop_feed, take_feed
from app.feeds.tables import Feed
from app.http.deps import ResourceId, SessionDep, SettingsDep, UnitDep
from app.http.errors import GUARDED, error_responses

router = APIRouter(prefix="/v1/feeds", tags=["feeds"], responses=error_responses(*GUARDED))


def feed_out(feed: Feed) -> FeedOut:
    """The API shape of a registered feed."""
    return FeedOut.model_validate(
        {**feed.model_dump(), "every": polling.describe_every(feed.every_seconds)}
    )


def _ingested(report: FeedReport) -> FeedIngested:
    return FeedIngested(
        feed_id=report.feed_id,
        title=report.title,
        items=report.items,
        new=report.new,
        duplicate=report.duplicate,
        failed=report.failed,
        truncated=report.truncated,
        every=polling.describe_every(report.every_seconds),
        new_ids=list(report.new_ids),
    )


@router.post(
    "",
    response_model=FeedIngested,
    responses={
        201: {"model": FeedIngested, "description": "Registered for polling."},
        **error_responses(400, 413, 415, 502, 504),
    },
)
async def post_feed(
    payload: FeedIn, unit: UnitDep, settings: SettingsDep, _room: QueueRoom
) -> JSONResponse:
    """Ingest every item of a feed; with `every`, also poll it on that schedule."""
    every = None
    if payload.every is not None:
        every = polling.parse_every(payload.every, minimum=settings.feed_min_every_seconds)
    xml = None
    if payload.xml is not None:
        xml = payload.xml.encode("utf-8")
        if len(xml) > settings.fetch_max_bytes:
            raise PayloadTooLarge(
                f"feed is {len(xml)} bytes; the limit is {settings.fetch_max_bytes}"
            )
    report = await take_feed(unit, settings, url=payload.url, xml=xml, every_seconds=every)
    await asyncio.to_thread(unit.commit)
    if report.feed_id is not None and every is not None:
        await polling.schedule_feed(report.feed_id, every)
    body = _ingested(report).model_dump(mode="json")
    return JSONResponse(body, status_code=201 if report.registered else 200)


@router.get("", response_model=FeedList)
def list_feeds(session: SessionDep) -> FeedList:
    """The feeds being polled, with their last poll, last error and item counts."""
    return FeedList(items=[feed_out(feed) for feed in active_feeds(session)])


@router.get("/{feed_id}", response_model=FeedOut, responses=error_responses(404))
def read_feed(feed_id: ResourceId, session: SessionDep) -> FeedOut:
    """One polled feed."""
    return feed_out(get_feed(session, feed_id))


def _stop(unit: UnitDep, feed_id: int) -> None:
    stop_feed(unit.session, feed_id)
    unit.commit()


@router.delete("/{feed_id}", status_code=204, responses=error_responses(404))
async def delete_feed(feed_id: ResourceId, unit: UnitDep) -> Response:
    """Stop polling a feed; the articles it brought stay."""
    await asyncio.to_thread(_stop, unit, feed_id)
    await polling.unschedule_feed(feed_id)
    return Response(status_code=204)
