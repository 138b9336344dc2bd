"""What consolidation compares about a report: its facts, read from a stored record or from a
contract record (the evaluation's gold), in one shape."""

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from app.extraction.vocabulary import ActorKind, RecordKind, RecordStatus
from app.normalize.armed_groups import armed_group_exact, armed_group_name
from app.normalize.countries import country_code, place_country
from app.normalize.keys import key_words
from app.normalize.organisations import organisation_name
from app.records.dates import date_span
from app.records.tables import Record


class Precision(StrEnum):
    """How exactly a report dates its development."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    # Undated: the article's publication day stands in.
    PUBLISHED = "published"


# States and their forces are one side ("Sudan", "the Sudanese army"): the country names them.
_STATE_KINDS = {ActorKind.STATE, ActorKind.ARMED_FORCES}
_GROUP_KINDS = {ActorKind.ARMED_GROUP, ActorKind.COALITION}
# Words that describe an armed group rather than name it.
_DESCRIBING = frozenset(
    [
        "fighters",
        "insurgents",
        "militants",
        "rebels",
        "rebel",
        "members",
        "cadres",
        "cadre",
        "combatants",
        "gunmen",
        "jihadist",
        "jihadists",
        "islamist",
        "islamists",
        "armed",
        "group",
        "groups",
        "militia",
        "militias",
        "dissident",
        "dissidents",
        "guerrilla",
        "guerrillas",
        "separatist",
        "separatists",
        "paramilitary",
        "paramilitaries",
        "politico",
        "military",
        "faction",
        "factions",
        "wing",
    ]
)
# Words that name a group only beside another ("the movement" alone names none).
_GENERIC = frozenset(
    [
        *("movement", "front", "army", "forces", "force", "organisation", "organization"),
        *("alliance", "coalition", "union", "party", "council", "command", "brigade", "brigades"),
    ]
)
_OWNER = re.compile(r"\b([\w-]+)['’]s\b")
_QUANTITY = frozenset(
    [
        *("some", "several", "dozens", "dozen", "hundreds", "scores", "other", "more", "than"),
        *("about", "around", "nearly", "almost", "over", "at", "least", "all", "many", "few"),
        *("strong", "unit", "units"),
    ]
)
# Words left at the head of a name once a head count is gone ("dozens of ELN fighters").
_LEADING = frozenset(["of", "a", "an"])
_SALIENT = re.compile(r"\b(?:[A-Z][\w'’-]+|\d[\d,.]*)")


@dataclass(frozen=True)
class Facts:
    """One report's facts, as consolidation weighs them."""

    id: int
    article_id: int
    kind: RecordKind
    status: RecordStatus
    sides: frozenset[str]
    # The armed groups among the sides: two reports naming different ones are two developments.
    groups: frozenset[str]
    # Those sides' whole names, describing words kept: "biff" is the acronym of "bangsamoro
    # islamic freedom fighters", not of the group key "bangsamoro islamic freedom".
    group_names: frozenset[str]
    countries: frozenset[str]
    mediators: frozenset[str]
    place: str | None
    place_country: str | None
    day_from: dt.date | None
    day_to: dt.date | None
    precision: Precision | None
    count: int | None
    text: str
    salient: frozenset[str]


def side_identity(party: Mapping[str, Any]) -> str:
    """A side as one key: ISO3 for a state or its forces, else the folded name (organisations
    under their canonical name)."""
    name = str(party.get("name") or "")
    country = party.get("country")
    if party.get("kind") in _STATE_KINDS and country:
        return str(country)
    return " ".join(key_words(_canonical(name)))


def _canonical(name: str) -> str:
    """A named body under its one name: "U.N." the United Nations, "dozens of ELN rebels" the
    National Liberation Army; a name of two groups ("ELN and FARC dissidents") stays as it is."""
    return organisation_name(name) or _group_named(key_words(name)) or name


def _group_named(words: list[str]) -> str | None:
    """The table's group that `words` name once the describing words and head counts are set
    aside ("some 40 ELN fighters" -> "eln"); None when they name none, or two ("eln and farc":
    a joiner follows the first)."""
    exact = armed_group_exact(" ".join(words))
    if exact is not None:  # a spelling that holds a describing word ("Group for the Support")
        return exact
    kept = _naming_words(words)
    return armed_group_name(" ".join(kept)) if kept else None


def _naming_words(words: list[str]) -> list[str]:
    """`words` without those that describe or count, nor the "of" a count leaves at the head."""
    kept = [w for w in words if _names(w)]
    while kept and kept[0] in _LEADING:
        kept.pop(0)
    return kept


def names_a_side(party: Mapping[str, Any]) -> bool:
    """Whether a party names who it is: "fighters" or "the insurgents" only describe, and say
    nothing for or against another report's "Boko Haram" (a state names itself by its country)."""
    if party.get("kind") in _STATE_KINDS and party.get("country"):
        return True
    return any(_names(w) for w in key_words(_canonical(str(party.get("name") or ""))))


def group_keys(party: Mapping[str, Any]) -> set[str]:
    """The armed groups an armed-group side names, one key each: a group of the curated table
    under its canonical name, any other without the words that describe rather than name it.
    "ELN and EMBF dissidents" -> {"national liberation army", "estado mayor de bloques y
    frente"}; "Hezbollah and Amal fighters" -> {"hezbollah", "amal"}; "jihadist fighters"
    names no group."""
    if party.get("kind") not in _GROUP_KINDS:
        return set()
    words = key_words(_without_places_owning(str(party.get("name") or "")))
    whole = _group_named(words)
    if whole is not None:  # "Front for Change and Concord in Chad" is one group
        return {" ".join(key_words(whole))}
    keys: set[str] = set()
    part: list[str] = []
    for word in [*words, "and"]:
        if word != "and":
            part.append(word)
            continue
        named = _group_named(part)
        kept = key_words(named) if named else _naming_words(part)
        if kept and not _GENERIC.issuperset(kept):
            keys.add(" ".join(kept))
        part = []
    return keys


def _without_places_owning(name: str) -> str:
    """`name` without a place that owns it, which describes the group rather than names it
    ("Cabinda's separatist rebels"); another owner stays, as a name ("FLEC's armed wing")."""

    def owner(found: re.Match[str]) -> str:
        word = found.group(1)
        return "" if place_country(word) or country_code(word) else word

    return _OWNER.sub(owner, name)


def _names(word: str) -> bool:
    """Whether a word of a group's name can name it: not a describing word, not a quantity
    ("some 40", "dozens of other fighters")."""
    return word not in _DESCRIBING and word not in _QUANTITY and not word.isdigit()


def mediator_key(party: Mapping[str, Any]) -> str | None:
    """A third party as one key: canonical organisation name, else ISO3."""
    name = organisation_name(str(party.get("name") or ""))
    return name or (str(party["country"]) if party.get("country") else None)


def precision_of(date: str | None) -> Precision:
    """How precise a partial ISO date is; an undated report is dated by its article."""
    if not date:
        return Precision.PUBLISHED
    return (Precision.YEAR, Precision.MONTH, Precision.DAY)[min(date.count("-"), 2)]


def facts(
    *,
    id: int,
    article_id: int,
    kind: RecordKind,
    status: RecordStatus,
    parties: Iterable[Mapping[str, Any]],
    mediators: Iterable[Mapping[str, Any]],
    location: Mapping[str, Any] | None,
    countries: Iterable[str],
    date: str | None,
    published: dt.date | None,
    count: int | None,
    texts: Iterable[str],
    end_date: str | None = None,
) -> Facts:
    """Facts from a record's fields; `published` dates a report that gives no date."""
    parties = list(parties)
    span = clipped(date_span(date), end_date) or ((published, published) if published else None)
    text = " ".join(t for t in texts if t)
    return Facts(
        id=id,
        article_id=article_id,
        kind=kind,
        status=status,
        sides=frozenset(side_identity(p) for p in parties if names_a_side(p)),
        groups=frozenset(k for p in parties for k in group_keys(p)),
        group_names=frozenset(
            side_identity(p) for p in parties if p.get("kind") in _GROUP_KINDS and names_a_side(p)
        ),
        countries=frozenset(countries),
        mediators=frozenset(k for k in map(mediator_key, mediators) if k),
        place=" ".join(key_words(str(location["name"]))) if location else None,
        place_country=(location or {}).get("country"),
        day_from=span[0] if span else None,
        day_to=span[1] if span else None,
        precision=precision_of(date) if span else None,
        count=count,
        text=" ".join(key_words(text)),
        salient=frozenset(w.casefold().rstrip(".,") for w in _SALIENT.findall(text)),
    )


def clipped(
    span: tuple[dt.date, dt.date] | None, end_date: str | None
) -> tuple[dt.date, dt.date] | None:
    """A month or year span cut at the day the development ended: talks of "September" that
    ended on the 16th did not happen on the 21st."""
    end = date_span(end_date)
    if span is None or end is None or end[0] != end[1] or not span[0] <= end[0] < span[1]:
        return span
    return span[0], end[0]


def of_record(record: Record) -> Facts:
    """The facts of a stored record (its stored span already falls back on publication)."""
    assert record.id is not None
    found = facts(
        id=record.id,
        article_id=record.article_id,
        kind=record.kind,
        status=record.status,
        parties=record.parties,
        mediators=record.mediators,
        location=record.location,
        countries=record.countries,
        date=record.date,
        published=None,
        count=record.count,
        texts=[record.summary, *(str(e.get("quote", "")) for e in record.evidence)],
        end_date=record.end_date,
    )
    if record.date_from is None or record.date_to is None:
        return found
    day_from, day_to = clipped((record.date_from, record.date_to), record.end_date) or (
        record.date_from,
        record.date_to,
    )
    precision = precision_of(record.date)
    return replace(found, day_from=day_from, day_to=day_to, precision=precision)
