"""Read one sentence into draft records: its asserted kinds, their status, roles, date, count.

A kind's trigger makes a draft only when the sentence asserts it (`modality`): negated and
hypothetical mentions make none, promised or called-for ones are `proposed`, a denied claim is
kept only with its claimant. In a sentence about talks, another kind needs a development of its
own ("talks on a ceasefire" is an agenda); a ceasefire or deal the talks produced takes the
status cue, and the talks are then only its context.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from app.extraction.contract import RecordKind, RecordStatus, TalksFormat
from app.extraction.rules.calendar import Reference, latest_day
from app.extraction.rules.cues import (
    Count,
    CuedStatus,
    Trigger,
    cued_status,
    find_count,
    find_format,
    find_programme,
    find_round,
    held_cue,
    is_background,
)
from app.extraction.rules.dates import Dates, Phrase, dates_for, round_start
from app.extraction.rules.entities import Mention
from app.extraction.rules.lexicon import Lexicon
from app.extraction.rules.modality import UNASSERTED, Mood, Scopes
from app.extraction.rules.roles import Roles, find_claimant, location_near
from app.extraction.rules.sentences import Sentence

_AGENDA_STATUSES = frozenset({"proposed", "ongoing", "scheduled"})
_PEOPLE_KINDS = frozenset({"surrender", "prisoner_exchange"})
_FUTURE = frozenset({"proposed", "scheduled"})
_INFINITIVE = re.compile(
    r"\b(?:to|will|would|shall)\s+(?!(?:the|a|an|its|their|his|her|both|all|each)\b)[a-z]+"
)
# Statuses that belong to what a mediation produced, not to the mediation.
_OUTCOMES = frozenset({"agreed", "completed", "extended", "violated", "ended"})
# A preposition that makes talks the setting of another development ("after talks with elders").
_SETTING = re.compile(
    r"\b(?:after|following|at|during|in|through|via)\s+(?:[\w’'-]+\s+){0,4}$", re.IGNORECASE
)
# Statuses of what became of an agreement: its date is not theirs ("a breach of the ceasefire
# agreed in March").
_SINCE_AGREED = frozenset({"violated", "collapsed", "ended", "ongoing", "stalled"})
_NAMED_OUTCOME = re.compile(
    r"(?:’s|'s|’|')\s+(?:collapse|failure|breakdown|suspension|resumption|extension|expiry"
    r"|violation|signing|success)\b",
    re.IGNORECASE,
)
# Times that are over by the day of publication, whatever precision they are coded at.
_PAST_TIME = re.compile(
    r"\b(?:yesterday|last (?:week|weekend|month|year)|(?:over|at) the weekend|earlier this"
    r" (?:week|month|year))\b",
    re.IGNORECASE,
)
_ANAPHOR = re.compile(r"\b(?:the|this|that|these|those|its|their)\s+$", re.IGNORECASE)
_HEDGE = re.compile(
    r"\b(?:reportedly|allegedly|unconfirmed|purportedly|apparently|rumou?red"
    r"|sources? (?:said|say|told)|could not be (?:independently )?verified)\b",
    re.IGNORECASE,
)


@dataclass
class Draft:
    """One kind mentioned in one sentence, with everything the sentence says about it."""

    kind: RecordKind
    status: RecordStatus
    sentence: Sentence
    roles: Roles
    dates: Dates
    background: bool
    count: Count | None
    round: int | None
    format: TalksFormat | None
    programme: str | None
    location: Mention | None = None
    attributed_to: str | None = None
    # Who the sentence says made the claim, should a later sentence deny it.
    claimant: str | None = None
    # What lowers confidence: default_status, proposed, denied, quoted, hedged, weak.
    signals: set[str] = field(default_factory=set)
    # In the article's opening sentences, where the news is.
    lead: bool = False
    # The country of the digest section the sentence stands in ("NIGERIA: PACT RENEWED.").
    section: str | None = None
    # Names again a development reported before ("the negotiations"), adding nothing but
    # third parties or a quote: kept only by merging into that record.
    reference: bool = False
    # Where the sentence turns to another development of the kind ("two days after a
    # separate truce between the government and the STC"): who it names from there is its.
    others_from: int | None = None


@dataclass(frozen=True)
class Read:
    """A sentence's analyses, computed once and shared by its drafts."""

    sentence: Sentence
    mentions: list[Mention]
    roles: Roles
    scopes: Scopes
    phrases: list[Phrase]
    published: date | None
    reference: Reference
    # The place a wire dateline names, where the lead's news happened unless it says otherwise.
    dateline: Mention | None = None


def draft_sentence(
    read: Read, triggers: list[Trigger], lexicon: Lexicon, last_round: int | None
) -> list[Draft]:
    """The drafts of one sentence, in the order of their triggers."""
    live = _asserted(read, triggers)
    talks = any(t.kind == "negotiation" for t, _ in live)
    cues: list[tuple[Draft, CuedStatus | None]] = []
    for trigger, mood in live:
        cued = cued_status(read.sentence.text, trigger, lexicon, read.scopes.asserts)
        if trigger.weak and cued is not None and cued.status in _OUTCOMES:
            cued = None  # "the deal, mediated by Qatar, was signed": the outcome is the deal's
        if trigger.weak and cued is None and mood != "proposed":
            continue
        if talks and trigger.kind != "negotiation" and _agenda(cued, mood):
            continue
        draft = _draft(read, trigger, mood, cued, lexicon, last_round)
        draft.others_from = _another_development(read.sentence.text, trigger, triggers)
        named = _NAMED_OUTCOME.match(read.sentence.text, trigger.end) is not None
        draft.reference = (cued is None or cued.aside or named) and _back_reference(read, trigger)
        cues.append((draft, cued))
    return _without_context_talks(read.sentence.text, cues, live)


_ANOTHER = re.compile(
    r"\b(?:separate|another|earlier|previous|prior|older|last\s+year['’]s)\s+(?:[\w-]+\s+){0,3}$",
    re.IGNORECASE,
)


def _another_development(text: str, trigger: Trigger, triggers: list[Trigger]) -> int | None:
    """Where a later trigger of the same kind names another development ("a separate truce"),
    if one does."""
    for other in triggers:
        later = other.kind == trigger.kind and other.start > trigger.end
        if later and _ANOTHER.search(text, max(0, other.start - 40), other.start):
            return other.start
    return None


def _asserted(read: Read, triggers: list[Trigger]) -> list[tuple[Trigger, Mood]]:
    """The first asserted trigger of each kind with its mood; weak ones only when alone."""
    live: list[tuple[Trigger, Mood]] = []
    for trigger in triggers:
        mood = read.scopes.mood_at(trigger.start)
        if mood == "denied" and _claimant(read) is None:
            mood = "negated"  # denied, and nobody else claimed it
        if mood not in UNASSERTED:
            live.append((trigger, mood))
    if any(not t.weak for t, _ in live):
        live = [(t, m) for t, m in live if not t.weak]
    seen: dict[str, tuple[Trigger, Mood]] = {}
    for trigger, mood in live:
        seen.setdefault(trigger.kind, (trigger, mood))
    return list(seen.values())


def _back_reference(read: Read, trigger: Trigger) -> bool:
    """ "Oman, which hosted the negotiations, praised both sides": a development named again,
    with no side, date or status of its own; or what became of it, named as a thing ("he blamed
    the talks' collapse on ...")."""
    if not _ANAPHOR.search(read.sentence.text, 0, trigger.start):
        return False
    if _NAMED_OUTCOME.match(read.sentence.text, trigger.end):
        return True
    own_sides = any(m.country for m in read.roles.parties)
    return not own_sides and not any(p.role == "event" for p in read.phrases)


def _agenda(cued: CuedStatus | None, mood: Mood) -> bool:
    return cued is None or cued.status in _AGENDA_STATUSES or mood == "proposed"


def _without_context_talks(
    text: str, cues: list[tuple[Draft, CuedStatus | None]], live: list[tuple[Trigger, Mood]]
) -> list[Draft]:
    """Talks that only frame another development are its context: they share its status cue
    ("agreed a truce at talks") or are introduced as its setting ("after talks with elders")."""
    others = [c for d, c in cues if d.kind != "negotiation"]
    talks = next((t for t, _ in live if t.kind == "negotiation"), None)
    if not others or talks is None:
        return [d for d, _ in cues]
    taken = {c.start for c in others if c is not None}
    setting = _SETTING.search(text, 0, talks.start) is not None
    return [
        d
        for d, c in cues
        if d.kind != "negotiation" or not (setting or (c is not None and c.start in taken))
    ]


def _claimant(read: Read) -> str | None:
    return find_claimant(read.sentence.text, read.roles, read.mentions)


def _draft(
    read: Read,
    trigger: Trigger,
    mood: Mood,
    cued: CuedStatus | None,
    lexicon: Lexicon,
    last_round: int | None,
) -> Draft:
    text = read.sentence.text
    held = cued is None and mood != "proposed" and held_cue(text, trigger, lexicon)
    status = lexicon.status_defaults[trigger.kind] if cued is None else cued.status
    status = RecordStatus.PROPOSED if mood == "proposed" else status
    dates = _dates(read, trigger, status)
    status = _held_status(dates, read.published, text) if held else status
    people = trigger.kind in _PEOPLE_KINDS
    draft = Draft(
        trigger.kind,
        status,
        read.sentence,
        read.roles,
        dates,
        is_background(text, lexicon) or _stale(dates.date, read.published, lexicon),
        find_count(text, lexicon, trigger) if people else None,
        None if people else find_round(text, lexicon, last_round),
        find_format(text, lexicon) if trigger.kind == "negotiation" else None,
        find_programme(text, lexicon) if people else None,
        _where(read, trigger, status, lexicon),
        claimant=_claimant(read),
    )
    draft.attributed_to = draft.claimant if mood == "denied" else None
    draft.signals = _signals(read, trigger, mood, cued is not None or held)
    return draft


def _where(read: Read, trigger: Trigger, status: RecordStatus, lexicon: Lexicon) -> Mention | None:
    near = (read.sentence.text, read.roles, trigger.start, trigger.end)
    others = lexicon.kind_triggers[trigger.kind]
    return location_near(*near, future=status in _FUTURE, developments=others) or read.dateline


def _dates(read: Read, trigger: Trigger, status: RecordStatus) -> Dates:
    """The development's dates: forward when it is still to come, never those of the agreement
    it follows, a talks round from its first day."""
    future = status == "scheduled" or (status == "proposed" and _infinitive_first(read, trigger))
    span = (trigger.start, trigger.end)
    since_agreed = status in _SINCE_AGREED
    # "aim to produce a ceasefire by April": a date an aim or a negation governs is not theirs.
    phrases = [
        p for p in read.phrases if p.role != "event" or read.scopes.dates_freely(p.match.start())
    ]
    dates = dates_for(phrases, span, read.reference, future, since_agreed)
    if trigger.kind in ("negotiation", "prisoner_exchange"):
        dates = round_start(read.sentence.text, dates)
    return _for_status(dates, status, read.published)


def _signals(read: Read, trigger: Trigger, mood: Mood, cued: bool) -> set[str]:
    text = read.sentence.text
    signals = {
        name
        for name, on in (
            ("default_status", not cued and mood == "asserted"),
            ("proposed", mood == "proposed"),
            ("denied", mood == "denied"),
            ("weak", trigger.weak),
            ("hedged", _HEDGE.search(text) is not None),
            ("quoted", _quoted(text, trigger.start)),
        )
        if on
    }
    return signals


def _quoted(text: str, position: int) -> bool:
    before = text[:position]
    return before.count("“") > before.count("”") or before.count('"') % 2 == 1


def _infinitive_first(read: Read, trigger: Trigger) -> bool:
    """A proposal dated after "to <verb>" is dated when it would happen ("promised to free
    them on Friday"); one dated before it, when it was made ("proposed on Monday to ...")."""
    events = [p for p in read.phrases if p.role == "event"]
    if not events:
        return True
    first = min(events, key=lambda p: abs(p.match.start() - trigger.start)).match.start()
    return _INFINITIVE.search(read.sentence.text, 0, first) is not None


def _held_status(dates: Dates, published: date | None, sentence: str) -> RecordStatus:
    """Talks held before the day of publication ("last week", "over the weekend" included)
    are completed; on that day, ongoing."""
    if _PAST_TIME.search(sentence):
        return RecordStatus.COMPLETED
    if dates.date is not None and published is not None and latest_day(dates.date) < published:
        return RecordStatus.COMPLETED
    return RecordStatus.ONGOING


def _for_status(dates: Dates, status: RecordStatus, published: date | None) -> Dates:
    """A development still to come cannot be dated in the past: such a date is context."""
    if status not in _FUTURE or dates.date is None or published is None:
        return dates
    if latest_day(dates.date) < published - timedelta(days=3):
        return Dates(None, dates.end_date)
    return dates


def _stale(value: str | None, published: date | None, lexicon: Lexicon) -> bool:
    """A development dated well before publication is context, not the news."""
    if value is None or published is None:
        return False
    return latest_day(value) < published - timedelta(days=lexicon.stale_days)
