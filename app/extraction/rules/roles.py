"""Sort a sentence's mentions into parties, third parties, voices and the place.

Third parties come from role cues on either side of them ("hosted by Angola", "Angola hosted",
"under Kazakh mediation"); a voice is an actor who only speaks or comments ("X said", "X
welcomed"), which is not a side unless the sentence needs it as one (data/roles.yaml).
"""

import re
from dataclasses import dataclass, field

from app.extraction.contract import ThirdPartyRole
from app.extraction.rules.entities import Mention
from app.extraction.rules.lexicon import Cue, Lexicon, role_of

# A development's noun right before a verb cue: the verb qualifies it ("a truce brokered in Doha").
_PARTICIPLE_OF = re.compile(
    r"\b(?:truces?|cease-?fires?|deals?|agreements?|accords?|talks|negotiations|exchanges?"
    r"|swaps?|rounds?|pacts?|meetings?)\s+$",
    re.IGNORECASE,
)
# What sets a development named in passing apart from the one reported ("months after a truce
# brokered in Doha broke down").
_ANOTHER = re.compile(
    r"\b(?:after|before|since|than|replacing|replaced|replaces|unlike|following|instead of"
    r"|previous|earlier|former|old)\b[^,;]{0,25}$",
    re.IGNORECASE,
)
# What introduces the venue of a meeting still to come.
_NEXT_VENUE = re.compile(
    r"(?:\b(?:to|will|would|shall) (?:meet|reconvene|resume|gather)(?: again)?"
    r"|\bnext (?:round|session|meeting)(?: of (?:talks|negotiations))?"
    r"(?: (?:will|would) (?:be held|take place))?) (?:in|at) (?:the )?$",
    re.IGNORECASE,
)
# What may stand between a place preposition and the place ("in the capital, Luanda").
_PLACE_BEFORE = re.compile(
    r"(?:\b(?:in|at|near|inside|outside)\s+(?:the\s+)?(?:(?:its|their|the)\s+)?"
    r"(?:(?:capital|city|town|region|province|state|resort)(?:\s+of)?,?\s+)?"
    r"(?:(?:northern|southern|eastern|western|central|north|south|east|west)\s+)?"
    r"|\b(?:capital|city),\s+)$",
    re.IGNORECASE,
)
# A place that names a deal or a process ("the Doha deal", "the Jeddah process") is neither
# where something happened nor a side.
_NAME_MODIFIER = re.compile(
    r"\s+(?:peace\s+)?(?:deal|agreement|accords?|process|format|track|declaration|framework"
    r"|plan|initiative|model|roadmap)\b",
    re.IGNORECASE,
)
_ITS_CAPITAL = re.compile(r"\b(?:in|at) (?:its|their|the \w+) capital\b(?!,)", re.IGNORECASE)
_LIST_GAP = re.compile(r"\s*(?:,|,?\s+and|,?\s+as well as|&)\s+(?:the\s+)?", re.IGNORECASE)
_PASSIVE = re.compile(r"\s+by\b", re.IGNORECASE)
_LEAD_GAP = re.compile(r"\s*(?:the\s+|both\s+)?", re.IGNORECASE)
_AND = re.compile(r"\band\b|as well as|&", re.IGNORECASE)
# "X has been hailed": X is what is commented on, not who comments.
_AUXILIARY = re.compile(r"\b(?:been|was|were|is|are|be|being)\s+$", re.IGNORECASE)
_CLAIM_NOUN = re.compile(r"(?:’s|'s)?\s+(?:claims?|reports?|allegations?|assertions?)\b")


@dataclass
class Roles:
    """Who does what in one sentence."""

    parties: list[Mention] = field(default_factory=list)
    third_parties: list[tuple[Mention, ThirdPartyRole]] = field(default_factory=list)
    # Where developments of the sentence may have taken place, in reading order.
    places: list[Mention] = field(default_factory=list)
    # Actors who only spoke ("said") and so may have made a claim someone denies.
    speakers: list[Mention] = field(default_factory=list)


def assign_roles(sentence: str, mentions: list[Mention], lexicon: Lexicon) -> Roles:
    """Third parties from role cues, the place, voices; the rest are parties."""
    roles = Roles()
    taken: set[int] = set()
    for mention, role in _third_parties(sentence, mentions, lexicon):
        if id(mention) not in taken:
            taken.add(id(mention))
            roles.third_parties.append((mention, role))
    free = [m for m in mentions if id(m) not in taken and not _NAME_MODIFIER.match(sentence, m.end)]
    places = _places(sentence, free)
    roles.places = places + _its_capital(sentence, mentions, lexicon)
    candidates = [m for m in free if m not in places]
    voices = _voices(sentence, candidates, lexicon)
    roles.speakers = voices.speech + voices.according
    spoke = voices.speech + voices.denial
    commented = voices.comment + voices.according
    others = [m for m in candidates if m not in spoke and m not in commented]
    silenced = (commented if len(others) != 1 else []) + (spoke if len(others) >= 2 else [])
    roles.parties = [m for m in candidates if m not in silenced]
    return roles


def find_claimant(sentence: str, roles: Roles, mentions: list[Mention]) -> str | None:
    """Who made the claim a sentence reports: a speaker, or the owner of "claims"/"reports"."""
    if roles.speakers:
        return roles.speakers[0].name
    owner = next((m for m in mentions if _CLAIM_NOUN.match(sentence, m.end)), None)
    return owner.name if owner else None


def _places(sentence: str, mentions: list[Mention]) -> list[Mention]:
    """The mentions that are places, a list after "in" included ("in Washington, Doha and
    Addis Ababa")."""
    places: list[Mention] = []
    for mention in mentions:
        listed = (
            bool(places)
            and mention.kind == "state"
            and _LIST_GAP.fullmatch(sentence[places[-1].end : mention.start]) is not None
        )
        if listed or _is_place(sentence, mention):
            places.append(mention)
    return places


def _is_place(sentence: str, mention: Mention) -> bool:
    """Cities and regions are places; countries and capitals are places after "in", "at"."""
    if mention.place and not mention.capital:
        return True
    if mention.kind != "state":
        return False
    return _PLACE_BEFORE.search(sentence[: mention.start]) is not None


def location_near(
    sentence: str,
    roles: Roles,
    start: int,
    end: int,
    *,
    future: bool = False,
    developments: re.Pattern[str] | None = None,
) -> Mention | None:
    """Where the development at [start, end) took place: a place after "in"/"at" before any
    other, then the one nearest to it ("In Sudan, the sides began talks in Jeddah").

    Not the venue of a next meeting, for a development that happened ("closed the round on
    Friday and agreed to meet again in Mexico City"), nor a place another development of its
    kind named in between holds ("a new ceasefire, three months after a truce brokered in Doha
    broke down": `developments` finds such names). A development of another kind in between
    is its context: "agreed to exchange prisoners after talks in Oman" were agreed in Oman.
    """
    places = [
        p
        for p in roles.places
        if (future or not _NEXT_VENUE.search(sentence[: p.start]))
        and not _held_by_another(sentence, p, start, end, developments)
    ]
    if not places:
        return None

    def rank(place: Mention) -> tuple[bool, int]:
        after_preposition = _PLACE_BEFORE.search(sentence[: place.start]) is not None
        return not after_preposition, max(place.start - end, start - place.end, 0)

    return min(places, key=rank)


def _held_by_another(
    sentence: str, place: Mention, start: int, end: int, developments: re.Pattern[str] | None
) -> bool:
    """Whether a development set apart as another ("after a truce", "replacing a truce")
    stands between this one and the place. The same development named again in apposition
    ("a ceasefire on Monday, the first truce of the war, in Gaza") is not another."""
    if developments is None:
        return False
    lo, hi = (end, place.start) if place.start >= end else (place.end, start)
    return any(
        _ANOTHER.search(sentence, 0, found.start()) is not None
        for found in developments.finditer(sentence, lo, hi)
    )


def _its_capital(sentence: str, mentions: list[Mention], lexicon: Lexicon) -> list[Mention]:
    """ "hosted by Angola in its capital": Luanda."""
    phrase = _ITS_CAPITAL.search(sentence)
    if phrase is None:
        return []
    owner = next((m for m in reversed(mentions) if m.end <= phrase.start() and m.country), None)
    capital = lexicon.capital_of.get(owner.country) if owner and owner.country else None
    if owner is None or capital is None:
        return []
    return [Mention(phrase.start(), phrase.end(), capital, owner.kind, owner.country, True, True)]


@dataclass(frozen=True)
class _Voices:
    speech: list[Mention]
    according: list[Mention]
    comment: list[Mention]
    denial: list[Mention]


def _voices(sentence: str, mentions: list[Mention], lexicon: Lexicon) -> _Voices:
    """Speakers, sources ("according to"), commenters and deniers: the actors right before a
    speech, comment or denial verb in the active voice, and after "according to"."""
    voices = lexicon.voices

    def before(pattern: re.Pattern[str]) -> list[Mention]:
        return [
            mention
            for match in pattern.finditer(sentence)
            if not _AUXILIARY.search(sentence, 0, match.start())
            for mention in _list_before(sentence, mentions, match.start(), voices.reach)
        ]

    speech = before(voices.speech)
    according = [
        m
        for match in voices.according.finditer(sentence)
        for m in _list_after(sentence, mentions, match.end())
        if m not in speech
    ]
    denial = [m for m in before(voices.denial) if m not in speech]
    comment = [m for m in before(voices.comment) if m not in speech and m not in denial]
    return _Voices(speech, according, comment, denial)


def _third_parties(
    sentence: str, mentions: list[Mention], lexicon: Lexicon
) -> list[tuple[Mention, ThirdPartyRole]]:
    found: list[tuple[Mention, ThirdPartyRole]] = []
    for cue in lexicon.roles_after:
        for match in cue.regex.finditer(sentence):
            opening = not sentence[: match.start()].strip()
            listed = _list_after(sentence, mentions, match.end(), third=True, opening=opening)
            found += [(m, role_of(cue.label)) for m in listed]
    for cue in lexicon.roles_before:
        for match in cue.regex.finditer(sentence):
            if _PASSIVE.match(sentence, match.end()):
                continue  # "mediated by X": the actor follows, an `after` cue takes it
            if _PARTICIPLE_OF.search(sentence, 0, match.start()):
                continue  # "a truce brokered in Doha": it qualifies the truce, names no one
            chosen = _list_before(sentence, mentions, match.start(), _reach(cue, match, lexicon))
            found += [(m, role_of(cue.label)) for m in chosen]
    return found


def _reach(cue: Cue, match: re.Match[str], lexicon: Lexicon) -> int:
    """Verbs may sit a clause away from their subject; suffixes and "as ..." phrases may not."""
    if cue.reach is not None:
        return cue.reach
    text = match.group()
    tight = text.startswith(("-", "’", "'")) or " as " in f" {text}"
    return 2 if tight else lexicon.verb_reach


def _list_after(
    sentence: str,
    mentions: list[Mention],
    position: int,
    *,
    third: bool = False,
    opening: bool = False,
) -> list[Mention]:
    """The names listed from `position`: one, or several joined by commas and a final "and".

    A list of third parties stops at a side named with a generic word; one that opens the
    sentence stops at the first comma.
    """
    chosen: list[Mention] = []
    gaps: list[str] = []
    gap = _LEAD_GAP
    for mention in (m for m in mentions if m.start >= position):
        between = sentence[position : mention.start]
        if not gap.fullmatch(between) or (third and mention.generic):
            break
        if chosen and opening and "," in between:
            break
        chosen.append(mention)
        gaps.append(between)
        position, gap = mention.end, _LIST_GAP
    if len(chosen) > 1 and not _AND.search(gaps[-1]):
        return chosen[:1]  # "by the UAE, Kyiv said": a comma alone joins no list
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
