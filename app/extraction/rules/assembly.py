"""Second pass: turn an article's drafts into records, merging mentions of the same development,
sharing the third parties the article names, and scoring how sure each record is."""

from dataclasses import dataclass, field
from datetime import date

from app.extraction.contract import Actor, ExtractedRecord, Place, ThirdParty
from app.extraction.rules.confidence import confidence, load_confidence
from app.extraction.rules.drafting import Draft
from app.extraction.rules.reading import Note, Reading
from app.extraction.rules.sides import ArticleContext, draft_sides, third_party, unique

_MAX_EVIDENCE = 3
_ROUND_DAYS = 3
# Statuses one development can be reported with: agreed, in force, carried out. An extension, a
# violation, a collapse, a plan or a proposal is a development of its own.
_ONE_EVENT = frozenset({"agreed", "ongoing", "completed"})
# How much a record's sides are to be doubted, best first.
_PROVENANCE = ("own", "demonym", "borrowed", "none")
_PARTY_SIGNALS = {
    "demonym": "demonym_parties",
    "borrowed": "borrowed_parties",
    "none": "no_parties",
}


@dataclass
class Built:
    """A record being assembled, with what its confidence depends on."""

    record: ExtractedRecord
    signals: set[str]
    provenance: str
    date_source: str | None
    date_inferred: bool
    # 2: a city or capital, 1: a country; a later mention may name the place more precisely.
    place_rank: int
    mentions: int = 1
    notes: list[Note] = field(default_factory=list)


def assemble(reading: Reading, context: ArticleContext) -> list[ExtractedRecord]:
    """Records in reading order, each with its confidence.

    The same development: same kind and background flag, sides of overlapping countries, no
    conflicting round, count or day, and statuses one development can have. Its first mention
    decides the status; a later one may date it or place it better.
    """
    assembly = _Assembly(context)
    for draft in reading.drafts:
        assembly.add(draft)
    built = assembly.built
    _attach_notes(built, reading.notes + assembly.passing, assembly.where)
    _share_third_parties(built)
    table = load_confidence()
    for item in built:
        item.record.confidence = confidence(_signals(item), item.mentions, table)
    return [item.record for item in built]


@dataclass
class _Assembly:
    """The records built so far, and for each draft the record it went into."""

    context: ArticleContext
    built: list[Built] = field(default_factory=list)
    where: list[int | None] = field(default_factory=list)
    passing: list[Note] = field(default_factory=list)
    previous: list[Actor] = field(default_factory=list)

    def add(self, draft: Draft) -> None:
        """Merge a draft into the record of its development, start a new one, or pass."""
        sides = draft_sides(draft, self.context, self.previous)
        last = len(self.built) - 1 if self.built else None
        if self.built and draft.status == "proposed" and sides.provenance in ("borrowed", "none"):
            self.where.append(last)  # a wish with no side of its own, after the news:
            return  # "we want to get the parties back to the table"
        self.previous = sides.parties or self.previous
        new = _build(draft, sides.parties, sides.mediators, sides.provenance)
        same = next((i for i, kept in enumerate(self.built) if _same(kept, new)), None)
        if same is not None:
            _merge(self.built[same], new)
        elif not _in_passing(draft):
            self.built.append(new)
            same = len(self.built) - 1
        else:  # its third parties still belong to what came before
            countries = {p.country for p in sides.parties if p.country}
            self.passing.append(Note(draft.roles.third_parties, countries, len(self.where)))
        self.where.append(same if same is not None else last)


def _in_passing(draft: Draft) -> bool:
    """A mention after the opening with no status cue and no date, of nothing reported before
    ("a general ceasefire is the hard part"): not news of its own."""
    uncued = "default_status" in draft.signals and draft.dates.date is None
    return draft.reference or (uncued and not draft.lead)


def _build(
    draft: Draft, parties: list[Actor], mediators: list[ThirdParty], provenance: str
) -> Built:
    location = draft.location
    record = ExtractedRecord(
        kind=draft.kind,
        status=draft.status,
        summary=_summary(draft, parties),
        parties=parties,
        mediators=mediators,
        location=Place(name=location.name, country=location.country) if location else None,
        date=draft.dates.date,
        end_date=draft.dates.end_date,
        round=draft.round,
        format=draft.format,
        count=draft.count.value if draft.count else None,
        count_qualifier=draft.count.qualifier if draft.count else None,
        programme=draft.programme,
        attributed_to=draft.attributed_to,
        background=draft.background,
        evidence=[draft.sentence.text],
    )
    rank = 0 if location is None else 2 if location.place else 1
    dates = draft.dates
    return Built(record, set(draft.signals), provenance, dates.source, dates.inferred, rank)


def _summary(draft: Draft, parties: list[Actor]) -> str:
    sides = " and ".join(p.name for p in parties[:3]) or "unnamed sides"
    kind = draft.kind.replace("_", " ")
    return f"{kind.capitalize()} involving {sides}: {draft.status}."[:300]


def _same(first: Built, second: Built) -> bool:
    kept, new = first.record, second.record
    if (kept.kind, kept.background) != (new.kind, new.background):
        return False
    for name in ("round", "count"):
        mine, theirs = getattr(kept, name), getattr(new, name)
        if None not in (mine, theirs) and mine != theirs:
            return False
    if not _compatible(first, second):
        return False
    if _other_day(first, second) and kept.status == new.status:
        return False
    mine = {p.country for p in kept.parties if p.country}
    theirs = {p.country for p in new.parties if p.country}
    return not mine or not theirs or bool(mine & theirs)


def _compatible(first: Built, second: Built) -> bool:
    """Statuses one development can have: the same, two of agreed/in force/carried out, or any
    when one mention has no status cue of its own."""
    statuses = {first.record.status, second.record.status}
    uncued = "default_status" in first.signals | second.signals
    # A deal agreed now to take effect later is one development; a talks round and the next
    # one planned are two.
    planned = statuses == {"agreed", "scheduled"} and first.record.kind != "negotiation"
    return len(statuses) == 1 or statuses <= _ONE_EVENT or uncued or planned


def _other_day(first: Built, second: Built) -> bool:
    """Whether both happened on days the text states, and not the same one (a talks round
    runs for days: its reports may date it by any of the first few)."""
    days = [
        date.fromisoformat(b.record.date)
        for b in (first, second)
        if b.record.date
        and len(b.record.date) == 10
        and b.date_source == "event"
        and "default_status" not in b.signals
    ]
    if len(days) < 2:
        return False
    apart = abs((days[0] - days[1]).days)
    return apart > (_ROUND_DAYS if first.record.kind == "negotiation" else 0)


def _merge(kept: Built, later: Built) -> None:
    """Fill what the first mention left open, date by an event rather than a statement, name
    the place more precisely; add quotes and third parties."""
    record, other = kept.record, later.record
    record.parties = unique(record.parties + other.parties)
    record.mediators = unique(record.mediators + other.mediators)
    _merge_date(kept, later)
    if later.place_rank > kept.place_rank:
        record.location, kept.place_rank = other.location, later.place_rank
    for name in ("end_date", "round", "format", "count", "programme", "attributed_to"):
        if getattr(record, name) is None:
            setattr(record, name, getattr(other, name))
    if record.count_qualifier is None and record.count is not None:
        record.count_qualifier = other.count_qualifier
    if _PROVENANCE.index(later.provenance) < _PROVENANCE.index(kept.provenance):
        kept.provenance = later.provenance
    kept.mentions += 1
    if len(record.evidence) < _MAX_EVIDENCE and other.evidence[0] not in record.evidence:
        record.evidence.append(other.evidence[0])


def _merge_date(kept: Built, later: Built) -> None:
    """A later mention dates the development when the first did not, more precisely ("next
    month", then "August 14"), or by the event rather than by a statement about it."""
    record, other = kept.record, later.record
    if other.date is None:
        return
    finer = record.date is not None and other.date.startswith(record.date)
    by_event = (kept.date_source, later.date_source) == ("statement", "event")
    if record.date is None or finer or by_event:
        record.date, record.end_date = other.date, other.end_date or record.end_date
        kept.date_source, kept.date_inferred = later.date_source, later.date_inferred


def _attach_notes(built: list[Built], notes: list[Note], where: list[int | None]) -> None:
    """A note's third parties go to the record before it, or the latest of its countries."""
    for note in notes:
        candidates = [built[i] for i in where[: note.after] if i is not None]
        if not candidates:
            continue
        target = next(
            (b for b in reversed(candidates) if note.countries & _countries(b.record)),
            candidates[-1],
        )
        if note.countries and not note.countries & _countries(target.record):
            continue
        mediators = [
            third_party(m, role)
            for m, role in note.third_parties
            if m.country or m.kind == "organization"
        ]
        target.record.mediators = unique(target.record.mediators + mediators)


def _share_third_parties(built: list[Built]) -> None:
    """The third parties of a conflict the article names go to each current record of it."""
    for item in built:
        if item.record.background:
            continue
        mine = _countries(item.record)
        shared = [
            mediator
            for other in built
            if other is not item and mine & _countries(other.record)
            for mediator in other.record.mediators
            if mediator.country not in mine
        ]
        item.record.mediators = unique(item.record.mediators + shared)


def _countries(record: ExtractedRecord) -> set[str]:
    return {p.country for p in record.parties if p.country}


def _signals(item: Built) -> set[str]:
    signals = set(item.signals)
    if item.provenance in _PARTY_SIGNALS:
        signals.add(_PARTY_SIGNALS[item.provenance])
    if item.date_source == "statement":
        signals.add("statement_date")
    if item.record.date is not None and item.date_inferred:
        signals.add("inferred_date")
    undated = item.record.date is None and item.record.status not in ("proposed", "scheduled")
    if undated and not item.record.background:
        signals.add("undated")
    if item.record.background:
        signals.add("background")
    return signals
