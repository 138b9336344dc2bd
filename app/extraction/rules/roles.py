"""Sort a sentence's mentions into parties, third parties and the place."""

import re
from dataclasses import dataclass, field

from app.extraction.contract import ThirdPartyRole
from app.extraction.rules.entities import Mention
from app.extraction.rules.lexicon import Lexicon, role_of

# What may stand between a place preposition and the place ("in the capital, Luanda").
_PLACE_BEFORE = re.compile(
    r"(?:\b(?:in|at|near|inside|outside)\s+(?:the\s+)?(?:(?:its|their|the)\s+)?"
    r"(?:(?:capital|city|town|region|province|state|resort)(?:\s+of)?,?\s+)?"
    r"(?:(?:northern|southern|eastern|western|central|north|south|east|west)\s+)?"
    r"|\b(?:capital|city),\s+)$",
    re.IGNORECASE,
)
_LIST_GAP = re.compile(r"\s*(?:,|,?\s+and|,?\s+as well as|&)\s+(?:the\s+)?", re.IGNORECASE)
_PASSIVE = re.compile(r"\s+by\b", re.IGNORECASE)
_LEAD_GAP = re.compile(r"\s*(?:the\s+|both\s+)?", re.IGNORECASE)


@dataclass
class Roles:
    """Who does what in one sentence."""

    parties: list[Mention] = field(default_factory=list)
    third_parties: list[tuple[Mention, ThirdPartyRole]] = field(default_factory=list)
    location: Mention | None = None


def assign_roles(sentence: str, mentions: list[Mention], lexicon: Lexicon) -> Roles:
    """Third parties from role cues, the place from prepositions, the rest are parties."""
    roles = Roles()
    taken: set[int] = set()
    for mention, role in _third_parties(sentence, mentions, lexicon):
        if id(mention) not in taken:
            taken.add(id(mention))
            roles.third_parties.append((mention, role))
    for mention in mentions:
        if id(mention) in taken:
            continue
        if _is_place(sentence, mention):
            if roles.location is None:
                roles.location = mention
        else:
            roles.parties.append(mention)
    return roles


def _is_place(sentence: str, mention: Mention) -> bool:
    """Cities and regions are places; countries and capitals are places after "in", "at"."""
    if mention.place and not mention.capital:
        return True
    if mention.kind not in ("state",):
        return False
    return _PLACE_BEFORE.search(sentence[: mention.start]) is not None


def _third_parties(
    sentence: str, mentions: list[Mention], lexicon: Lexicon
) -> list[tuple[Mention, ThirdPartyRole]]:
    found: list[tuple[Mention, ThirdPartyRole]] = []
    for cue in lexicon.roles_after:
        for match in cue.regex.finditer(sentence):
            found += [(m, role_of(cue.label)) for m in _list_after(sentence, mentions, match.end())]
    for cue in lexicon.roles_before:
        for match in cue.regex.finditer(sentence):
            if _PASSIVE.match(sentence, match.end()):
                continue  # "mediated by X": the actor follows, an `after` cue takes it
            chosen = _list_before(sentence, mentions, match.start(), _reach(match, lexicon))
            found += [(m, role_of(cue.label)) for m in chosen]
    return found


def _reach(match: re.Match[str], lexicon: Lexicon) -> int:
    """Verbs may sit a clause away from their subject; suffixes and "as ..." phrases may not."""
    text = match.group()
    tight = text.startswith(("-", "’", "'")) or " as " in f" {text}"
    return 2 if tight else lexicon.verb_reach


def _list_after(sentence: str, mentions: list[Mention], position: int) -> list[Mention]:
    chosen: list[Mention] = []
    gap = _LEAD_GAP
    for mention in (m for m in mentions if m.start >= position):
        if not gap.fullmatch(sentence[position : mention.start]):
            break
        chosen.append(mention)
        position, gap = mention.end, _LIST_GAP
    return chosen


def _list_before(
    sentence: str, mentions: list[Mention], position: int, reach: int
) -> list[Mention]:
    before = [m for m in mentions if m.end <= position]
    if not before:
        return []
    last = before[-1]
    gap = sentence[last.end : position]
    if len(gap) > reach or any(mark in gap for mark in '.;:“”"'):
        return []
    chosen = [last]
    for mention in reversed(before[:-1]):
        if not _LIST_GAP.fullmatch(sentence[mention.end : chosen[-1].start]):
            break
        chosen.append(mention)
    return chosen
