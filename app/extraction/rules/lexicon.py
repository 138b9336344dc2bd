"""The rules extractor's lexicons: YAML files under `data/`, compiled once."""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import yaml

from app.extraction.contract import ActorKind, RecordKind, RecordStatus, ThirdPartyRole

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Cue:
    """One compiled pattern with what it signals and the examples that document it."""

    label: str
    regex: re.Pattern[str]
    examples: tuple[str, ...]
    kinds: frozenset[str] | None = None


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


@dataclass(frozen=True)
class Lexicon:
    """Every table the rules extractor and the relevance gate read."""

    triggers: tuple[Cue, ...]
    any_trigger: re.Pattern[str]
    statuses: tuple[Cue, ...]
    status_defaults: dict[RecordKind, RecordStatus]
    roles_after: tuple[Cue, ...]
    roles_before: tuple[Cue, ...]
    verb_reach: int
    background: tuple[Cue, ...]
    stale_days: int
    named_actors: dict[str, NamedActor]
    named_regex: re.Pattern[str]
    generic: dict[str, ActorKind]
    generic_regex: re.Pattern[str]
    capitals: dict[str, str]
    places: dict[str, str]
    place_regex: re.Pattern[str]
    count: CountLexicon
    ordinals: dict[str, int]
    formats: tuple[Cue, ...]
    programme: re.Pattern[str]


def _load(name: str) -> Any:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _words(pattern: str) -> re.Pattern[str]:
    # A cue may start at a hyphen or an apostrophe glued to a name ("US-mediated", "Qatar's").
    return re.compile(rf"(?:(?<![\w-])|(?=[-’']))(?:{pattern})(?![\w])", re.IGNORECASE)


def _cue(label: str, entry: dict[str, Any]) -> Cue:
    kinds = entry.get("kinds")
    return Cue(
        label=label,
        regex=_words(entry["pattern"]),
        examples=tuple(entry.get("examples", ())),
        kinds=frozenset(kinds) if kinds else None,
    )


def _alternation(names: list[str]) -> str:
    ordered = sorted(set(names), key=len, reverse=True)
    return "|".join(re.escape(name) for name in ordered)


def _triggers(data: dict[str, list[dict[str, Any]]]) -> tuple[Cue, ...]:
    return tuple(_cue(kind, entry) for kind, entries in data.items() for entry in entries)


def _named_actors(data: dict[str, Any]) -> dict[str, NamedActor]:
    table: dict[str, NamedActor] = {}
    for entry in data["armed_groups"] + data["organisations"]:
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
    number = rf"\d{{1,3}}(?:,\d{{3}})+|\d+|{_alternation(list(words))}"
    pattern = (
        rf"(?:(?P<qualifier>{_alternation(list(qualifiers))})\s+)?(?P<number>{number})"
        rf"(?:\s+[\w’'-]+){{0,3}}?\s+(?:{_alternation(data['people'])})"
    )
    return CountLexicon(_words(pattern), qualifiers, words)


@lru_cache
def load_lexicon() -> Lexicon:
    """Read and compile every data file (once per process)."""
    triggers = _triggers(_load("triggers.yaml"))
    status = _load("status.yaml")
    roles = _load("roles.yaml")
    background = _load("background.yaml")
    actors = _load("actors.yaml")
    places = _load("places.yaml")
    details = _load("details.yaml")
    named = _named_actors(actors)
    generic = _generic(actors["generic"])
    all_places = {**places["cities"], **places["capitals"]}
    return Lexicon(
        triggers=triggers,
        any_trigger=_words("|".join(cue.regex.pattern for cue in triggers)),
        statuses=tuple(_cue(entry["status"], entry) for entry in status["cues"]),
        status_defaults=status["defaults"],
        roles_after=tuple(_cue(entry["role"], entry) for entry in roles["after"]),
        roles_before=tuple(_cue(entry["role"], entry) for entry in roles["before"]),
        verb_reach=int(roles["verb_reach"]),
        background=tuple(_cue("background", entry) for entry in background["cues"]),
        stale_days=int(background["stale_days"]),
        named_actors=named,
        named_regex=re.compile(rf"(?<![\w-])(?:{_alternation(list(named))})(?![\w])"),
        generic=generic,
        generic_regex=_words(_alternation(list(generic))),
        capitals=dict(places["capitals"]),
        places=all_places,
        place_regex=re.compile(rf"(?<![\w-])(?:{_alternation(list(all_places))})(?![\w])"),
        count=_count(details["count"]),
        ordinals={str(key): int(value) for key, value in details["ordinals"].items()},
        formats=tuple(
            _cue(label, {"pattern": pattern}) for label, pattern in details["formats"].items()
        ),
        programme=re.compile(details["programme"]),
    )


def role_of(label: str) -> ThirdPartyRole:
    """The third-party role a role cue's label names."""
    return cast(ThirdPartyRole, label)
