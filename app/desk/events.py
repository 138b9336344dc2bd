"""Pages of events and processes: the filtered list with its counts and exports, one event
with each source's evidence in its paragraph, and a process's timeline."""

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from sqlmodel import Session

from app.articles.tables import Article
from app.desk.filters import EventFilters
from app.desk.highlight import Paragraph, Span, in_context
from app.desk.render import DeskRoute, page
from app.desk.session import current_user
from app.desk.timeline import draw
from app.errors import InvalidInput, NotFound
from app.events.mapping import event_detail, events_out, process_detail, process_out
from app.events.schemas import SourceWithEvidence
from app.events.search import (
    Position,
    count_events,
    decode_position,
    encode_position,
    find_events,
    find_processes,
    timeline,
)
from app.events.tables import Event, Process
from app.extraction.vocabulary import RecordKind, RecordStatus
from app.http.deps import ResourceId, SessionDep, SettingsDep
from app.normalize import country_filter, mediator_filter
from app.records.search import RecordQuery
from app.review.history import history
from app.review.tables import Subject

router = APIRouter(
    route_class=DeskRoute, include_in_schema=False, dependencies=[Depends(current_user)]
)


@dataclass
class Quoted:
    """One quote of a source, in its paragraph (or alone when its offsets do not fit)."""

    quote: str
    paragraphs: list[Paragraph]


@router.get("/desk/events")
def events_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Events matching the filters, with counts per kind and status, and exports."""
    filters = EventFilters.from_request(request)
    context: dict[str, Any] = {"filters": filters, "kinds": list(RecordKind)}
    context["statuses"] = list(RecordStatus)
    try:
        query = filters.query()
        cursor = request.query_params.get("cursor")
        after = decode_position(cursor) if cursor else None
    except InvalidInput as error:
        return page(request, "events.html", 422, error=error.message, events=[], **context)
    size = settings.page_size_default
    rows = find_events(session, query, limit=size + 1, after=after)
    shown = rows[:size]
    more = None
    if len(rows) > size and shown[-1].id is not None:
        more = filters.page(encode_position(Position(shown[-1].sort_date, shown[-1].id)))
    return page(
        request,
        "events.html",
        events=events_out(session, shown),
        counts=count_events(session, query),
        more=more,
        error=None,
        **context,
    )


def _quoted(session: Session, source: SourceWithEvidence) -> list[Quoted]:
    article = session.get(Article, source.article_id)
    text = (article.text if article else None) or ""
    found = []
    for evidence in source.evidence:
        span = Span(evidence.start, evidence.end, source.record_id)
        fits = text[evidence.start : evidence.end] == evidence.quote
        found.append(Quoted(evidence.quote, in_context(text, span) if fits else []))
    return found


@router.get("/desk/events/{event_id}")
def event_page(event_id: ResourceId, request: Request, session: SessionDep) -> Response:
    """One event: its fields, its sources, each source's evidence in its paragraph."""
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound(f"There is no event {event_id} (it may have been merged into another).")
    detail = event_detail(session, event)
    quotes = {s.record_id: _quoted(session, s) for s in detail.sources}
    changes = history(session, Subject.EVENT, event_id)
    return page(request, "event.html", event=detail, quotes=quotes, changes=changes)


@router.get("/desk/processes")
def processes_page(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Processes, the most recently active first, filtered by country, mediator or text."""
    values = {f: request.query_params.get(f, "").strip()[:500] for f in ("country", "mediator")}
    values["q"] = request.query_params.get("q", "").strip()[:500]
    try:
        query = RecordQuery(
            country=country_filter(values["country"]) if values["country"] else None,
            mediator=mediator_filter(values["mediator"]) if values["mediator"] else None,
            q=values["q"] or None,
        )
        found = find_processes(session, query, limit=settings.page_size_default)
    except InvalidInput as error:
        return page(
            request, "processes.html", 422, filters=values, processes=[], error=error.message
        )
    processes = [process_out(p) for p in found]
    return page(request, "processes.html", filters=values, processes=processes, error=None)


@router.get("/desk/processes/{process_id}")
def process_page(process_id: ResourceId, request: Request, session: SessionDep) -> Response:
    """A process's timeline: its events on a time axis, coloured by status."""
    process = session.get(Process, process_id)
    if process is None:
        raise NotFound(f"There is no process {process_id}.")
    events = timeline(session, process_id)
    detail = process_detail(session, process, events)
    return page(request, "process.html", process=detail, drawing=draw(events))
