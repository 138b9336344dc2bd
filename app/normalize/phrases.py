"""Curated word rules that find the country or organisation a longer name starts with.

Only exact table hits on whole words: "Sudanese Armed Forces" leads with "Sudanese", "Government
of Colombia" ends in "of Colombia". Never fuzzy: "Hamas" is not "Bahamas".
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class PhraseRules:
    """Word lists from rules.yaml."""

    institutions: frozenset[str]
    blockers: frozenset[str]
    joiners: frozenset[str]
    directions: frozenset[str]


@cache
def phrase_rules() -> PhraseRules:
    """The curated word lists, loaded once."""
    raw = yaml.safe_load((DATA_DIR / "rules.yaml").read_text(encoding="utf-8"))
    return PhraseRules(
        institutions=frozenset(raw["institutions"]),
        blockers=frozenset(raw["blockers"]),
        joiners=frozenset(raw["joiners"]),
        directions=frozenset(raw["directions"]),
    )


def leading_entry(
    words: Sequence[str], table: Mapping[str, str], max_words: int
) -> tuple[str, int] | None:
    """The value the first words name (longest first) and how many words it took.

    A trailing "s" on the last word is tolerated, since apostrophes are gone from keys:
    "Ukraine's" and "Russians" both reach their entries.
    """
    for used in range(min(len(words), max_words), 0, -1):
        phrase = " ".join(words[:used])
        value = table.get(phrase)
        if value is None and phrase.endswith("s"):
            value = table.get(phrase[:-1])
        if value is not None:
            return value, used
    return None


def leading_owner(words: Sequence[str], table: Mapping[str, str], max_words: int) -> str | None:
    """The entry a name leads with, unless the next word hands it to someone else.

    "Iran-backed Houthis" (a blocker follows), "Egypt and Qatar" (a joiner follows) and
    "Russia-Ukraine talks" (another entry follows) have no single owner.
    """
    found = leading_entry(words, table, max_words)
    if found is None:
        return None
    value, used = found
    rest = words[used:]
    if not rest:
        return value
    rules = phrase_rules()
    if rest[0] in rules.blockers or rest[0] in rules.joiners:
        return None
    rival = leading_entry(rest, table, max_words)
    if rival is not None and rival[0] != value:
        return None
    return value


def institution_of_tails(words: Sequence[str]) -> list[list[str]]:
    """The words after each "of" that only institution words precede, first "of" first.

    "Armed Forces of the Democratic Republic of the Congo" gives
    [["democratic", "republic", "of", "the", "congo"], ["congo"]]; "League of Arab States"
    gives [].
    """
    institutions = phrase_rules().institutions
    tails: list[list[str]] = []
    for at in range(1, len(words) - 1):
        if words[at] != "of":
            continue
        if not all(word in institutions for word in words[:at]):
            break
        tail = list(words[at + 1 :])
        tails.append(tail[1:] if tail[0] == "the" and len(tail) > 1 else tail)
    return tails


def without_direction(words: Sequence[str]) -> list[str] | None:
    """The words of a location after a leading compass word ("northern Shan state")."""
    if len(words) > 1 and words[0] in phrase_rules().directions:
        return list(words[1:])
    return None
