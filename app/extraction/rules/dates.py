"""Dates in a sentence: which phrase dates a development, resolved by `calendar`.

A sentence's date phrases are read once (`read_phrases`): an event date, the date of a statement
("said Monday", "on Wednesday welcomed"), or an end ("until July 31"); "since July" and a wire
dateline ("DOHA, Aug 13 (Wire) -") date nothing. A development takes the event date nearest its
trigger, resolved forward when it is still to come; only a past one falls back on the date of a
statement, so a future round is never dated by the day it was announced.
"""

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from app.extraction.rules import calendar
from app.extraction.rules.calendar import Reference

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"  # noqa: E501
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_WEEKDAY = r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
# Nouns of developments a month name can stand before ("the February talks").
_NOUNS = (
    r"talks|round|negotiations|meeting|summit|ceasefire|truce|deal|agreement|accord|exchange"
    r"|swap|release"
)
_PATTERNS = (
    rf"(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})\s*(?:-|–|to|until|through)\s*(?:(?P<m2>{_MONTH})\s+)?(?P<d2>\d{{1,2}})\b(?:,?\s+(?P<ry>{_YEAR}))?",
    rf"(?:between\s+)?(?P<b1>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:-|–|and|to)\s*(?P<b2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<bm>{_MONTH})(?:,?\s+(?P<by>{_YEAR}))?",
    rf"(?P<month>{_MONTH})\s+(?P<day>{_DAY})\b(?:,?\s+(?P<year>{_YEAR}))?",
    rf"(?P<day2>{_DAY})\s+(?P<month2>{_MONTH})(?:,?\s+(?P<year2>{_YEAR}))?",
    rf"(?P<month3>{_MONTH})\s+(?P<year3>{_YEAR})",
    rf"(?P<p4>(?:in|by|of|early|late|since|until)\s+)(?:(?:early|late|mid-?)\s*)?(?P<month4>{_MONTH})\b(?!\.?\s*\d)",
    # "the February talks", capitalised and before a development's noun: not "the march on Goma".
    rf"(?P<p9>the\s+)(?P<month5>(?-i:{_MONTH}))(?=\s+(?:[\w-]+\s+)?(?:{_NOUNS})\b)",
    rf"(?P<wr1>{_WEEKDAY})\s+(?:and|to|through|until|–|-)\s+(?P<wr2>{_WEEKDAY})",
    rf"(?:(?P<wmod>last|next|this|coming)\s+)?(?P<weekday>{_WEEKDAY})",
    r"(?P<rel>yesterday|today|tonight|tomorrow|overnight|last night|this (?:morning|afternoon|evening)|earlier today)",  # noqa: E501
    r"(?P<week>(?:earlier |later )?this week|(?:last|next) week|(?:at|over) the weekend|(?:this|last|next) weekend)",  # noqa: E501
    r"(?P<span>(?:earlier |later )?this (?:month|year)|(?:last|next) (?:month|year))",
    r"(?P<follow>the (?:following|next|previous|preceding) month|a month (?:later|earlier)|the month (?:after|before))",  # noqa: E501
    rf"(?P<p8>(?:in|the|since|of|by|until)\s+(?:(?:early|late|mid-?)\s*)?)(?P<year4>{_YEAR})\b",
)
_DATES = re.compile("|".join(rf"(?:\b{p})" for p in _PATTERNS), re.IGNORECASE)
_NOT_THE_EVENT = re.compile(r"\b(?:since|after|before)\s+(?:the\s+)?$", re.IGNORECASE)
_VERBS = r"said|says|announced|told(?: \w+)?|stated|declared|added|reported|confirmed|welcomed|condemned|praised|hailed|urged|called|warned|insisted|accused(?: each other| one another)?"  # noqa: E501
_SPEECH_BEFORE = re.compile(rf"\b(?:{_VERBS})(?:\s+on)?\s+$", re.IGNORECASE)
_SPEECH_AFTER = re.compile(rf",?\s+(?:{_VERBS})\b", re.IGNORECASE)
# The date of the agreement a development follows, not its own: "the truce agreed in May" (unless
# a verb of its own comes between: "agreed in May was violated on Sunday"), "the ceasefire of
# 10 March".
_AGREEMENT = re.compile(
    r"\b(?:agreed|signed|brokered|reached|struck|sealed)\b"
    r"(?:(?!\b(?:was|were|is|are|has|have|had|been)\b)[^,.;])*$"
    r"|\b(?:ceasefire|cease-fire|truce|agreement|deal|accord|armistice)\s+of\s+$",
    re.IGNORECASE,
)
_ORDINAL_DAYS = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}  # fmt: skip
_NTH_DAY = re.compile(
    r"\b(?:a|the|its|their) (second|third|fourth|fifth|sixth|seventh)"
    r" (?:straight |consecutive |and (?:final|last) )?day\b",
    re.IGNORECASE,
)
_DAYS_OF_TALKS = re.compile(
    r"\b(two|three|four|five|six|seven)(?: days of (?:[\w-]+ ){0,3}?|-day (?:[\w-]+ )?)"
    r"(?:talks|negotiations|meetings|consultations|round|exchange|swap|operation)\b",
    re.IGNORECASE,
)
_ENDED = re.compile(
    r"\b(?:ended|concluded|closed|wrapped up|finished|completing|completed)\b", re.IGNORECASE
)
_CLAUSE = re.compile(r"\b(?:but|while|whereas|although|though|however|when)\b|;")
_END_MARK = re.compile(r"\b(?:until|till|to|through|ending|expires?|runs? to)\s+(?:on\s+)?$")
# "DOHA, Aug 13 (Gulf Wire) - ", "JEDDAH, Saudi Arabia, March 14 - ", "SANAA/ADEN - ".
_DATELINE = re.compile(
    rf"^(?P<place>[A-Z][A-Z.’'/-]+(?: [A-Z][A-Z.’'/-]+){{0,3}})(?:,\s*[A-Z][\w .’'-]+?)?"
    rf"(?:,\s+(?:{_MONTH}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTH}))?\s*(?:\([^)]*\))?\s*[-–—]\s"
)

Role = Literal["event", "statement", "end"]


@dataclass(frozen=True)
class Phrase:
    """A date phrase of a sentence and what it dates."""

    match: re.Match[str]
    role: Role
    quoted: bool
    # Dates the agreement a participle names ("the ceasefire agreed in March"), not what
    # happened to it since.
    agreement: bool = False


@dataclass(frozen=True)
class Dates:
    """The development's date and, when stated, its end; `source` says what dated it."""

    date: str | None = None
    end_date: str | None = None
    source: Literal["event", "statement"] | None = None
    # Resolved from a relative phrase, a weekday or a year guessed from publication.
    inferred: bool = False


def dateline_end(sentence: str) -> int:
    """Where a wire dateline ("DOHA, Aug 13 (Gulf Wire) -") that opens a sentence ends, or 0."""
    dateline = _DATELINE.match(sentence)
    return dateline.end() if dateline else 0


def dateline_place(sentence: str) -> str | None:
    """The first place a dateline names, as a name ("SANAA/ADEN -": "Sanaa")."""
    dateline = _DATELINE.match(sentence)
    if dateline is None:
        return None
    return dateline.group("place").split("/")[0].strip().title()


def read_phrases(sentence: str) -> list[Phrase]:
    """The date phrases of a sentence, minus "since ..." and a wire dateline."""
    phrases = []
    for match in _DATES.finditer(sentence, dateline_end(sentence)):
        start = _anchor(match)
        before = sentence[:start]
        if _NOT_THE_EVENT.search(before):
            continue
        role: Role = "event"
        if _END_MARK.search(before):
            role = "end"
        elif _SPEECH_BEFORE.search(before) or _SPEECH_AFTER.match(sentence, match.end()):
            role = "statement"
        agreement = _AGREEMENT.search(sentence, max(start - 40, 0), start) is not None
        phrases.append(Phrase(match, role, _inside_quote(before), agreement))
    return phrases


def dates_for(
    phrases: list[Phrase],
    near: tuple[int, int],
    reference: Reference,
    future: bool,
    since_agreed: bool = False,
) -> Dates:
    """The date of the development whose trigger spans `near`: the nearest event date, else (a
    past development only) a statement's date; the end from "until ..." or a range.
    `since_agreed`: the development happened after an agreement, whose date is not its own."""
    resolved = _resolve_all(phrases, reference, future)
    ends = [(p, resolve(p, reference, None)) for p in phrases if p.role == "end"]
    events = [
        (p, r)
        for p, r in resolved
        if p.role == "event" and r[0] and not (since_agreed and p.agreement)
    ]
    # An end ("until April 18") may lie before or after publication: the nearest year.
    end = next((r[0] for _, r in ends if r[0]), None)
    if events:
        phrase, (first, last) = min(events, key=lambda item: _distance(item[0], near))
        return Dates(first, end or last, "event", _inferred(phrase))
    statement = next(((p, r) for p, r in resolved if p.role == "statement" and r[0]), None)
    if statement is None or future:
        return Dates(None, end)
    return Dates(statement[1][0], end, "statement", _inferred(statement[0]))


def round_start(sentence: str, dates: Dates) -> Dates:
    """A round of talks or an exchange is dated by its first day: "a third day on Wednesday"
    began on Monday, "two days of talks ended on Wednesday" ran from Tuesday to Wednesday,
    "arrived on Sunday, completing a two-day exchange" began on Saturday."""
    if dates.date is None or len(dates.date) != 10:
        return dates
    day = date.fromisoformat(dates.date)
    nth = _NTH_DAY.search(sentence)
    if nth:
        first = day - timedelta(days=_ORDINAL_DAYS[nth.group(1).lower()] - 1)
        return replace(dates, date=first.isoformat(), inferred=True)
    span = _DAYS_OF_TALKS.search(sentence)
    if span and _ENDED.search(sentence):
        first = day - timedelta(days=_ORDINAL_DAYS[span.group(1).lower()] - 1)
        return replace(dates, date=first.isoformat(), end_date=dates.end_date or dates.date)
    return dates


def advance(phrases: list[Phrase], reference: Reference, future: bool) -> Reference:
    """The reference after a sentence: the last month it named, the day a statement was made."""
    resolved = _resolve_all(phrases, reference, future)
    statement = next(
        (r[0] for p, r in resolved if p.role == "statement" and r[0] and len(r[0]) == 10), None
    )
    last = next((r[0] for _, r in reversed(resolved) if r[0] and len(r[0]) >= 7), None)
    return replace(
        reference,
        statement=date.fromisoformat(statement) if statement else reference.statement,
        last_month=calendar.first_day(last) if last else reference.last_month,
    )


def _resolve_all(
    phrases: list[Phrase], reference: Reference, future: bool
) -> list[tuple[Phrase, tuple[str | None, str | None]]]:
    """Every phrase resolved in reading order; "the following month" follows the last month."""
    resolved = []
    for phrase in phrases:
        result = resolve(phrase, reference, future)
        resolved.append((phrase, result))
        if result[0] and len(result[0]) >= 7:
            reference = replace(reference, last_month=calendar.first_day(result[0]))
    return resolved


def resolve(
    phrase: Phrase, reference: Reference, future: bool | None
) -> tuple[str | None, str | None]:
    """A phrase's first and last day as partial ISO dates (None when it cannot be resolved)."""
    groups = {k: v for k, v in phrase.match.groupdict().items() if v and k[0] != "p"}
    if "m1" in groups or "b1" in groups:
        return _range(groups, reference.published, future)
    if "wr1" in groups and reference.published is not None:
        first = calendar.weekday(groups["wr1"], None, reference.published, future)
        last = calendar.weekday(groups["wr2"], "next", first, True)
        return first.isoformat(), last.isoformat()
    if "year4" in groups:
        return groups["year4"], None
    if groups.keys() & {"month", "month2", "month3", "month4", "month5"}:
        return _dated(groups, reference.published, future), None
    return _relative(groups, phrase.quoted, reference, future), None


def _dated(groups: dict[str, str], published: date | None, future: bool | None) -> str | None:
    month = calendar.month_number(
        groups.get("month")
        or groups.get("month2")
        or groups.get("month3")
        or groups.get("month4")
        or groups["month5"]
    )
    stated = groups.get("year") or groups.get("year2") or groups.get("year3")
    year = int(stated) if stated else calendar.infer_year(month, published, future)
    if year is None:
        return None
    day = groups.get("day") or groups.get("day2")
    return calendar.day_iso(year, month, day) if day else f"{year:04d}-{month:02d}"


def _range(
    groups: dict[str, str], published: date | None, future: bool | None
) -> tuple[str | None, str | None]:
    first_month = calendar.month_number(groups.get("m1") or groups["bm"])
    last_month = calendar.month_number(groups.get("m2") or groups.get("m1") or groups["bm"])
    stated = groups.get("ry") or groups.get("by")
    year = int(stated) if stated else calendar.infer_year(first_month, published, future)
    if year is None:
        return None, None
    first = groups.get("d1") or groups["b1"]
    last = groups.get("d2") or groups["b2"]
    last_year = year + 1 if last_month < first_month else year
    return calendar.day_iso(year, first_month, first), calendar.day_iso(last_year, last_month, last)


def _relative(
    groups: dict[str, str], quoted: bool, reference: Reference, future: bool | None
) -> str | None:
    published = reference.published
    if published is None:
        return None
    if "weekday" in groups:
        modifier = groups.get("wmod", "").lower() or None
        return calendar.weekday(groups["weekday"], modifier, published, future).isoformat()
    if "rel" in groups:
        anchor = reference.statement if quoted and reference.statement else published
        return calendar.relative_day(groups["rel"].lower(), anchor).isoformat()
    if "week" in groups:
        return calendar.week_month(groups["week"].lower(), published, future)
    if "span" in groups:
        return calendar.month_or_year(groups["span"].lower(), published)
    if reference.last_month is None:
        return None
    return calendar.following_month(groups["follow"].lower(), reference.last_month)


def _anchor(match: re.Match[str]) -> int:
    """Where the date itself starts, after a preposition the pattern had to consume."""
    for group in ("p4", "p8", "p9"):
        if match.group(group):
            return match.end(group)
    return match.start()


def _inside_quote(before: str) -> bool:
    """Whether an odd number of quotation marks opens before this point."""
    opened = before.count("“") - before.count("”") + before.count('"') % 2
    return opened > 0


def _distance(phrase: Phrase, near: tuple[int, int]) -> tuple[bool, int, int]:
    """Same clause first, then the nearest, then one after the trigger."""
    start, end = phrase.match.span()
    gap = max(start - near[1], near[0] - end, 0)
    low, high = (end, near[0]) if end <= near[0] else (near[1], start)
    other_clause = _CLAUSE.search(phrase.match.string, low, high) is not None
    return other_clause, gap, int(start < near[0])


def _inferred(phrase: Phrase) -> bool:
    groups = {k for k, v in phrase.match.groupdict().items() if v}
    stated_year = groups & {"ry", "by", "year", "year2", "year3", "year4"}
    return not stated_year
