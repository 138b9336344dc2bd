"""The review queue: unreviewed records, those most worth a person's minute first.

How a record ranks (points add up; ties go to the newest record):
- 3: the rules extractor found it (no model read the article);
- 2: its event has a single source (nothing corroborates it);
- 2: the injection screen removed evidence from its article (text addressed to a model);
- 2: its extractor was unsure of it (a rules record's confidence below 0.7);
- 1: it gives no date of its own (dated by its article);
- 1: it names no country (it cannot be found by country, nor joined to an event).
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Float, String, case, cast, func, literal
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.events.tables import Event
from app.extraction.vocabulary import ExtractorName
from app.records.prepare import EVIDENCE_SCREENED
from app.records.review_state import ReviewState
from app.records.tables import Extraction, Record

_UNSURE = 0.7  # below this confidence a rules record is wrong more often than not on held-out news
_WEIGHTS = {
    "found by the rules extractor": 3.0,
    "its event has a single source": 2.0,
    "the injection screen removed evidence from its article": 2.0,
    "the extractor was unsure of it": 2.0,
    "no date of its own": 1.0,
    "no country": 1.0,
}


def _conditions() -> dict[str, ColumnElement[bool]]:
    return {
        "found by the rules extractor": col(Extraction.extractor) == ExtractorName.RULES,
        "its event has a single source": func.coalesce(Event.source_count, 1) <= 1,
        "the injection screen removed evidence from its article": cast(
            Extraction.drop_reasons, String
        ).contains(EVIDENCE_SCREENED),
        "the extractor was unsure of it": func.coalesce(Record.confidence, 1.0) < _UNSURE,
        "no date of its own": col(Record.date).is_(None),
        "no country": cast(Record.countries, String).in_(["[]", "null"]),
    }


def _priority(conditions: dict[str, ColumnElement[bool]]) -> ColumnElement[float]:
    total: ColumnElement[float] = literal(0.0, Float)
    for name, condition in conditions.items():
        weight = literal(_WEIGHTS[name], Float)
        total = total + case((condition, weight), else_=literal(0.0, Float))
    return total


def queued(session: Session, limit: int) -> tuple[list[tuple[float, list[str], Record]], int]:
    """The `limit` unreviewed records ranked first, with their points and why; and how many
    wait in all."""
    conditions = _conditions()
    priority = _priority(conditions).label("priority")
    flags = [cond.label(f"c{i}") for i, cond in enumerate(conditions.values())]
    stmt = (
        select(Record, priority, *flags)
        .join(Extraction, col(Extraction.id) == Record.extraction_id)
        .outerjoin(Event, col(Event.id) == Record.event_id)
        .where(Record.review == ReviewState.UNREVIEWED)
        .order_by(priority.desc(), col(Record.id).desc())
        .limit(limit)
    )
    names = list(conditions)
    rows: Sequence[tuple[Any, ...]] = session.exec(stmt).all()
    ranked = []
    for record, points, *hits in rows:
        reasons = [names[i] for i, hit in enumerate(hits) if hit]
        ranked.append((float(points), reasons, record))
    total = session.exec(
        select(func.count()).select_from(Record).where(Record.review == ReviewState.UNREVIEWED)
    ).one()
    return ranked, total
