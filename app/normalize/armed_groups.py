"""Armed groups: the curated table of their names ("ELN" -> "National Liberation Army"), read by
the rules extractor to find them and by consolidation to tell sides apart."""

from collections.abc import Mapping, Sequence
from functools import cache, lru_cache
from typing import Any

import yaml

from app.normalize.keys import normal_key
from app.normalize.organisations import OrganisationTables, build_organisation_tables, name_in
from app.normalize.phrases import DATA_DIR


@cache
def armed_group_entries() -> Sequence[Mapping[str, Any]]:
    """The entries of data/armed_groups.yaml (name, aliases, also, kind, country), loaded once;
    `aliases` are spellings to look for in text, `also` ones only to fold."""
    loaded: list[Mapping[str, Any]] = yaml.safe_load(
        (DATA_DIR / "armed_groups.yaml").read_text(encoding="utf-8")
    )
    return tuple(loaded)


@cache
def _tables() -> OrganisationTables:
    # Folded like organisations: the same builder refuses a spelling that names two groups.
    entries = [
        {**e, "aliases": [*e.get("aliases", []), *e.get("also", [])]} for e in armed_group_entries()
    ]
    return build_organisation_tables(entries)


def armed_group_exact(value: str) -> str | None:
    """Canonical name of the armed group `value` is a spelling of, whole ("Group for the Support
    of Islam and Muslims"), or None."""
    return _tables().whole.get(normal_key(value))


@lru_cache(maxsize=16384)
def armed_group_name(value: str | None) -> str | None:
    """Canonical name of the armed group `value` names ("ELN rebels" -> "National Liberation
    Army"), or None."""
    return name_in(_tables(), value)
