"""International organisations: aliases ("UN", "AU Commission") -> canonical display names."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import yaml

from app.normalize.keys import key_words, normal_key
from app.normalize.phrases import DATA_DIR, leading_owner


@dataclass(frozen=True)
class OrganisationTables:
    """Folded key -> canonical name, for whole names and for the leading words of a name."""

    whole: dict[str, str]
    leading: dict[str, str]
    max_words: int
    names: tuple[str, ...]


def build_organisation_tables(entries: Sequence[Mapping[str, Any]]) -> OrganisationTables:
    """Index each organisation under its name and aliases; an alias shared by two is an error."""
    whole: dict[str, str] = {}
    leading: dict[str, str] = {}
    for entry in entries:
        name = str(entry["name"])
        for text in [name, *entry.get("aliases", [])]:
            key = normal_key(text)
            if not key or whole.get(key, name) != name:
                raise ValueError(f"organisation alias {text!r} is empty or names two bodies")
            whole[key] = name
            if not entry.get("whole_name_only", False):
                leading[key] = name
    longest = max(len(key.split()) for key in whole)
    return OrganisationTables(whole, leading, longest, tuple(str(e["name"]) for e in entries))


@cache
def organisation_tables() -> OrganisationTables:
    """The tables built from data/organisations.yaml, loaded once."""
    raw = yaml.safe_load((DATA_DIR / "organisations.yaml").read_text(encoding="utf-8"))
    return build_organisation_tables(raw)


@lru_cache(maxsize=16384)
def organisation_name(value: str | None) -> str | None:
    """Canonical name of the organisation `value` names ("U.N." -> "United Nations"), or None.

    A name that leads with an organisation counts too ("UN envoy Volker Perthes"), unless the
    next word hands it to someone else ("UN-backed government").
    """
    return name_in(organisation_tables(), value)


def name_in(tables: OrganisationTables, value: str | None) -> str | None:
    """The canonical name `value` is a spelling of in `tables`, whole or as its leading words,
    unless the next word hands it to someone else; None when it names none."""
    if not value:
        return None
    words = key_words(value)
    found = tables.whole.get(" ".join(words))
    if found is not None or not words:
        return found
    return leading_owner(words, tables.leading, tables.max_words)
