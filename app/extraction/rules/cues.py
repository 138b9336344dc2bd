"""Read a sentence's cues: kinds, status, background, count, round, format, programme."""

import re
from dataclasses import dataclass
from typing import cast

from app.extraction.contract import CountQualifier, RecordKind, RecordStatus, TalksFormat
from app.extraction.rules.lexicon import Cue, Lexicon

_ROUND_NUMBER = re.compile(r"\bround\s+(?P<n>\d{1,2}|one|two|three|four|five|six)\b", re.I)
_ROUND_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_NEXT_ROUND = re.compile(r"\b(?:next|new|another|upcoming) round\b", re.IGNORECASE)


@dataclass(frozen=True)
class Trigger:
    """A kind's trigger found in a sentence."""

    kind: RecordKind
    start: int
    end: int


@dataclass(frozen=True)
class Count:
    """People surrendered, released or exchanged, as the sentence states them."""

    value: int
    qualifier: CountQualifier


def find_triggers(sentence: str, lexicon: Lexicon) -> list[Trigger]:
    """Every kind's trigger in `sentence`, minus matches inside a longer one of another kind."""
    found = [
        Trigger(cast(RecordKind, cue.label), match.start(), match.end())
        for cue in lexicon.triggers
        for match in cue.regex.finditer(sentence)
    ]
    return sorted(
        (t for t in found if not any(_inside(t, other) for other in found)),
        key=lambda t: t.start,
    )


def _inside(inner: Trigger, outer: Trigger) -> bool:
    longer = (outer.end - outer.start) > (inner.end - inner.start)
    return longer and outer.start <= inner.start and inner.end <= outer.end


def find_status(sentence: str, trigger: Trigger, lexicon: Lexicon) -> RecordStatus:
    """The status cue nearest to the trigger, else the kind's default."""
    return cued_status(sentence, trigger, lexicon) or lexicon.status_defaults[trigger.kind]


def cued_status(sentence: str, trigger: Trigger, lexicon: Lexicon) -> RecordStatus | None:
    """The status cue nearest to the trigger, or None when the sentence has none for its kind."""
    best: tuple[int, int, RecordStatus] | None = None
    for order, cue in enumerate(lexicon.statuses):
        if cue.kinds is not None and trigger.kind not in cue.kinds:
            continue
        for match in cue.regex.finditer(sentence):
            if trigger.start <= match.start() < trigger.end:
                continue
            distance = max(match.start() - trigger.end, trigger.start - match.end(), 0)
            candidate = (distance, order, cast(RecordStatus, cue.label))
            if best is None or candidate < best:
                best = candidate
    return best[2] if best else None


def is_background(sentence: str, lexicon: Lexicon) -> bool:
    """Whether a background cue (earlier round, old deal, "had agreed") is in the sentence."""
    return any(_first(cue, sentence) for cue in lexicon.background)


def _first(cue: Cue, sentence: str) -> bool:
    return cue.regex.search(sentence) is not None


def find_count(sentence: str, lexicon: Lexicon) -> Count | None:
    """The first count of people, with its qualifier ("more than 300" is at_least)."""
    match = lexicon.count.regex.search(sentence)
    if match is None:
        return None
    number = match.group("number").lower()
    value = int(number.replace(",", "")) if number[0].isdigit() else lexicon.count.words[number]
    qualifier = match.group("qualifier")
    label = lexicon.count.qualifiers[qualifier.lower()] if qualifier else "exact"
    return Count(value, cast(CountQualifier, label))


def find_round(sentence: str, lexicon: Lexicon, last_round: int | None) -> int | None:
    """The round number: "second round", "round 3", or "next round" after a known one."""
    for word, number in lexicon.ordinals.items():
        if re.search(rf"\b{word} round\b", sentence, re.IGNORECASE):
            return number
    match = _ROUND_NUMBER.search(sentence)
    if match:
        text = match.group("n").lower()
        return int(text) if text.isdigit() else _ROUND_WORDS[text]
    if last_round is not None and _NEXT_ROUND.search(sentence):
        return last_round + 1
    return None


def find_format(sentence: str, lexicon: Lexicon) -> TalksFormat | None:
    """The talks format a sentence names (proximity talks are indirect)."""
    for cue in lexicon.formats:
        if cue.regex.search(sentence):
            return cast(TalksFormat, cue.label)
    return None


def find_programme(sentence: str, lexicon: Lexicon) -> str | None:
    """A named programme ("the I Want to Live project")."""
    match = lexicon.programme.search(sentence)
    return match.group(1) if match else None
