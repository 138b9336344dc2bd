"""The rules extractor's lexicons: YAML files under `data/`, compiled once."""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import yaml

from app.extraction.contract import ActorKind, RecordKind, RecordStatus, ThirdPartyRole
from app.extraction.rules.any_trigger import AnyTrigger, word_pattern
from app.normalize.armed_groups import armed_group_entries

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Cue:
    """One compiled pattern with what it signals and the examples that document it."""

    label: str
    regex: re.Pattern[str]
    examples: tuple[str, ...]
    kinds: frozenset[str] | None = None
    # A weak trigger names only the activity around a development ("mediation").
    weak: bool = False
    # How far back a `before` role cue looks for its actor (characters); None: the default.
    reach: int | None = None
    # Statuses a later status cue of this kind overrides; a cue ignored after these words.
    supersedes: frozenset[str] = frozenset()
    not_after: re.Pattern[str] | None = None


@dataclass(frozen=True)
class NamedActor:
    """An armed group or organisation the text may name."""

    name: str
    kind: ActorKind
    country: str | None


@dataclass(frozen=True)
class CountLexicon:
    """What a count of people looks like."""

    regex: re.Pattern[str]
    qualifiers: dict[str, str]
    words: dict[str, int]
    not_after: re.Pattern[str]


@dataclass(frozen=True)
class Voices:
    """Verbs whose subject speaks or comments about a development rather than taking part."""

    speech: re.Pattern[str]
    comment: re.Pattern[str]
    according: re.Pattern[str]
    denial: re.Pattern[str]
    reach: int


@dataclass(frozen=True)
class Lexicon:
    """Every table the rules extractor and the relevance gate read."""

    triggers: tuple[Cue, ...]
    any_trigger: AnyTrigger
    # Each kind's triggers as one pattern ("another truce in the same sentence").
    kind_triggers: dict[str, re.Pattern[str]]
    statuses: tuple[Cue, ...]
    held: Cue
    status_defaults: dict[RecordKind, RecordStatus]
    roles_after: tuple[Cue, ...]
    roles_before: tuple[Cue, ...]
    verb_reach: int
    voices: Voices
    background: tuple[Cue, ...]
    stale_days: int
    named_actors: dict[str, NamedActor]
    named_regex: re.Pattern[str]
    generic: dict[str, ActorKind]
    generic_regex: re.Pattern[str]
    capitals: dict[str, str]
    capital_of: dict[str, str]
    places: dict[str, str]
    place_regex: re.Pattern[str]
    count: CountLexicon
    ordinals: dict[str, int]
    formats: tuple[Cue, ...]
    programme: re.Pattern[str]
    boilerplate: Cue


def load_data(name: str) -> Any:
    """A YAML file of `data/`, parsed."""
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def word_regex(pattern: str) -> re.Pattern[str]:
    """`pattern` as whole words, case-insensitive."""
    return re.compile(word_pattern(pattern), re.IGNORECASE)


def _cue(label: str, entry: dict[str, Any]) -> Cue:
    kinds = entry.get("kinds")
    return Cue(
        label=label,
        regex=word_regex(entry["pattern"]),
        examples=tuple(entry.get("examples", ())),
        kinds=frozenset(kinds) if kinds else None,
        weak=bool(entry.get("weak", False)),
        reach=entry.get("reach"),
        supersedes=frozenset(entry.get("supersedes", ())),
        not_after=re.compile(entry["not_after"], re.IGNORECASE) if "not_after" in entry else None,
    )


def _alternation(names: list[str]) -> str:
    ordered = sorted(set(names), key=len, reverse=True)
    return "|".join(re.escape(name) for name in ordered)


def _triggers(data: dict[str, list[dict[str, Any]]]) -> tuple[Cue, ...]:
    return tuple(_cue(kind, entry) for kind, entries in data.items() for entry in entries)


def _kind_triggers(triggers: tuple[Cue, ...]) -> dict[str, re.Pattern[str]]:
    # Weak triggers ("mediated", "the peace process") name no development of their own.
    strong = [cue for cue in triggers if not cue.weak]
    return {
        kind: word_regex("|".join(c.regex.pattern for c in strong if c.label == kind))
        for kind in sorted({cue.label for cue in strong})
    }


def _named_actors(data: dict[str, Any]) -> dict[str, NamedActor]:
    table: dict[str, NamedActor] = {}
    for entry in [*armed_group_entries(), *data["organisations"], *data["leaders"]]:
        actor = NamedActor(entry["name"], entry["kind"], entry.get("country"))
        for alias in [entry["name"], *entry.get("aliases", [])]:
            table[alias] = actor
    return table


def _generic(data: dict[str, list[str]]) -> dict[str, ActorKind]:
    return {word: cast(ActorKind, kind) for kind, words in data.items() for word in words}


def _count(data: dict[str, Any]) -> CountLexicon:
    qualifiers = {
        phrase: label for label, phrases in data["qualifiers"].items() for phrase in phrases
    }
    words = {str(key): int(value) for key, value in data["words"].items()}
    words |= {
        f"{ten}-{unit}": int(tens) + int(units)
        for ten, tens in data["tens"].items()
        for unit, units in data["units"].items()
    }
    small = _alternation(list(words))
    units = _alternation(list(data["units"]))
    # Counts in words run past the table's: "two hundred and forty-seven".
    hundreds = rf"(?:a|{units})\s+hundred(?:\s+(?:and\s+)?(?:{small}|{units}))?"
    number = rf"\d{{1,3}}(?:,\d{{3}})+|\d+|{hundreds}|{small}"
    # "300 fighters", "more than 1,100 prisoners", or the development's own size: "a 23-person
    # exchange".
    pattern = (
        rf"(?:(?P<qualifier>{_alternation(list(qualifiers))})\s+)?(?P<number>{number})"
        rf"(?:(?:\s+[\w’'-]+){{0,4}}?\s+(?:{_alternation(data['people'])})"
        rf"|-(?:person|people|strong))"
    )
    not_after = re.compile(data["not_after"], re.IGNORECASE)
    return CountLexicon(word_regex(pattern), qualifiers, words, not_after)


def _boilerplate(data: dict[str, Any]) -> Cue:
    regex = re.compile(data["pattern"], re.IGNORECASE)
    return Cue("boilerplate", regex, tuple(data["examples"]))


def _names(table: dict[str, Any]) -> re.Pattern[str]:
    """The keys of `table` as whole names, case-sensitive, longest first."""
    return re.compile(rf"(?<![\w-])(?:{_alternation(list(table))})(?![\w])")


def _voices(data: dict[str, Any]) -> Voices:
    return Voices(
        speech=word_regex(data["speech"]),
        comment=word_regex(data["comment"]),
        according=word_regex(data["according"]),
        denial=word_regex(data["denial"]),
        reach=int(data["reach"]),
    )


@lru_cache
def load_lexicon() -> Lexicon:
    """Read and compile every data file (once per process)."""
    trigger_data = load_data("triggers.yaml")
    triggers = _triggers(trigger_data)
    status, roles = load_data("status.yaml"), load_data("roles.yaml")
    background, actors = load_data("background.yaml"), load_data("actors.yaml")
    places, details = load_data("places.yaml"), load_data("details.yaml")
    named, generic = _named_actors(actors), _generic(actors["generic"])
    capitals: dict[str, str] = places["capitals"]
    all_places = {**places["cities"], **capitals}
    return Lexicon(
        triggers=triggers,
        any_trigger=AnyTrigger.of(
            e["pattern"] for entries in trigger_data.values() for e in entries
        ),
        kind_triggers=_kind_triggers(triggers),
        statuses=tuple(_cue(entry["status"], entry) for entry in status["cues"]),
        held=_cue("held", status["held"]),
        status_defaults=status["defaults"],
        roles_after=tuple(_cue(entry["role"], entry) for entry in roles["after"]),
        roles_before=tuple(_cue(entry["role"], entry) for entry in roles["before"]),
        verb_reach=int(roles["verb_reach"]),
        voices=_voices(roles["voices"]),
        background=tuple(_cue("background", entry) for entry in background["cues"]),
        stale_days=int(background["stale_days"]),
        named_actors=named,
        named_regex=_names(named),
        generic=generic,
        generic_regex=word_regex(_alternation(list(generic))),
        capitals=capitals,
        capital_of={code: name for name, code in reversed(capitals.items())},
        places=all_places,
        place_regex=_names(all_places),
        count=_count(details["count"]),
        ordinals={str(key): int(value) for key, value in details["ordinals"].items()},
        formats=tuple(_cue(label, {"pattern": p}) for label, p in details["formats"].items()),
        programme=re.compile(details["programme"]),
        boilerplate=_boilerplate(load_data("boilerplate.yaml")),
    )


def role_of(label: str) -> ThirdPartyRole:
    """The third-party role a role cue's label names."""
    return cast(ThirdPartyRole, label)
