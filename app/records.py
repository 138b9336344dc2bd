"""From an extractor's answer to stored rows: ground, normalise, index, replace idempotently."""

import calendar
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.extraction import schemas as contract
from app.extraction.grounding import GroundedQuote, TextIndex
from app.extraction.injection import screen, without_planted_facts
from app.models import Article, Extraction, Record, RecordCountry, RecordMediator, utcnow
from app.normalize import mediator_identity, normalise_record, record_countries

EVIDENCE_NOT_FOUND = "evidence not found in article"
EVIDENCE_SCREENED = "evidence quotes text that addresses a model, not reporting"


@dataclass
class PreparedRecord:
    """A record that passed grounding, normalised, with what the indexes need."""

    record: contract.Record
    evidence: list[GroundedQuote]
    countries: list[str]
    mediators: dict[str, str]


def prepare(
    records: list[contract.Record], text: str
) -> tuple[list[PreparedRecord], list[contract.Dropped]]:
    """Keep the records grounded in `text`'s reporting; normalise them for storage.

    A quote must be found in the text, outside any passage that addresses a model (see
    `app.extraction.injection`); names and dates stated only in such passages are removed.
    """
    kept: list[PreparedRecord] = []
    dropped: list[contract.Dropped] = []
    index = TextIndex(text)  # normalising the article dominates grounding: do it once
    article = screen(text)
    for raw in records:
        quotes, _missing = index.ground(raw.evidence)
        found = [q for q in quotes if not article.covers(q.start, q.end)]
        if not found:
            reason = EVIDENCE_SCREENED if quotes else EVIDENCE_NOT_FOUND
            dropped.append(contract.Dropped(raw.kind, reason, list(raw.evidence)))
            continue
        record = normalise_record(without_planted_facts(raw, article, [q.quote for q in found]))
        mediators: dict[str, str] = {}
        for party in record.mediators:
            identity = mediator_identity(party)
            if identity is not None:
                mediators.setdefault(identity, party.role)
        kept.append(PreparedRecord(record, found, record_countries(record), mediators))
    return kept, dropped


def date_span(value: str | None) -> tuple[dt.date, dt.date] | None:
    """The first and last day a partial ISO date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) covers."""
    if not value:
        return None
    parts = [int(p) for p in value.split("-")]
    try:
        if len(parts) == 1:
            return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31)
        if len(parts) == 2:
            last = calendar.monthrange(parts[0], parts[1])[1]
            return dt.date(parts[0], parts[1], 1), dt.date(parts[0], parts[1], last)
        day = dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        return None
    return day, day


def _search_text(record: contract.Record, evidence: list[GroundedQuote]) -> str:
    names = [p.name for p in record.parties] + [m.name for m in record.mediators]
    place = [record.location.name] if record.location else []
    return "\n".join([record.summary, *(q.quote for q in evidence), *names, *place, *record.topics])


def _to_row(prepared: PreparedRecord, seq: int, article: Article, extraction: Extraction) -> Record:
    assert article.id is not None
    assert extraction.id is not None
    r = prepared.record
    span = date_span(r.date)
    if span is None and article.published_at is not None:
        published = article.published_at.date()
        span = (published, published)
    return Record(
        article_id=article.id,
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
    session: Session, article: Article, result: contract.ExtractionResult
) -> Extraction:
    """Replace the article's records with `result`'s grounded ones and mark the article done."""
    assert article.id is not None
    clear_extractions(session, article.id)
    prepared, dropped = prepare(result.records, article.text or "")
    dropped = [*result.dropped, *dropped]
    extraction = Extraction(
        article_id=article.id,
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
    rows = [_to_row(p, seq, article, extraction) for seq, p in enumerate(prepared)]
    session.add_all(rows)
    session.flush()
    for row, p in zip(rows, prepared, strict=True):
        assert row.id is not None
        session.add_all(RecordCountry(record_id=row.id, country=c) for c in p.countries)
        session.add_all(
            RecordMediator(record_id=row.id, mediator=m, role=role)
            for m, role in p.mediators.items()
        )
    article.status, article.error, article.updated_at = "done", None, utcnow()
    session.add(article)
    session.flush()
    return extraction
