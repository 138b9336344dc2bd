"""Dates in a sentence, resolved against the publication date to partial ISO dates.

Only the forms news copy uses are recognised, so each comes with its own precision: a weekday or
a day of a month gives `YYYY-MM-DD`, a month `YYYY-MM`, a year `YYYY`. Relative forms need the
publication date; without it only dates that carry their year are resolved.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = [
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
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"  # noqa: E501
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_PATTERNS = (
    rf"(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})\s*(?:-|–|to|until)\s*(?:(?P<m2>{_MONTH})\s+)?(?P<d2>\d{{1,2}})\b(?:,?\s+(?P<ry>{_YEAR}))?",
    rf"(?P<month>{_MONTH})\s+(?P<day>{_DAY})\b(?:,?\s+(?P<year>{_YEAR}))?",
    rf"(?P<day2>{_DAY})\s+(?P<month2>{_MONTH})(?:,?\s+(?P<year2>{_YEAR}))?",
    rf"(?P<month3>{_MONTH})\s+(?P<year3>{_YEAR})",
    rf"(?P<p4>(?:in|by|of|early|late|since|until)\s+)(?:(?:early|late|mid-?)\s*)?(?P<month4>{_MONTH})\b(?!\.?\s*\d)",
    r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)",
    r"(?P<rel>yesterday|today|(?:earlier |later )?this (?:month|year)|last (?:month|year)|next (?:month|year))",  # noqa: E501
    rf"(?P<p8>(?:in|the|since|of|by|until)\s+)(?P<year4>{_YEAR})\b",
)
_DATES = re.compile("|".join(rf"(?:\b{p})" for p in _PATTERNS), re.IGNORECASE)
_FUTURE = re.compile(
    r"\b(?:will|would|shall|next|upcoming|scheduled|slated|set to|due to|plans? to|planned"
    r"|to be held|is to|are to|to start|to begin|to resume|beginning)\b",
    re.IGNORECASE,
)
_NOT_THE_EVENT = re.compile(r"\b(?:since|after|before)\s+(?:the\s+)?$", re.IGNORECASE)
# A weekday right after a speech verb dates the statement, which is always past ("said Monday").
_SPEECH = re.compile(
    r"\b(?:said|says|announced|told(?: \w+)?|stated|declared|added|reported|confirmed)"
    r"(?:\s+on)?\s+$",
    re.IGNORECASE,
)
_END_MARK = re.compile(r"\b(?:until|till|to|through|ending|expires?|runs? to)\s+(?:on\s+)?$")


@dataclass(frozen=True)
class Dates:
    """The development's date and, when stated, its end."""

    date: str | None = None
    end_date: str | None = None


def sentence_dates(sentence: str, published: date | None) -> Dates:
    """The first event date in `sentence`, and an "until ..." end.

    "since ..." never dates the event; the date of a statement ("said Monday") only does when
    the sentence has no other date.
    """
    future = _FUTURE.search(sentence) is not None
    events: list[tuple[str, str | None]] = []
    statements: list[tuple[str, str | None]] = []
    end: str | None = None
    for match in _DATES.finditer(sentence):
        before = sentence[: _anchor(match)]
        speech = _SPEECH.search(before) is not None
        first, last = _resolve(match, published, future and not speech)
        if first is None:
            continue
        if _END_MARK.search(before):
            end = end or first
        elif not _NOT_THE_EVENT.search(before):
            (statements if speech else events).append((first, last))
    chosen = (events or statements)[:1]
    if not chosen:
        return Dates(None, end)
    return Dates(chosen[0][0], end or chosen[0][1])


def _anchor(match: re.Match[str]) -> int:
    """Where the date itself starts, after a preposition the pattern had to consume."""
    for group in ("p4", "p8"):
        if match.group(group):
            return match.end(group)
    return match.start()


def _resolve(
    match: re.Match[str], published: date | None, future: bool
) -> tuple[str | None, str | None]:
    groups = {k: v for k, v in match.groupdict().items() if v and not k.startswith("p")}
    if "m1" in groups:
        month = _month(groups["m1"])
        end_month = _month(groups.get("m2", groups["m1"]))
        year = _year(groups.get("ry"), month, published, future)
        if year is None:
            return None, None
        return _day(year, month, groups["d1"]), _day(year, end_month, groups["d2"])
    if "month" in groups or "month2" in groups:
        month = _month(groups.get("month") or groups["month2"])
        year = _year(groups.get("year") or groups.get("year2"), month, published, future)
        day = groups.get("day") or groups["day2"]
        return (_day(year, month, day), None) if year else (None, None)
    if "month3" in groups or "month4" in groups:
        month = _month(groups.get("month3") or groups["month4"])
        year = _year(groups.get("year3"), month, published, future)
        return (f"{year:04d}-{month:02d}", None) if year else (None, None)
    if "year4" in groups:
        return groups["year4"], None
    if published is None:
        return None, None
    if "weekday" in groups:
        return _weekday(groups["weekday"], published, future).isoformat(), None
    return _relative(groups["rel"].lower(), published), None


def _month(name: str) -> int:
    prefix = name.lower().rstrip(".")[:3]
    return next(i for i, month in enumerate(_MONTHS, 1) if month.startswith(prefix))


def _day(year: int, month: int, day: str) -> str | None:
    try:
        return date(year, month, int(re.sub(r"\D", "", day))).isoformat()
    except ValueError:
        return None


def _year(explicit: str | None, month: int, published: date | None, future: bool) -> int | None:
    """The stated year, else the publication year shifted when the month is on the wrong side."""
    if explicit:
        return int(explicit)
    if published is None:
        return None
    if future and month < published.month:
        return published.year + 1
    if not future and month > published.month:
        return published.year - 1
    return published.year


def _weekday(name: str, published: date, future: bool) -> date:
    target = _WEEKDAYS.index(name.lower())
    if future:
        ahead = (target - published.weekday()) % 7 or 7
        return published + timedelta(days=ahead)
    return published - timedelta(days=(published.weekday() - target) % 7)


def _relative(phrase: str, published: date) -> str | None:
    if phrase == "yesterday":
        return (published - timedelta(days=1)).isoformat()
    if phrase == "today":
        return published.isoformat()
    shift = -1 if phrase.startswith("last") else 1 if phrase.startswith("next") else 0
    if phrase.endswith("year"):
        return f"{published.year + shift:04d}"
    month_index = published.year * 12 + published.month - 1 + shift
    return f"{month_index // 12:04d}-{month_index % 12 + 1:02d}"
