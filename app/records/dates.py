"""Partial ISO dates (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) as the spans of days they cover."""

import calendar
import datetime as dt


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
