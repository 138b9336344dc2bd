"""Stored records to their API shapes (the explicit map between tables and the API)."""

from collections.abc import Iterable

from sqlmodel import Session, col, select

from app.records.schemas import ActorOut, Evidence, PlaceOut, RecordOut, ThirdPartyOut, Usage
from app.records.tables import Extraction, Record


def usage_out(extraction: Extraction) -> Usage:
    """What an extraction run spent, in its API shape."""
    return Usage(
        prompt_tokens=extraction.prompt_tokens,
        completion_tokens=extraction.completion_tokens,
        llm_calls=extraction.llm_calls,
    )


def record_out(record: Record, extraction: Extraction) -> RecordOut:
    """The API shape of a stored record."""
    assert record.id is not None
    return RecordOut(
        id=record.id,
        article_id=record.article_id,
        kind=record.kind,
        status=record.status,
        summary=record.summary,
        parties=[ActorOut.model_validate(p) for p in record.parties],
        mediators=[ThirdPartyOut.model_validate(m) for m in record.mediators],
        location=PlaceOut.model_validate(record.location) if record.location else None,
        countries=record.countries,
        date=record.date,
        end_date=record.end_date,
        round=record.round,
        format=record.format,
        topics=record.topics,
        count=record.count,
        count_qualifier=record.count_qualifier,
        programme=record.programme,
        attributed_to=record.attributed_to,
        background=record.background,
        confidence=record.confidence,
        evidence=[Evidence.model_validate(e) for e in record.evidence],
        review=record.review,
        event_id=record.event_id,
        extractor=extraction.extractor,
        model=extraction.model,
        prompt_version=extraction.prompt_version,
        usage=usage_out(extraction),
        created_at=record.created_at,
    )


def records_out(session: Session, records: Iterable[Record]) -> list[RecordOut]:
    """Map records to their API shape, loading their extractions in one query."""
    records = list(records)
    ids = {r.extraction_id for r in records}
    extractions = {
        e.id: e for e in session.exec(select(Extraction).where(col(Extraction.id).in_(ids)))
    }
    return [record_out(r, extractions[r.extraction_id]) for r in records]
