"""GET /v1/records: filtered, full-text searchable, cursor-paginated; or every match exported
as CSV or NDJSON."""

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlmodel import Session

from app.errors import InvalidInput, NotFound
from app.extraction.vocabulary import RecordKind, RecordStatus
from app.http.deps import ResourceId, SessionDep, SettingsDep
from app.http.errors import GUARDED, error_responses
from app.http.exports import ExportFormat, ExportFormatDep, export_responses, refuse_paging
from app.normalize import country_filter, mediator_filter
from app.records.export import export_records
from app.records.mapping import records_out
from app.records.review_state import ReviewState
from app.records.schemas import RecordOut, RecordPage
from app.records.search import RecordQuery, decode_cursor, encode_cursor, find_records, parse_day
from app.records.tables import Record

router = APIRouter(prefix="/v1/records", tags=["records"], responses=error_responses(*GUARDED))


@router.get("", response_model=RecordPage, responses=export_responses("RecordOut"))
def list_records(
    session: SessionDep,
    settings: SettingsDep,
    fmt: ExportFormatDep,
    country: Annotated[str | None, Query(description="ISO2, ISO3, name or alias.")] = None,
    mediator: Annotated[
        str | None, Query(description="Third party: organisation name/alias or country.")
    ] = None,
    kind: RecordKind | None = None,
    status: RecordStatus | None = None,
    since: Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD.")] = None,
    until: Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD.")] = None,
    q: Annotated[str | None, Query(max_length=500, description="Full-text search.")] = None,
    review: Annotated[
        ReviewState | None,
        Query(
            description="Only records in this review state (rejected ones show only when asked)."
        ),
    ] = None,
    limit: Annotated[int | None, Query(ge=1, description="Page size.")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> RecordPage | Response:
    """Records matching every given filter, newest first: a page of JSON, or all of them as
    CSV or NDJSON (`format` or `Accept`)."""
    query = RecordQuery(
        country=country_filter(country) if country else None,
        mediator=mediator_filter(mediator) if mediator else None,
        kind=kind,
        status=status,
        since=parse_day(since, end=False),
        until=parse_day(until, end=True),
        q=q,
        review=review,
    )
    if fmt is not ExportFormat.JSON:
        refuse_paging(fmt, limit=limit, cursor=cursor)
        return export_records(session, query, fmt, settings.export_batch_size)
    size = limit or settings.page_size_default
    if size > settings.page_size_max:
        raise InvalidInput(f"limit must be at most {settings.page_size_max}")
    return _page(session, query, size, cursor)


def _page(session: Session, query: RecordQuery, size: int, cursor: str | None) -> RecordPage:
    after = decode_cursor(cursor) if cursor else None
    rows = find_records(session, query, limit=size + 1, after=after)
    page = rows[:size]
    next_cursor = encode_cursor(page[-1].id) if len(rows) > size and page[-1].id else None
    return RecordPage(items=records_out(session, page), next_cursor=next_cursor)


@router.get("/{record_id}", response_model=RecordOut, responses=error_responses(404))
def get_record(record_id: ResourceId, session: SessionDep) -> RecordOut:
    """One record."""
    record = session.get(Record, record_id)
    if record is None:
        raise NotFound(f"record {record_id} not found")
    return records_out(session, [record])[0]
