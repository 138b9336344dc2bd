"""Negation and modality scopes in a sentence, NegEx-style (data/modality.yaml explains it).

A trigger phrase ("did not", "aimed at", "called for", "denied") opens a scope of a few words
after it, before it, or both; termination terms end a scope early and pseudo-triggers open none.
A record kind's trigger inside a scope takes the scope's mood: `negated` and `hypothetical` make
no record, `denied` keeps it only when someone else made the claim, `proposed` sets its status.
"""

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, cast

from app.extraction.rules.lexicon import load_data, word_regex

Mood = Literal["asserted", "negated", "hypothetical", "denied", "proposed"]
Direction = Literal["before", "after", "around"]
# Moods in which the sentence does not assert the development.
UNASSERTED: frozenset[Mood] = frozenset({"negated", "hypothetical"})
_WORD = re.compile(r"\S+")
_DIRECTIONS: tuple[Direction, ...] = ("before", "after", "around")
_RELATIVE = re.compile(r",\s*(?:which|who|whom|where|when)\b[^,]*$", re.IGNORECASE)


@dataclass(frozen=True)
class ScopeCue:
    """A trigger of one mood: where its scope runs and how many words it may reach."""

    mood: Mood
    direction: Direction
    regex: re.Pattern[str]
    window: int
    examples: tuple[str, ...]


@dataclass(frozen=True)
class ModalityLexicon:
    """Compiled triggers, pseudo-triggers and terminations."""

    cues: tuple[ScopeCue, ...]
    priority: tuple[Mood, ...]
    whole_sentence: frozenset[Mood]
    pseudo: re.Pattern[str]
    ends: re.Pattern[str]
    ends_backward: re.Pattern[str]
    denies_previous: re.Pattern[str]
    examples: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Scope:
    """Characters [start, end) of a sentence that a trigger of `mood` governs."""

    mood: Mood
    start: int
    end: int
    # Opened by a trigger before it ("aimed at ..."), not running back from one ("... could").
    forward: bool = True


@dataclass(frozen=True)
class Scopes:
    """Every scope of one sentence."""

    items: tuple[Scope, ...]
    priority: tuple[Mood, ...]

    def mood_at(self, position: int) -> Mood:
        """The mood of a kind's trigger starting at `position`: the strongest covering scope."""
        covering = {s.mood for s in self.items if s.start <= position < s.end}
        return next((mood for mood in self.priority if mood in covering), "asserted")

    def asserts(self, position: int) -> bool:
        """Whether a cue at `position` is asserted (outside negated and hypothetical scopes)."""
        return self.mood_at(position) not in UNASSERTED

    def dates_freely(self, position: int) -> bool:
        """Whether a date at `position` is free of what a trigger before it governs ("aim to
        produce a ceasefire by April"); a modal after it ("began on Monday and could last")
        speaks of its subject, not of the date."""
        return not any(
            s.forward and s.mood in UNASSERTED and s.start <= position < s.end for s in self.items
        )


def _compile_marks(entry: dict[str, str]) -> re.Pattern[str]:
    words = word_regex(entry["words"]).pattern
    return re.compile(f"{words}|{entry['marks']}", re.IGNORECASE)


def _cues(moods: dict[str, Any], default_window: int) -> tuple[ScopeCue, ...]:
    return tuple(
        ScopeCue(
            mood=cast(Mood, mood),
            direction=direction,
            regex=word_regex(entry["pattern"]),
            window=int(entry.get("window", default_window)),
            examples=tuple(entry.get("examples", ())),
        )
        for mood, table in moods.items()
        for direction in _DIRECTIONS
        for entry in table.get(direction, [])
    )


@lru_cache
def load_modality() -> ModalityLexicon:
    """Read and compile data/modality.yaml (once per process)."""
    data = load_data("modality.yaml")
    moods: dict[str, Any] = data["moods"]
    pseudo = data["pseudo"]
    return ModalityLexicon(
        cues=_cues(moods, int(data["window"])),
        priority=tuple(cast(Mood, mood) for mood in data["priority"]),
        whole_sentence=frozenset(
            cast(Mood, m) for m, t in moods.items() if t.get("whole_sentence")
        ),
        pseudo=word_regex("|".join(entry["pattern"] for entry in pseudo)),
        ends=_compile_marks(data["terminations"]["both"]),
        ends_backward=_compile_marks(data["terminations"]["backward"]),
        denies_previous=word_regex(data["denies_previous"]["pattern"]),
        examples={
            "denies_previous": tuple(data["denies_previous"]["examples"]),
            "pseudo": tuple(e for entry in pseudo for e in entry["examples"]),
        },
    )


@dataclass(frozen=True)
class _Sentence:
    """What every scope of one sentence is measured against."""

    text: str
    words: list[int]
    ends: list[tuple[int, int]]
    ends_backward: list[tuple[int, int]]


def find_scopes(sentence: str, lexicon: ModalityLexicon) -> Scopes:
    """Every trigger's scope in `sentence` (pseudo-triggers and their overlaps excluded)."""
    pseudo = [m.span() for m in lexicon.pseudo.finditer(sentence)]
    measured = _Sentence(
        sentence,
        [m.start() for m in _WORD.finditer(sentence)],
        [m.span() for m in lexicon.ends.finditer(sentence)],
        [m.span() for m in lexicon.ends_backward.finditer(sentence)],
    )
    scopes: list[Scope] = []
    for cue in lexicon.cues:
        for match in cue.regex.finditer(sentence):
            if any(a < match.end() and match.start() < b for a, b in pseudo):
                continue
            if cue.mood in lexicon.whole_sentence:
                scopes.append(Scope(cue.mood, 0, len(sentence)))
                continue
            if cue.direction != "after":
                end = _forward_end(measured, match.end(), cue.window)
                scopes.append(Scope(cue.mood, match.end(), end))
            if cue.direction != "before":
                start = _backward_start(measured, match.start(), cue.window)
                scopes.append(Scope(cue.mood, start, match.start(), forward=False))
    return Scopes(tuple(scopes), lexicon.priority)


def _forward_end(sentence: _Sentence, position: int, window: int) -> int:
    """Where a scope opened at `position` ends: `window` words on, at a termination, or at
    the comma that closes the relative clause it opened in ("the truce, which might be
    extended, took effect")."""
    index = bisect_left(sentence.words, position) + window
    end = sentence.words[index] if index < len(sentence.words) else len(sentence.text)
    stops = [a for a, _ in sentence.ends if position <= a < end]
    if _RELATIVE.search(sentence.text, 0, position):
        closing = sentence.text.find(",", position, end)
        stops += [closing] if closing != -1 else []
    return min(stops, default=end)


def _backward_start(sentence: _Sentence, position: int, window: int) -> int:
    """Where a scope running back from `position` starts: `window` words back, or after a
    termination (relative pronouns and commas included)."""
    index = max(bisect_right(sentence.words, position) - 1 - window, 0)
    start = sentence.words[index] if sentence.words else 0
    stops = [b for _, b in sentence.ends + sentence.ends_backward if start < b <= position]
    return max(stops, default=start)
