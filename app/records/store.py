"""Storing an extraction: its grounded records and their index rows, replacing the article's
previous ones, so a replay or a retry leaves no duplicates."""

import datetime as dt

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.extraction import contract
from app.extraction.grounding import GroundedQuote
from app.records.dates import date_span
from app.records.prepare import PreparedRecord, prepare
from app.records.tables import Extraction, Record, RecordCountry, RecordMediator


def _search_text(record: contract.ExtractedRecord, evidence: list[GroundedQuote]) -> str:
    names = [p.name for p in record.parties] + [m.name for m in record.mediators]
    place = [record.location.name] if record.location else []
    return "\n".join([record.summary, *(q.quote for q in evidence), *names, *place, *record.topics])


def _to_row(
    prepared: PreparedRecord, seq: int, extraction: Extraction, published: dt.date | None
) -> Record:
    assert extraction.id is not None
    r = prepared.record
    span = date_span(r.date) or ((published, published) if published else None)
    return Record(
        article_id=extraction.article_id,
        extraction_id=extraction.id,
        seq=seq,
        kind=r.kind,
        status=r.status,
        summary=r.summary,
        parties=[p.model_dump() for p in r.parties],
        mediators=[m.model_dump() for m in r.mediators],
        location=r.location.model_dump() if r.location else None,
        countries=prepared.countries,
        date=r.date,
        end_date=r.end_date,
        date_from=span[0] if span else None,
        date_to=span[1] if span else None,
        round=r.round,
        format=r.format,
        topics=r.topics,
        count=r.count,
        count_qualifier=r.count_qualifier,
        programme=r.programme,
        attributed_to=r.attributed_to,
        background=r.background,
        confidence=r.confidence,
        evidence=[{"quote": q.quote, "start": q.start, "end": q.end} for q in prepared.evidence],
        search_text=_search_text(r, prepared.evidence),
    )


def clear_extractions(session: Session, article_id: int) -> None:
    """Remove an article's previous records and extractions (a replay or a retry replaces them)."""
    record_ids = select(Record.id).where(Record.article_id == article_id)
    session.exec(delete(RecordCountry).where(col(RecordCountry.record_id).in_(record_ids)))
    session.exec(delete(RecordMediator).where(col(RecordMediator.record_id).in_(record_ids)))
    session.exec(delete(Record).where(col(Record.article_id) == article_id))
    session.exec(delete(Extraction).where(col(Extraction.article_id) == article_id))


def store_extraction(
    session: Session,
    article_id: int,
    text: str,
    published: dt.date | None,
    result: contract.ExtractionResult,
) -> Extraction:
    """Replace the article's records with `result`'s grounded ones.

    `text` is the stored article text (evidence offsets point into it); `published` dates the
    records that carry no date of their own.
    """
    clear_extractions(session, article_id)
    prepared, dropped = prepare(result.records, text)
    dropped = [*result.dropped, *dropped]
    extraction = Extraction(
        article_id=article_id,
        extractor=result.extractor,
        model=result.model,
        prompt_version=result.prompt_version,
        prompt_tokens=result.usage.prompt_tokens,
        completion_tokens=result.usage.completion_tokens,
        llm_calls=result.usage.calls,
        records_dropped=len(dropped),
        drop_reasons=[
            {"kind": d.kind, "reason": d.reason, "evidence": d.evidence} for d in dropped
        ],
        skipped_by_gate=result.skipped_by_gate,
    )
    session.add(extraction)
    session.flush()
    rows = [_to_row(p, seq, extraction, published) for seq, p in enumerate(prepared)]
    session.add_all(rows)
    session.flush()
    for row, p in zip(rows, prepared, strict=True):
        assert row.id is not None
        session.add_all(RecordCountry(record_id=row.id, country=c) for c in p.countries)
        session.add_all(
            RecordMediator(record_id=row.id, mediator=m, role=role)
            for m, role in p.mediators.items()
        )
    session.flush()
    return extraction
