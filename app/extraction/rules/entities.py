"""Find the actors and places a sentence names: countries, demonyms, groups, bodies, cities."""

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from app.extraction.contract import ActorKind
from app.extraction.rules.lexicon import Lexicon
from app.normalize import country_code, country_word

# A run of capitalised words, possibly joined by "of", "the", "and" ("Democratic Republic of the
# Congo"); hyphenated lowercase suffixes ("US-mediated") stay outside the run.
_TOKEN = re.compile(r"[A-Z][\w’'.]*(?:-[A-Z][\w’'.]*)*|(?<=\s)(?:of|the|and|de|del)(?=\s)")
_CONNECTORS = frozenset({"of", "the", "and", "de", "del"})
_POSSESSIVE = re.compile(r"(?:’s|'s|’|')$")
_MAX_WINDOW = 6
# Between an owner and its generic side only adjectives may stand ("Sudan's paramilitary forces").
_MODIFIER_GAP = re.compile(
    r"(?:’s|'s)?\s+(?:(?!(?:and|or|with|to|by|from|between|of|in|the|a)\s)[a-z-]+\s+){0,2}"
)


@dataclass(frozen=True)
class Mention:
    """A name in a sentence, resolved to an actor kind and a country (ISO3 when known)."""

    start: int
    end: int
    name: str
    kind: ActorKind
    country: str | None
    place: bool = False
    capital: bool = False
    # Named with a generic word ("Sudan's army", "the government").
    generic: bool = False


@lru_cache(maxsize=65_536)
def lookup_country(value: str) -> str | None:
    """ISO3 of a country name, code or demonym, via the normaliser (plural demonyms too)."""
    code = country_code(value)
    if code is None and len(value) > 4 and value.endswith("s"):
        code = country_code(value[:-1])
    return code


def find_mentions(sentence: str, lexicon: Lexicon) -> list[Mention]:
    """Every actor or place named in `sentence`, left to right, without overlaps."""
    named = _named(sentence, lexicon)
    # A place inside a group's name ("the Kachin Independence Army") is not a place.
    found = named + [m for m in _places(sentence, lexicon) if not _overlaps(m, named)]
    found += [m for m in _countries(sentence) if not _overlaps(m, found)]
    found.sort(key=lambda m: m.start)
    return _attach_generics(sentence, found, lexicon)


def _overlaps(mention: Mention, others: list[Mention]) -> bool:
    return any(mention.start < o.end and o.start < mention.end for o in others)


def _named(sentence: str, lexicon: Lexicon) -> list[Mention]:
    mentions = []
    for match in lexicon.named_regex.finditer(sentence):
        actor = lexicon.named_actors[match.group()]
        mentions.append(Mention(match.start(), match.end(), actor.name, actor.kind, actor.country))
    return mentions


def _places(sentence: str, lexicon: Lexicon) -> list[Mention]:
    mentions: list[Mention] = []
    for match in lexicon.place_regex.finditer(sentence):
        name = match.group()
        candidate = Mention(
            match.start(),
            match.end(),
            name,
            ActorKind.STATE,
            lexicon.places[name],
            place=True,
            capital=name in lexicon.capitals,
        )
        if not _overlaps(candidate, mentions):
            mentions.append(candidate)
    return mentions


def _countries(sentence: str) -> list[Mention]:
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(sentence)]
    mentions: list[Mention] = []
    shouted = _shouted(sentence)
    index = 0
    while index < len(tokens):
        hit = _longest_country(sentence, tokens, index, shouted)
        if hit is None:
            index += 1
            continue
        mention, index = hit
        mentions.append(mention)
    return mentions


def _longest_country(
    sentence: str, tokens: list[tuple[int, int, str]], first: int, shouted: bool
) -> tuple[Mention, int] | None:
    """The longest window of adjacent tokens from `first` that names a country."""
    if tokens[first][2] in _CONNECTORS:
        return None
    last = min(len(tokens), first + _MAX_WINDOW)
    for stop in range(last, first, -1):
        window = tokens[first:stop]
        if window[-1][2] in _CONNECTORS or not _adjacent(sentence, window):
            continue
        start, end = window[0][0], window[-1][1]
        text = _clean(sentence[start:end])
        code = lookup_country(text) if len(text) > 3 else _short_country(text, shouted)
        if code is not None:
            return Mention(start, start + len(text), text, ActorKind.STATE, code), stop
    return None


def _short_country(text: str, shouted: bool) -> str | None:
    """A country named in three letters or fewer: only in capitals ("US", "DRC"), never "As" or
    "In"; only a curated abbreviation, never a bare ISO code ("AT" is not Austria, "TO" not
    Tonga); and not in a line written in capitals, a digest's "INDIA: ULFA-I AT THE TABLE"."""
    if not text.isupper() or shouted:
        return None
    return country_word(text)


def _shouted(sentence: str) -> bool:
    """Whether the sentence is written in capitals (more than 60% of its letters)."""
    letters = [c for c in sentence if c.isalpha()]
    return len(letters) > 0 and sum(c.isupper() for c in letters) > 0.6 * len(letters)


def _adjacent(sentence: str, window: list[tuple[int, int, str]]) -> bool:
    return all(sentence[a[1] : b[0]] == " " for a, b in itertools.pairwise(window))


def _clean(text: str) -> str:
    text = _POSSESSIVE.sub("", text)
    if text.endswith(".") and not re.search(r"[A-Z]\.[A-Z]\.$", text):
        text = text[:-1]
    return text


# Kinds whose generic words name a side of their own ("Sudan's army"), unlike a group's.
_STATE_KINDS = frozenset({ActorKind.STATE, ActorKind.ARMED_FORCES})


def _attach_generics(sentence: str, mentions: list[Mention], lexicon: Lexicon) -> list[Mention]:
    """Fold "Sudan's army", "Russian soldiers" into one actor; keep bare generic sides too."""
    result = list(mentions)
    for match in lexicon.generic_regex.finditer(sentence):
        if _overlaps(Mention(match.start(), match.end(), "", ActorKind.OTHER, None), result):
            continue
        kind = lexicon.generic[match.group().lower()]
        owner = _owner(sentence, result, match.start())
        if owner is not None and owner.kind not in _STATE_KINDS:
            # "Houthi rebels" are the Houthis: the group keeps its own name and kind.
            grown = Mention(owner.start, match.end(), owner.name, owner.kind, owner.country)
            result[result.index(owner)] = grown
        elif owner is not None and not owner.place:
            name = sentence[owner.start : match.end()]
            merged = Mention(owner.start, match.end(), name, kind, owner.country, generic=True)
            result[result.index(owner)] = merged
        else:
            result.append(
                Mention(match.start(), match.end(), match.group(), kind, None, generic=True)
            )
    result.sort(key=lambda m: m.start)
    return result


def _owner(sentence: str, mentions: list[Mention], start: int) -> Mention | None:
    """The country mention right before a generic word ("Sudan’s", "Russian"), if any."""
    for mention in mentions:
        gap = sentence[mention.end : start]
        if _MODIFIER_GAP.fullmatch(gap) and mention.country:
            return mention
    return None
