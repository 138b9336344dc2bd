"""Second pass: turn an article's drafts into records, merging mentions of the same development."""

from collections import Counter
from dataclasses import dataclass, field
from typing import TypeVar

from app.extraction.contract import Actor, ExtractedRecord, Place, ThirdParty, ThirdPartyRole
from app.extraction.rules.entities import Mention
from app.extraction.rules.reading import Draft

_MAX_EVIDENCE = 3
_A = TypeVar("_A", bound=Actor)


@dataclass
class ArticleContext:
    """What the whole article says about who mediates and whose conflict it is."""

    third_parties: dict[str, tuple[Mention, ThirdPartyRole]] = field(default_factory=dict)
    main_countries: list[str] = field(default_factory=list)


def identity(mention: Mention) -> str:
    """How a mention is told apart: its country, else its name."""
    return mention.country or mention.name


def article_context(drafts: list[Draft], title_mentions: list[Mention]) -> ArticleContext:
    """Third parties named anywhere, and the countries the article's sides mostly belong to."""
    context = ArticleContext()
    for draft in drafts:
        for mention, role in draft.roles.third_parties:
            context.third_parties.setdefault(identity(mention), (mention, role))
    counts: Counter[str] = Counter()
    for mention in title_mentions + [p for d in drafts for p in d.roles.parties]:
        if mention.country and identity(mention) not in context.third_parties:
            counts[mention.country] += 1
    context.main_countries = [country for country, _ in counts.most_common(2)]
    return context


def assemble(drafts: list[Draft], context: ArticleContext) -> list[ExtractedRecord]:
    """Records in reading order; a mention of the same development merges into the first one.

    The same development: same kind and background flag, sides of overlapping countries, and
    no conflicting round number. Its first mention decides the status.
    """
    records: list[ExtractedRecord] = []
    previous: list[Actor] = []
    for draft in drafts:
        parties, mediators = _sides(draft, context, previous)
        previous = parties or previous
        record = _record(draft, parties, mediators)
        same = next((kept for kept in records if _same_development(kept, record)), None)
        if same is None:
            records.append(record)
        else:
            _merge(same, record)
    return records


def _same_development(kept: ExtractedRecord, new: ExtractedRecord) -> bool:
    if (kept.kind, kept.background) != (new.kind, new.background):
        return False
    if None not in (kept.round, new.round) and kept.round != new.round:
        return False
    mine = {p.country for p in kept.parties if p.country}
    theirs = {p.country for p in new.parties if p.country}
    return not mine or not theirs or bool(mine & theirs)


def _sides(
    draft: Draft, context: ArticleContext, previous: list[Actor]
) -> tuple[list[Actor], list[ThirdParty]]:
    """Parties and third parties of a draft, with article-wide roles applied."""
    # A third party must be a state or a known organisation, not "the foreign minister".
    mediators = [
        _third_party(m, role)
        for m, role in draft.roles.third_parties
        if m.country is not None or m.kind == "organization"
    ]
    parties: list[Actor] = []
    for mention in draft.roles.parties:
        known = context.third_parties.get(identity(mention))
        if known is not None:
            mediators.append(_third_party(mention, known[1]))
        elif mention.kind != "organization":
            parties.append(_actor(mention, context))
    if not any(p.country for p in parties):
        parties = previous or [
            Actor(name=c, kind="state", country=c) for c in context.main_countries
        ]
    return _unique(parties), _unique(mediators)


def _actor(mention: Mention, context: ArticleContext) -> Actor:
    main = context.main_countries[0] if context.main_countries else None
    country = mention.country or main
    return Actor(name=mention.name, kind=mention.kind, country=country)


def _third_party(mention: Mention, role: ThirdPartyRole) -> ThirdParty:
    kind = "organization" if mention.country is None else mention.kind
    name = mention.name
    return ThirdParty(name=name, kind=kind, country=mention.country, role=role)


def _unique(actors: list[_A]) -> list[_A]:
    seen: set[str] = set()
    kept: list[_A] = []
    for actor in actors:
        key = actor.country or actor.name
        if key not in seen:
            seen.add(key)
            kept.append(actor)
    return kept


def _record(draft: Draft, parties: list[Actor], mediators: list[ThirdParty]) -> ExtractedRecord:
    location = draft.roles.location
    return ExtractedRecord(
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
        background=draft.background,
        evidence=[draft.sentence.text],
    )


def _summary(draft: Draft, parties: list[Actor]) -> str:
    sides = " and ".join(p.name for p in parties[:3]) or "unnamed sides"
    kind = draft.kind.replace("_", " ")
    return f"{kind.capitalize()} involving {sides}: {draft.status}."[:300]


def _merge(kept: ExtractedRecord, later: ExtractedRecord) -> None:
    """Fill what the first mention left open; add quotes and third parties."""
    kept.parties = _unique(kept.parties + later.parties)
    kept.mediators = _unique(kept.mediators + later.mediators)
    for name in ("location", "date", "end_date", "round", "format", "count", "programme"):
        if getattr(kept, name) is None:
            setattr(kept, name, getattr(later, name))
    if kept.count_qualifier is None and kept.count is not None:
        kept.count_qualifier = later.count_qualifier
    if len(kept.evidence) < _MAX_EVIDENCE and later.evidence[0] not in kept.evidence:
        kept.evidence.append(later.evidence[0])
