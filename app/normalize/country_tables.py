"""The country lookup tables: pycountry's ISO lists plus the curated YAML, folded to keys."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import pycountry
import yaml

from app.normalize.keys import normal_key
from app.normalize.phrases import DATA_DIR

CuratedCountries = Mapping[str, Mapping[str, Any]]
Places = Mapping[str, list[str]]


@dataclass(frozen=True)
class CountryTables:
    """Dicts from a folded key to an ISO 3166-1 alpha-3 code, by what the key is."""

    codes: dict[str, str]
    """alpha-2 and alpha-3 codes."""
    actor_words: dict[str, str]
    """Names, aliases, demonyms and capitals: what can stand for a state in an actor's name."""
    location_words: dict[str, str]
    """Names, aliases, capitals and curated places: what can place an event in a country."""
    names: dict[str, str]
    """Names and aliases only: what names the country itself, not a town in it."""
    display: dict[str, str]
    """alpha-3 -> the name shown to people."""
    max_words: int


class _KeyedTable:
    """A key -> code dict that refuses to map one curated key to two codes."""

    def __init__(self, base: Mapping[str, str] | None = None) -> None:
        self.entries: dict[str, str] = dict(base or {})
        self.curated: dict[str, str] = {}

    def add_curated(self, texts: Iterable[str], code: str, what: str) -> None:
        for text in texts:
            key = normal_key(text)
            if not key:
                raise ValueError(f"{what} {text!r} of {code} has no letters")
            if self.curated.get(key, code) != code:
                raise ValueError(f"{what} {text!r} names both {self.curated[key]} and {code}")
            self.curated[key] = code
            self.entries[key] = code


def _iso_names() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """pycountry's codes, names (name, official, common) and preferred display names."""
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    display: dict[str, str] = {}
    for country in pycountry.countries:
        alpha_3: str = country.alpha_3
        codes[alpha_3.lower()] = alpha_3
        codes[country.alpha_2.lower()] = alpha_3
        for attribute in ("name", "official_name", "common_name"):
            text = getattr(country, attribute, None)
            if text:
                names.setdefault(normal_key(text), alpha_3)
        display[alpha_3] = getattr(country, "common_name", None) or country.name
    return codes, names, display


def build_country_tables(curated: CuratedCountries, places: Places) -> CountryTables:
    """Merge pycountry with curated entries; curated keys override pycountry's ("Congo")."""
    codes, iso_names, display = _iso_names()
    names, capitals, demonyms = _KeyedTable(iso_names), _KeyedTable(), _KeyedTable()
    for code, entry in curated.items():
        if code not in display and "alpha_2" not in entry:
            raise ValueError(f"{code} is not an ISO 3166-1 alpha-3 code pycountry knows")
        if "alpha_2" in entry:
            codes[code.lower()] = code
            codes[str(entry["alpha_2"]).lower()] = code
        display[code] = entry.get("display", display.get(code, code))
        names.add_curated([display[code], *entry.get("aliases", [])], code, "alias")
        demonyms.add_curated(entry.get("demonyms", []), code, "demonym")
        capitals.add_curated(entry.get("capitals", []), code, "capital")
    located = _KeyedTable()
    for code, texts in places.items():
        located.add_curated(texts, code, "place")
    actor_words = _merge(names, demonyms, capitals)
    location_words = _merge(names, capitals, located)
    longest = max(len(key.split()) for key in actor_words)
    return CountryTables(codes, actor_words, location_words, _merge(names), display, longest)


def _merge(*tables: _KeyedTable) -> dict[str, str]:
    """One dict from several; a curated key claimed by two tables for two codes is an error."""
    merged: dict[str, str] = {}
    curated: dict[str, str] = {}
    for table in tables:
        for key, code in table.curated.items():
            if curated.get(key, code) != code:
                raise ValueError(f"{key!r} names both {curated[key]} and {code}")
            curated[key] = code
        merged.update({k: v for k, v in table.entries.items() if k not in curated})
    merged.update(curated)
    return merged


@cache
def country_tables() -> CountryTables:
    """The tables built from app/normalize/data, loaded once."""
    curated = yaml.safe_load((DATA_DIR / "countries.yaml").read_text(encoding="utf-8"))
    places = yaml.safe_load((DATA_DIR / "places.yaml").read_text(encoding="utf-8"))
    return build_country_tables(curated, places)
