"""Finding the stored reports near a new one through the anchor index, never a scan.

A report is anchored once per country it concerns, at the days its date covers. Candidates
share its kind and a country and lie within the kind's window; a month is the widest span an
anchored report has (a report dated only by its year is too vague to join another), so the
search is one bounded index range per country.
"""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import insert
from sqlmodel import Session, col, select

from app.events.facts import Facts, Precision
from app.events.tables import EventAnchor
from app.events.tuning import EventTuning
from app.records.tables import Record

_WIDEST_SPAN = dt.timedelta(days=31)


def anchorable(report: Facts) -> bool:
    """Whether a report can be found by others: it has a country and a date finer than a year."""
    return (
        bool(report.countries)
        and report.day_from is not None
        and report.precision is not Precision.YEAR
    )


def anchor(session: Session, report: Facts) -> None:
    """Index `report` for candidate search (a no-op for reports that cannot be anchored)."""
    if not anchorable(report):
        return
    assert report.day_from is not None
    assert report.day_to is not None
    # One multi-row insert, not an ORM object per country: nothing reads them back as objects.
    session.execute(
        insert(EventAnchor),
        [
            {
                "record_id": report.id,
                "country": country,
                "kind": report.kind,
                "day_from": report.day_from,
                "day_to": report.day_to,
            }
            for country in sorted(report.countries)
        ],
    )


def candidates(session: Session, report: Facts, tuning: EventTuning) -> Sequence[Record]:
    """Stored reports that may tell of the same development as `report` (itself excluded)."""
    if not anchorable(report):
        return []
    assert report.day_from is not None
    assert report.day_to is not None
    window = dt.timedelta(days=tuning.window_days[report.kind])
    near = (
        select(EventAnchor.record_id)
        .where(EventAnchor.kind == report.kind)
        .where(col(EventAnchor.country).in_(sorted(report.countries)))
        .where(col(EventAnchor.day_from) >= report.day_from - window - _WIDEST_SPAN)
        .where(col(EventAnchor.day_from) <= report.day_to + window)
        .where(col(EventAnchor.day_to) >= report.day_from - window)
        .where(EventAnchor.record_id != report.id)
    )
    stmt = select(Record).where(col(Record.id).in_(near)).where(col(Record.event_id).is_not(None))
    return session.exec(stmt.order_by(col(Record.id))).all()
