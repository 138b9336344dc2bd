"""Read a sentence's cues: kinds, status, background, count, round, format, programme."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from app.extraction.contract import CountQualifier, RecordKind, RecordStatus, TalksFormat
from app.extraction.rules.lexicon import Cue, Lexicon

_ROUND_NUMBER = re.compile(r"\bround\s+(?P<n>\d{1,2}|one|two|three|four|five|six)\b", re.I)
_ROUND_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_RELATIVE = re.compile(r",\s*(?:which|who|that)\s+(?:[\w’'-]+\s+)?$", re.IGNORECASE)
# "over" that belongs to the verb before it, not to the number after it.
_PHRASAL_OVER = re.compile(
    r"\b(?:hand|hands|handed|handing|turn|turns|turned|turning|took|taken|take|takes|taking"
    r"|gave|given|give|gives|giving|passed|pass)\s+$",
    re.IGNORECASE,
)
# What separates a status cue from a trigger it does not describe.
_CLAUSE = re.compile(
    r"\b(?:as(?! (?:part|well|a|an|the|such|long|soon|of|observers?|mediators?|guarantors?)\b)"
    r"|because|while|whereas|although|though|but|however|unless|if|said|says|told|added"
    r"|respect|observe|uphold|honou?r|abide by|adhere to|implement|maintain|preserve)\b|[;—]",
    re.IGNORECASE,
)
_NEXT_ROUND = re.compile(r"\b(?:next|new|another|upcoming) round\b", re.IGNORECASE)


@dataclass(frozen=True)
class Trigger:
    """A kind's trigger found in a sentence."""

    kind: RecordKind
    start: int
    end: int
    weak: bool = False


@dataclass(frozen=True)
class CuedStatus:
    """A status cue found in a sentence, and where."""

    status: RecordStatus
    start: int
    # In an aside after the trigger ("the truce, which Qatar brokered, ...").
    aside: bool = False


@dataclass(frozen=True)
class Count:
    """People surrendered, released or exchanged, as the sentence states them."""

    value: int
    qualifier: CountQualifier


def find_triggers(sentence: str, lexicon: Lexicon) -> list[Trigger]:
    """Every kind's trigger in `sentence`, minus matches inside a longer one of another kind."""
    if not lexicon.any_trigger.found_in(sentence):
        return []  # most sentences: one pass of the joined pattern instead of one per cue
    found = [
        Trigger(cast(RecordKind, cue.label), match.start(), match.end(), cue.weak)
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
    cued = cued_status(sentence, trigger, lexicon)
    return cued.status if cued else lexicon.status_defaults[trigger.kind]


def cued_status(
    sentence: str,
    trigger: Trigger,
    lexicon: Lexicon,
    asserted: Callable[[int], bool] = lambda _: True,
) -> CuedStatus | None:
    """The asserted status cue nearest to the trigger (one in a parenthesis after it only when
    there is no other), unless a later cue supersedes it; None when the sentence has none for
    its kind. `asserted(position)` rules out cues inside negated or hypothetical scopes."""
    found: list[tuple[bool, int, int, Cue, int]] = []
    for order, cue in enumerate(lexicon.statuses):
        if cue.kinds is not None and trigger.kind not in cue.kinds:
            continue
        for match in cue.regex.finditer(sentence):
            start = match.start()
            if not asserted(match.end() - 1) or _across_clauses(sentence, trigger, match):
                continue
            distance = max(start - trigger.end, trigger.start - match.end(), 0)
            found.append((_parenthetical(sentence, trigger, start), distance, order, cue, start))
    if not found:
        return None
    aside, *_, best, at = min(found, key=lambda item: item[:3])
    stronger = [f for f in found if best.label in f[3].supersedes and not f[0]]
    if stronger:
        aside, *_, best, at = min(stronger, key=lambda item: item[1:3])
    return CuedStatus(cast(RecordStatus, best.label), at, aside)


def _across_clauses(sentence: str, trigger: Trigger, match: re.Match[str]) -> bool:
    """Whether a subordinate clause ("as Turkey is pushing for ...") or a verb that takes the
    development as given ("urge them to respect the ceasefire") stands between cue and trigger."""
    start, end = (
        (match.end(), trigger.start)
        if match.end() <= trigger.start
        else (trigger.end, match.start())
    )
    return _CLAUSE.search(sentence, start, end) is not None


def _parenthetical(sentence: str, trigger: Trigger, position: int) -> bool:
    """Whether `position` sits in an aside: a ", ... ," that opens after the trigger, or a
    relative clause ("Malaysia, which brokered the truce")."""
    if _RELATIVE.search(sentence, 0, position):
        return True
    opened = sentence.rfind(",", trigger.end, position)
    return opened != -1 and sentence.find(",", position) != -1


def held_cue(sentence: str, trigger: Trigger, lexicon: Lexicon) -> bool:
    """Whether talks are reported as held, hosted or met ("held talks", "met in Geneva")."""
    cue = lexicon.held
    return cue.kinds is not None and trigger.kind in cue.kinds and _first(cue, sentence)


def is_background(sentence: str, lexicon: Lexicon) -> bool:
    """Whether a background cue (earlier round, old deal, "had agreed") is in the sentence."""
    return any(_background_cue(cue, sentence) for cue in lexicon.background)


def _background_cue(cue: Cue, sentence: str) -> bool:
    match = cue.regex.search(sentence)
    if match is None:
        return False
    return cue.not_after is None or cue.not_after.search(sentence, 0, match.start()) is None


def _first(cue: Cue, sentence: str) -> bool:
    return cue.regex.search(sentence) is not None


def find_count(sentence: str, lexicon: Lexicon, near: Trigger | None = None) -> Count | None:
    """The count of people nearest to `near` (else the first), with its qualifier ("more than
    300" is at_least)."""
    count = lexicon.count
    matches = [
        m
        for m in count.regex.finditer(sentence)
        if not count.not_after.search(sentence, 0, m.start())
    ]
    if not matches:
        return None
    match = min(matches, key=lambda m: _gap(m, near)) if near else matches[0]
    try:
        value = count_value(match.group("number"), lexicon.count.words)
    except KeyError:  # a letter the pattern folds that lower() does not ("ſix"): no count
        return None
    qualifier = match.group("qualifier")
    if qualifier and _PHRASAL_OVER.search(sentence, 0, match.start("qualifier")):
        qualifier = None  # "handed over six hostages": six, exactly
    label = lexicon.count.qualifiers.get(qualifier.lower(), "exact") if qualifier else "exact"
    return Count(value, cast(CountQualifier, label))


def count_value(number: str, words: dict[str, int]) -> int:
    """The value of a count as written: "1,150", "forty-eight", "two hundred and forty-seven"."""
    text = " ".join(number.lower().split())
    if text[0].isdigit():
        return int(text.replace(",", ""))
    if text in words:  # "forty-eight", "a hundred"
        return words[text]
    head, _, rest = text.partition(" hundred")
    tail = rest.removeprefix(" and").strip()
    # "one" is no count word of its own ("one of the soldiers"), only in "one hundred and one".
    ones = {"a": 1, "one": 1}
    hundreds = ones.get(head) or words[head]
    return hundreds * 100 + ((ones.get(tail) or words[tail]) if tail else 0)


def _gap(match: re.Match[str], trigger: Trigger | None) -> int:
    if trigger is None:
        return 0
    return max(match.start() - trigger.end, trigger.start - match.end(), 0)


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
