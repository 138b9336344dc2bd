"""First pass: read each sentence that has a trigger into draft records."""

from dataclasses import dataclass
from datetime import date, timedelta

from app.extraction.contract import RecordKind, RecordStatus, TalksFormat
from app.extraction.rules.cues import (
    Count,
    Trigger,
    cued_status,
    find_count,
    find_format,
    find_programme,
    find_round,
    find_triggers,
    is_background,
)
from app.extraction.rules.dates import Dates, sentence_dates
from app.extraction.rules.entities import find_mentions
from app.extraction.rules.lexicon import Lexicon
from app.extraction.rules.roles import Roles, assign_roles
from app.extraction.rules.sentences import Sentence, split_sentences

# Kinds other than negotiation in a talks sentence are usually its agenda ("talks aimed at a
# cessation of hostilities"); they become records only with a cue of a development of their own.
_AGENDA_STATUSES = frozenset({"proposed", "ongoing", "scheduled"})
_PEOPLE_KINDS = frozenset({"surrender", "prisoner_exchange"})
_FUTURE = frozenset({"proposed", "scheduled"})


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


def read_drafts(text: str, published: date | None, lexicon: Lexicon) -> list[Draft]:
    """Drafts for every trigger sentence of `text`, in reading order."""
    drafts: list[Draft] = []
    last_round: int | None = None
    for sentence in split_sentences(text):
        triggers = find_triggers(sentence.text, lexicon)
        if not triggers:
            continue
        new = _read_sentence(sentence, triggers, published, lexicon, last_round)
        # "next round" counts from the last round held, not from one merely planned.
        held = (d.round for d in new if d.round is not None and d.status not in _FUTURE)
        last_round = next(held, last_round)
        drafts += new
    return drafts


def _read_sentence(
    sentence: Sentence,
    triggers: list[Trigger],
    published: date | None,
    lexicon: Lexicon,
    last_round: int | None,
) -> list[Draft]:
    text = sentence.text
    roles = assign_roles(text, find_mentions(text, lexicon), lexicon)
    sentence_date = sentence_dates(text, published)
    cued_background = is_background(text, lexicon)
    talks = any(t.kind == "negotiation" for t in triggers)
    drafts: list[Draft] = []
    for trigger in _first_per_kind(triggers):
        cued = cued_status(text, trigger, lexicon)
        if talks and trigger.kind != "negotiation" and (cued is None or cued in _AGENDA_STATUSES):
            continue
        status = cued or lexicon.status_defaults[trigger.kind]
        people = trigger.kind in _PEOPLE_KINDS
        dates = _for_status(sentence_date, status, published)
        background = cued_background or _stale(dates.date, published, lexicon)
        drafts.append(
            Draft(
                kind=trigger.kind,
                status=status,
                sentence=sentence,
                roles=roles,
                dates=dates,
                background=background,
                count=find_count(text, lexicon) if people else None,
                round=find_round(text, lexicon, last_round) if not people else None,
                format=find_format(text, lexicon) if trigger.kind == "negotiation" else None,
                programme=find_programme(text, lexicon) if people else None,
            )
        )
    return drafts


def _first_per_kind(triggers: list[Trigger]) -> list[Trigger]:
    seen: dict[str, Trigger] = {}
    for trigger in triggers:
        seen.setdefault(trigger.kind, trigger)
    return list(seen.values())


def _for_status(dates: Dates, status: RecordStatus, published: date | None) -> Dates:
    """A development still to come cannot be dated in the past: such a date is context."""
    if status not in _FUTURE or dates.date is None or published is None:
        return dates
    if _latest_day(dates.date) < published - timedelta(days=3):
        return Dates(None, dates.end_date)
    return dates


def _latest_day(value: str) -> date:
    """The last day a partial ISO date can mean (a month ends on the 28th, to stay valid)."""
    parts = [int(part) for part in value.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 12, parts[2] if len(parts) > 2 else 28)


def _stale(value: str | None, published: date | None, lexicon: Lexicon) -> bool:
    """A development dated well before publication is context, not the news."""
    if value is None or published is None:
        return False
    year, month, day = (int(part) for part in ([*value.split("-"), "12", "28"])[:3])
    latest = date(year, month, day if len(value) == 10 else 28)
    return latest < published - timedelta(days=lexicon.stale_days)
