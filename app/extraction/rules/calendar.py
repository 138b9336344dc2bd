"""Resolving a date phrase to a partial ISO date, as an editor would.

Each form has its own precision: a day of a month, a weekday, yesterday/today/tomorrow give
`YYYY-MM-DD`; a month, "last month", "earlier this month", "the following month" and, by the
newsroom convention of our gold sets, "last week", "this week" and "at the weekend" give
`YYYY-MM`; a year gives `YYYY`. A month or weekday without a year or a "last"/"next" is placed
before the reference day for past developments and after it for future ones.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


@dataclass(frozen=True)
class Reference:
    """What relative phrases are resolved against."""

    published: date | None
    # The day a quoted statement was made: "yesterday" in a quote is the day before it.
    statement: date | None = None
    # The last month the text named, for "the following month".
    last_month: date | None = None


def month_number(name: str) -> int:
    """1-12 for a month name or its abbreviation ("Sept.", "Aug")."""
    prefix = name.lower().rstrip(".")[:3]
    return next(i for i, month in enumerate(MONTHS, 1) if month.startswith(prefix))


def day_iso(year: int, month: int, day: str) -> str | None:
    """`YYYY-MM-DD`, or None when the day does not exist."""
    try:
        return date(year, month, int(re.sub(r"\D", "", day))).isoformat()
    except ValueError:
        return None


def month_iso(day: date) -> str:
    """`YYYY-MM` of a day."""
    return f"{day.year:04d}-{day.month:02d}"


def infer_year(month: int, published: date | None, future: bool | None) -> int | None:
    """The publication year, shifted when the month lies on the wrong side of publication;
    with no side (`future` None: an end date), the year that puts the month nearest to it."""
    if published is None:
        return None
    if future is None:
        return min(
            (published.year - 1, published.year, published.year + 1),
            key=lambda year: abs((date(year, month, 15) - published).days),
        )
    if future and month < published.month:
        return published.year + 1
    if not future and month > published.month:
        return published.year - 1
    return published.year


def weekday(name: str, modifier: str | None, reference: date, future: bool | None) -> date:
    """The day a weekday names: "last" is strictly before, "next"/"coming" strictly after,
    otherwise before or on the reference day for the past and after it for the future (and
    for an end, `future` None: "until Friday")."""
    target = WEEKDAYS.index(name.lower())
    forward = future is not False if modifier in (None, "this") else modifier in ("next", "coming")
    if forward:
        return reference + timedelta(days=(target - reference.weekday()) % 7 or 7)
    back = (reference.weekday() - target) % 7
    return reference - timedelta(days=back or (7 if modifier == "last" else 0))


def relative_day(phrase: str, reference: date) -> date:
    """yesterday, today (tonight, this morning ...), tomorrow."""
    if phrase.startswith(("yesterday", "last night")):
        return reference - timedelta(days=1)
    if phrase.startswith("tomorrow"):
        return reference + timedelta(days=1)
    return reference


def week_month(phrase: str, published: date, future: bool | None) -> str:
    """The month of a week phrase: last/this/next week, earlier this week, the weekend."""
    if "weekend" in phrase:
        saturday = published - timedelta(days=(published.weekday() - 5) % 7)
        ahead = "next" in phrase or (future and "last" not in phrase)
        return month_iso(
            saturday + timedelta(days=7) if ahead and saturday < published else saturday
        )
    shift = {"last": -7, "next": 7, "earlier": -1}.get(phrase.split()[0], 0)
    return month_iso(published + timedelta(days=shift))


def shifted_month(reference: date, months: int) -> str:
    """`YYYY-MM` of the month `months` away from the reference's month."""
    index = reference.year * 12 + reference.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_or_year(phrase: str, published: date) -> str:
    """this/last/next month or year, earlier or later this month or year."""
    shift = -1 if "last" in phrase else 1 if "next" in phrase else 0
    if phrase.endswith("year"):
        return f"{published.year + shift:04d}"
    return shifted_month(published, shift)


def following_month(phrase: str, last_month: date) -> str:
    """ "the following month" and "the previous month", from the last month the text named."""
    before = any(word in phrase for word in ("previous", "before", "earlier", "prior"))
    return shifted_month(last_month, -1 if before else 1)


def latest_day(value: str) -> date:
    """The last day a partial ISO date can mean (a month ends on the 28th, to stay valid)."""
    parts = [int(part) for part in value.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 12, parts[2] if len(parts) > 2 else 28)


def first_day(value: str) -> date:
    """The first day a partial ISO date can mean."""
    parts = [int(part) for part in value.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
