"""Who the sides and the third parties of a draft are, with the article's view applied.

An actor the article names anywhere as a third party is one everywhere ("talks between Angola,
Rwanda and the DRC" after "hosted by Angola"). A draft whose sentence names no side of its own
borrows the sides of the draft before it, else the countries the article is mostly about.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TypeVar

from app.extraction.contract import Actor, ThirdParty, ThirdPartyRole
from app.extraction.rules.drafting import Draft
from app.extraction.rules.entities import Mention
from app.normalize.countries import country_name

_A = TypeVar("_A", bound=Actor)
# How a demonym ends ("Russian", "Sudanese", "Turkish", "Qatari", "Emirati").
_DEMONYM_ENDINGS = ("an", "ese", "ish", "i", "ic", "ch", "ean")


@dataclass
class ArticleContext:
    """What the whole article says about who mediates and whose conflict it is."""

    third_parties: dict[str, tuple[Mention, ThirdPartyRole]] = field(default_factory=dict)
    main_countries: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Sides:
    """A draft's parties and third parties, and where its parties came from."""

    parties: list[Actor]
    mediators: list[ThirdParty]
    # own, demonym (own, all named by demonyms), borrowed or none.
    provenance: str


def identity(mention: Mention) -> str:
    """How a mention is told apart: its country, else its name."""
    return mention.country or mention.name


def article_context(
    drafts: list[Draft], notes: list[list[tuple[Mention, ThirdPartyRole]]], title: list[Mention]
) -> ArticleContext:
    """Third parties named anywhere, and the countries the article's sides mostly belong to."""
    context = ArticleContext()
    for third in [d.roles.third_parties for d in drafts] + notes:
        for mention, role in third:
            if mention.country is not None or mention.kind == "organization":
                context.third_parties.setdefault(identity(mention), (mention, role))
    counts: Counter[str] = Counter()
    for mention in title + [p for d in drafts for p in d.roles.parties]:
        if mention.country and identity(mention) not in context.third_parties:
            counts[mention.country] += 1
    context.main_countries = [country for country, _ in counts.most_common(2)]
    return context


def draft_sides(draft: Draft, context: ArticleContext, previous: list[Actor]) -> Sides:
    """Parties and third parties of a draft, with article-wide roles applied."""
    # A third party must be a state or a known organisation, not "the foreign minister".
    mediators = [
        third_party(m, role)
        for m, role in draft.roles.third_parties
        if m.country is not None or m.kind == "organization"
    ]
    own: list[Mention] = []
    for mention in _own_development(
        draft, _without_echoes(draft.sentence.text, draft.roles.parties)
    ):
        known = context.third_parties.get(identity(mention))
        if known is not None:
            mediators.append(third_party(mention, known[1]))
        elif mention.kind != "organization":
            own.append(mention)
    parties = [_actor(m, context, draft.section) for m in own]
    if any(p.country for p in parties):
        demonyms = all(_demonym(m) for m in own if m.country)
        return Sides(unique(parties), unique(mediators), "demonym" if demonyms else "own")
    borrowed = _borrowed(draft, context, previous)
    return Sides(unique(borrowed), unique(mediators), "borrowed" if borrowed else "none")


def _own_development(draft: Draft, parties: list[Mention]) -> list[Mention]:
    """The parties named before the sentence turns to another development of the kind ("the
    deal is separate from the truce the government agreed with the STC" names no side of the
    deal's own)."""
    if draft.others_from is None:
        return parties
    return [m for m in parties if m.start < draft.others_from]


def _without_echoes(sentence: str, parties: list[Mention]) -> list[Mention]:
    """Without a bare "guerrilla group" set in apposition after a named armed group: "the ELN,
    the country's last guerrilla group" names one side ("the RSF and Darfur rebels", two)."""
    named = [m for m in parties if m.kind in _GROUP_KINDS and not m.generic]

    def echo(m: Mention) -> bool:
        return any(_APPOSITION.fullmatch(sentence, n.end, m.start) for n in named)

    return [m for m in parties if not (m.generic and m.kind in _GROUP_KINDS and echo(m))]


def third_party(mention: Mention, role: ThirdPartyRole) -> ThirdParty:
    """A mention as a third party in `role`."""
    kind = "organization" if mention.country is None else mention.kind
    return ThirdParty(name=mention.name, kind=kind, country=mention.country, role=role)


# Kinds that speak for their country: "Sudan's army" and "Sudan" are one side.
_STATE_KINDS = frozenset({"state", "armed_forces"})
_GROUP_KINDS = frozenset({"armed_group", "coalition"})
# Between a named group and a generic word that only renames it: "(ELN), the country's last".
_APPOSITION = re.compile(r"\s*(?:\([^)]{1,20}\)\s*)?,\s+(?:the|a|an|its|their)\b[^,;()]{0,40}")


def unique(actors: list[_A]) -> list[_A]:
    """Actors without repeats, first kept: a state's actors by country, others by name (the
    RSF is a side of its own beside Sudan's army, though both are Sudanese)."""
    seen: set[str] = set()
    kept: list[_A] = []
    for actor in actors:
        key = actor.country if actor.country and actor.kind in _STATE_KINDS else actor.name
        if key not in seen:
            seen.add(key)
            kept.append(actor)
    return kept


def _actor(mention: Mention, context: ArticleContext, section: str | None) -> Actor:
    """A side as named; "the army" takes its digest section's country, else the article's."""
    main = context.main_countries[0] if context.main_countries else None
    return Actor(name=mention.name, kind=mention.kind, country=mention.country or section or main)


def _demonym(mention: Mention) -> bool:
    """Whether a side is named by a demonym only ("Russian soldiers", not "Russia's army")."""
    if mention.kind not in ("state", "armed_forces"):
        return False
    first = mention.name.split()[0].rstrip("’'s").lower()
    named = country_name(mention.country).lower() if mention.country else ""
    return first.endswith(_DEMONYM_ENDINGS) and not named.startswith(first)


def _borrowed(draft: Draft, context: ArticleContext, previous: list[Actor]) -> list[Actor]:
    """Sides for a sentence that names none: its digest section's country, unless the sentence
    before named a side there; else the sentence before's sides, else the article's countries."""
    section = draft.section
    if section is not None and not any(p.country == section for p in previous):
        return [Actor(name=section, kind="state", country=section)]
    return previous or [Actor(name=c, kind="state", country=c) for c in context.main_countries]
