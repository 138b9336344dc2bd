"""Lookup keys: the one folded text form that every table entry and every query is compared in."""

import re
import unicodedata
from functools import lru_cache

# Dots and apostrophes vanish so "U.S." is "us" and "N'Djamena" is "ndjamena"; every other
# non-alphanumeric character separates words.
_VANISHING = re.compile(r"[.'’‘`´ʼ]")
_SEPARATOR = re.compile(r"[^0-9a-z]+")


def key_words(text: str) -> list[str]:
    """Fold case, accents and punctuation of `text` into words, without a leading 'the'."""
    return list(_folded(text))


# Attaching a report folds the same names and places again for every candidate it is compared
# with (about 65 folds an article when storing a backfill); folding walks every character.
@lru_cache(maxsize=8192)
def _folded(text: str) -> tuple[str, ...]:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    words = _SEPARATOR.sub(" ", _VANISHING.sub("", plain)).split()
    return tuple(words[1:] if words[:1] == ["the"] else words)


def normal_key(text: str) -> str:
    """The dict key for `text`: 'the Côte d’Ivoire' and 'COTE D'IVOIRE' share one."""
    return " ".join(key_words(text))
