"""GET /v1/events and /v1/processes: developments with their sources (a page of JSON, or every
match exported as CSV or NDJSON), and timelines."""

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlmodel import Session

from app.errors import InvalidInput, NotFound
from app.events.export import export_events
from app.events.mapping import event_detail, events_out, process_detail, process_out
from app.events.schemas import EventDetail, EventPage, ProcessDetail, ProcessPage
from app.events.search import (
    EventQuery,
    Position,
    decode_position,
    encode_position,
    find_events,
    find_processes,
    timeline,
)
from app.events.tables import Event, Process
from app.extraction.vocabulary import RecordKind, RecordStatus
from app.http.deps import ResourceId, SessionDep, SettingsDep
from app.http.errors import GUARDED, error_responses
from app.http.exports import ExportFormat, ExportFormatDep, export_responses, refuse_paging
from app.normalize import country_filter, mediator_filter
from app.records.review_state import ReviewState
from app.records.search import RecordQuery, parse_day

router = APIRouter(tags=["events"], responses=error_responses(*GUARDED))

Country = Annotated[str | None, Query(description="ISO2, ISO3, name or alias.")]
Mediator = Annotated[
    str | None, Query(description="Third party: organisation name/alias or country.")
]
Day = Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD.")]
Text = Annotated[str | None, Query(max_length=500, description="Full-text search of reports.")]
Limit = Annotated[int | None, Query(ge=1, description="Page size.")]
Cursor = Annotated[str | None, Query(max_length=200)]
# Numbers compared with integer columns stay in their range: beyond it is a 422, never a 500.
_MAX_ID = 2_147_483_647


def _page_size(limit: int | None, settings: SettingsDep) -> int:
    size = limit or settings.page_size_default
    if size > settings.page_size_max:
        raise InvalidInput(f"limit must be at most {settings.page_size_max}")
    return size


@router.get("/v1/events", response_model=EventPage, responses=export_responses("EventOut"))
def list_events(
    session: SessionDep,
    settings: SettingsDep,
    fmt: ExportFormatDep,
    country: Country = None,
    mediator: Mediator = None,
    kind: RecordKind | None = None,
    status: RecordStatus | None = None,
    since: Day = None,
    until: Day = None,
    q: Text = None,
    review: Annotated[
        ReviewState | None,
        Query(description="Only events with a record in this review state (not `rejected`)."),
    ] = None,
    process: Annotated[
        int | None, Query(ge=1, le=_MAX_ID, description="Events of this process.")
    ] = None,
    min_sources: Annotated[
        int | None,
        Query(ge=1, le=_MAX_ID, description="Only events reported by at least this many articles."),
    ] = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> EventPage | Response:
    """Events matching every given filter, newest development first: a page of JSON, or all of
    them as CSV or NDJSON (`format` or `Accept`)."""
    if review == ReviewState.REJECTED:
        raise InvalidInput(
            "rejected records belong to no event: list them with /v1/records?review=rejected"
        )
    records = RecordQuery(
        country=country_filter(country) if country else None,
        mediator=mediator_filter(mediator) if mediator else None,
        kind=kind,
        status=status,
        since=parse_day(since, end=False),
        until=parse_day(until, end=True),
        q=q,
        review=review,
    )
    query = EventQuery(records, process=process, min_sources=min_sources)
    if fmt is not ExportFormat.JSON:
        refuse_paging(fmt, limit=limit, cursor=cursor)
        return export_events(session, query, fmt, settings.export_batch_size)
    return _event_page(session, query, _page_size(limit, settings), cursor)


def _event_page(session: Session, query: EventQuery, size: int, cursor: str | None) -> EventPage:
    after = decode_position(cursor) if cursor else None
    rows = find_events(session, query, limit=size + 1, after=after)
    page = rows[:size]
    next_cursor = None
    if len(rows) > size and page[-1].id is not None:
        next_cursor = encode_position(Position(page[-1].sort_date, page[-1].id))
    return EventPage(items=events_out(session, page), next_cursor=next_cursor)


@router.get("/v1/events/{event_id}", response_model=EventDetail, responses=error_responses(404))
def get_event(event_id: ResourceId, session: SessionDep) -> EventDetail:
    """One event with its sources and each source's evidence."""
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound(f"event {event_id} not found")
    return event_detail(session, event)


@router.get("/v1/processes", response_model=ProcessPage)
def list_processes(
    session: SessionDep,
    settings: SettingsDep,
    country: Country = None,
    mediator: Mediator = None,
    q: Text = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> ProcessPage:
    """Processes with an event matching the filters, the most recently active first."""
    size = _page_size(limit, settings)
    query = RecordQuery(
        country=country_filter(country) if country else None,
        mediator=mediator_filter(mediator) if mediator else None,
        q=q,
    )
    after = decode_position(cursor) if cursor else None
    rows = find_processes(session, query, limit=size + 1, after=after)
    page = rows[:size]
    next_cursor = None
    last = page[-1] if page else None
    if len(rows) > size and last is not None and last.id and last.date_to:
        next_cursor = encode_position(Position(last.date_to, last.id))
    return ProcessPage(items=[process_out(p) for p in page], next_cursor=next_cursor)


@router.get(
    "/v1/processes/{process_id}", response_model=ProcessDetail, responses=error_responses(404)
)
def get_process(process_id: ResourceId, session: SessionDep) -> ProcessDetail:
    """One process with its timeline: its events in date order."""
    process = session.get(Process, process_id)
    if process is None:
        raise NotFound(f"process {process_id} not found")
    return process_detail(session, process, timeline(session, process_id))
