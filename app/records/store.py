"""Storing an extraction: its grounded records and their index rows, replacing the article's
previous ones, so a replay or a retry leaves no duplicates."""

import datetime as dt

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from app.extraction import contract
from app.extraction.grounding import GroundedQuote
from app.records.dates import date_span
from app.records.prepare import PreparedRecord, prepare
from app.records.review_state import ReviewState
from app.records.tables import Extraction, Record, RecordCountry, RecordMediator


def _search_text(record: contract.ExtractedRecord, evidence: list[GroundedQuote]) -> str:
    names = [p.name for p in record.parties] + [m.name for m in record.mediators]
    place = [record.location.name] if record.location else []
    return "\n".join([record.summary, *(q.quote for q in evidence), *names, *place, *record.topics])


def fill(row: Record, prepared: PreparedRecord, published: dt.date | None) -> None:
    """Set a record row's content from a prepared record (storing, or a person correcting it);
    `published` dates a record that gives no date of its own."""
    r = prepared.record
    span = date_span(r.date) or ((published, published) if published else None)
    row.kind = r.kind
    row.status = r.status
    row.summary = r.summary
    row.parties = [p.model_dump() for p in r.parties]
    row.mediators = [m.model_dump() for m in r.mediators]
    row.location = r.location.model_dump() if r.location else None
    row.countries = prepared.countries
    row.date, row.end_date = r.date, r.end_date
    row.date_from, row.date_to = (span[0], span[1]) if span else (None, None)
    row.round, row.format, row.topics = r.round, r.format, r.topics
    row.count, row.count_qualifier = r.count, r.count_qualifier
    row.programme, row.attributed_to, row.background = r.programme, r.attributed_to, r.background
    row.confidence = r.confidence
    row.evidence = [{"quote": q.quote, "start": q.start, "end": q.end} for q in prepared.evidence]
    row.search_text = _search_text(r, prepared.evidence)


def index_record(session: Session, row: Record, prepared: PreparedRecord) -> None:
    """(Re)write a record's country and mediator index rows."""
    assert row.id is not None
    session.exec(delete(RecordCountry).where(col(RecordCountry.record_id) == row.id))
    session.exec(delete(RecordMediator).where(col(RecordMediator.record_id) == row.id))
    session.add_all(RecordCountry(record_id=row.id, country=c) for c in prepared.countries)
    session.add_all(
        RecordMediator(record_id=row.id, mediator=m, role=role)
        for m, role in prepared.mediators.items()
    )


def _index_new(session: Session, rows: list[Record], prepared: list[PreparedRecord]) -> None:
    """Write the index rows of records just inserted (they have none to replace yet): one
    multi-row insert per table instead of an ORM object and two deletes per row."""
    pairs = list(zip(rows, prepared, strict=True))
    countries = [{"record_id": r.id, "country": c} for r, p in pairs for c in p.countries]
    mediators = [
        {"record_id": r.id, "mediator": m, "role": role}
        for r, p in pairs
        for m, role in p.mediators.items()
    ]
    if countries:
        session.execute(insert(RecordCountry), countries)
    if mediators:
        session.execute(insert(RecordMediator), mediators)


def _to_row(
    prepared: PreparedRecord, seq: int, extraction: Extraction, published: dt.date | None
) -> Record:
    assert extraction.id is not None
    row = Record(
        article_id=extraction.article_id,
        extraction_id=extraction.id,
        seq=seq,
        kind=prepared.record.kind,
        status=prepared.record.status,
    )
    fill(row, prepared, published)
    return row


def clear_extractions(session: Session, article_id: int) -> list[Record]:
    """Remove an article's previous machine records and the extractions no kept record needs (a
    replay or a retry replaces them); the reviewed records, which stay, are returned."""
    stored = session.exec(select(Record).where(Record.article_id == article_id)).all()
    replaced = [r.id for r in stored if r.review == ReviewState.UNREVIEWED]
    kept = [r for r in stored if r.review != ReviewState.UNREVIEWED]
    if replaced:  # an article stored for the first time has none: three statements saved
        session.exec(delete(RecordCountry).where(col(RecordCountry.record_id).in_(replaced)))
        session.exec(delete(RecordMediator).where(col(RecordMediator.record_id).in_(replaced)))
        session.exec(delete(Record).where(col(Record.id).in_(replaced)))
    needed = {r.extraction_id for r in kept}
    session.exec(
        delete(Extraction)
        .where(col(Extraction.article_id) == article_id)
        .where(col(Extraction.id).not_in(needed))
    )
    return list(kept)


def _reviewed_twin(
    record: contract.ExtractedRecord, countries: list[str], kept: list[Record]
) -> bool:
    """Whether a person already reviewed this statement: a kept record of the same kind sharing
    a country (re-extracting never duplicates nor overrides a reviewed record)."""
    return any(
        k.kind == record.kind
        and (set(k.countries) & set(countries) or not (k.countries or countries))
        for k in kept
    )


def store_extraction(
    session: Session,
    article_id: int,
    text: str,
    published: dt.date | None,
    result: contract.ExtractionResult,
) -> Extraction:
    """Replace the article's machine records with `result`'s grounded ones (records a person
    reviewed stay, and new records of the same statements are not added).

    `text` is the stored article text (evidence offsets point into it); `published` dates the
    records that carry no date of their own.
    """
    kept = clear_extractions(session, article_id)
    prepared, dropped = prepare(result.records, text)
    prepared = [p for p in prepared if not _reviewed_twin(p.record, p.countries, kept)]
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
        mode=result.mode,
        cost_usd=result.cost_usd,
    )
    session.add(extraction)
    session.flush()
    first = max((k.seq for k in kept), default=-1) + 1
    rows = [_to_row(p, first + n, extraction, published) for n, p in enumerate(prepared)]
    session.add_all(rows)
    session.flush()
    _index_new(session, rows, prepared)
    return extraction
