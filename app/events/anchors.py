"""Finding the stored reports near a new one through the anchor index, never a scan.

A report is anchored once per country it concerns, at the days its date covers. Candidates
share its kind and a country and lie within the kind's window; a month is the widest span an
anchored report has but a year, so the search is one bounded index range per country. A report
dated only by its year (a background mention: "the 1994 ceasefire") can only be the report of
a year or a month of that year (app.events.similarity): a month's search also looks up its
year's anchors by their first day, and a year's search reads the anchors of its year, keeping
the reports dated by a month or a year.
"""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, CompoundSelect, and_, func, insert, union
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.events.facts import Facts, Precision
from app.events.tables import EventAnchor
from app.events.tuning import EventTuning
from app.records.tables import Record

_WIDEST_SPAN = dt.timedelta(days=31)


def anchorable(report: Facts) -> bool:
    """Whether a report can be found by others: it has a country and a date."""
    return bool(report.countries) and report.day_from is not None


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
    near: SelectOfScalar[int] | CompoundSelect[tuple[int]] = _anchored(
        report, _days_near(report, tuning)
    )
    if report.precision is Precision.MONTH:
        # Its own index range, so that neither search loses the bounds on the days.
        near = union(near, _anchored(report, _days_of_year(report)))
    stmt = select(Record).where(col(Record.id).in_(near)).where(col(Record.event_id).is_not(None))
    if report.precision is Precision.YEAR:
        # "2026" or "2026-03": a day is never the report of a year.
        stmt = stmt.where(func.length(Record.date) <= len("2026-03"))
    return session.exec(stmt.order_by(col(Record.id))).all()


def _anchored(report: Facts, days: ColumnElement[bool]) -> SelectOfScalar[int]:
    """The records anchored at `days` in `report`'s kind and countries, but itself."""
    return (
        select(EventAnchor.record_id)
        .where(EventAnchor.kind == report.kind)
        .where(col(EventAnchor.country).in_(sorted(report.countries)))
        .where(days)
        .where(EventAnchor.record_id != report.id)
    )


def _days_near(report: Facts, tuning: EventTuning) -> ColumnElement[bool]:
    """The anchors' days a candidate of `report` may have: its year's for a year."""
    assert report.day_from is not None
    assert report.day_to is not None
    if report.precision is Precision.YEAR:
        return and_(
            col(EventAnchor.day_from) >= report.day_from,
            col(EventAnchor.day_from) <= report.day_to,
        )
    window = dt.timedelta(days=tuning.window_days[report.kind])
    return and_(
        col(EventAnchor.day_from) >= report.day_from - window - _WIDEST_SPAN,
        col(EventAnchor.day_from) <= report.day_to + window,
        col(EventAnchor.day_to) >= report.day_from - window,
    )


def _days_of_year(report: Facts) -> ColumnElement[bool]:
    """The anchors of reports dated by `report`'s year: they start on its first day (and may
    end before its last: app.events.facts.clipped)."""
    assert report.day_from is not None
    return and_(
        col(EventAnchor.day_from) == dt.date(report.day_from.year, 1, 1),
        col(EventAnchor.day_to) >= report.day_from,
    )
