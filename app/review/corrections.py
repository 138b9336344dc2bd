"""A person correcting a record: new values validated against the record schema, grounded and
normalised exactly like the machine's, the record re-attached where its facts now belong, and
the change kept with the values before and after."""

from typing import Any

from pydantic import ValidationError
from sqlmodel import Session

from app.articles.tables import Article
from app.errors import InvalidInput, NotFound
from app.events.attach import reattach_record
from app.events.facts import of_record
from app.extraction.contract import ExtractedRecord
from app.records.prepare import prepare
from app.records.review_state import ReviewState
from app.records.store import fill, index_record
from app.records.tables import Record
from app.review.history import keep
from app.review.tables import Action, Subject

CORRECTABLE = frozenset(ExtractedRecord.model_fields)


def contract_values(record: Record) -> dict[str, Any]:
    """A stored record's fields in the record schema's shape (evidence as quotes)."""
    return {
        "kind": record.kind,
        "status": record.status,
        "summary": record.summary,
        "parties": record.parties,
        "mediators": record.mediators,
        "location": record.location,
        "date": record.date,
        "end_date": record.end_date,
        "round": record.round,
        "format": record.format,
        "topics": record.topics,
        "count": record.count,
        "count_qualifier": record.count_qualifier,
        "programme": record.programme,
        "attributed_to": record.attributed_to,
        "background": record.background,
        "evidence": [e["quote"] for e in record.evidence],
    }


def snapshot(record: Record) -> dict[str, Any]:
    """What history keeps of a record: its schema fields as JSON, plus review and event."""
    values = ExtractedRecord.model_validate(contract_values(record)).model_dump(mode="json")
    return {
        **values,
        "countries": record.countries,
        "review": record.review,
        "event_id": record.event_id,
    }


def correct(
    session: Session, record_id: int, changes: dict[str, Any], who: str, reason: str | None
) -> Record:
    """Apply a person's `changes` to a record; 422 naming a field that is unknown or invalid."""
    record = session.get(Record, record_id)
    if record is None:
        raise NotFound(f"record {record_id} not found")
    unknown = sorted(set(changes) - CORRECTABLE)
    if unknown:
        raise InvalidInput(
            f"not fields of a record: {', '.join(unknown)}",
            details={"unknown": unknown, "fields": sorted(CORRECTABLE)},
        )
    before = snapshot(record)
    was = of_record(record)
    article = session.get(Article, record.article_id)
    assert article is not None
    prepared = _prepared({**contract_values(record), **changes}, article.text or "")
    published = article.published_at.date() if article.published_at else None
    fill(record, prepared, published)
    record.review = ReviewState.CORRECTED
    session.flush()
    index_record(session, record, prepared)
    reattach_record(session, record, was)
    keep(
        session,
        Subject.RECORD,
        record_id,
        Action.CORRECTED,
        who,
        before=before,
        after=snapshot(record),
        reason=reason,
    )
    return record


def _prepared(values: dict[str, Any], text: str) -> Any:
    try:
        corrected = ExtractedRecord.model_validate(values)
    except ValidationError as exc:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in exc.errors(include_url=False)
        ]
        named = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        raise InvalidInput(f"invalid correction: {named}", details={"errors": problems}) from exc
    kept, dropped = prepare([corrected], text)
    if not kept:
        raise InvalidInput(
            f"the evidence must quote the article: {dropped[0].reason}",
            details={"evidence": corrected.evidence},
        )
    return kept[0]
