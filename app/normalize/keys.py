"""Lookup keys: the one folded text form that every table entry and every query is compared in."""

import re
import unicodedata

# Dots and apostrophes vanish so "U.S." is "us" and "N'Djamena" is "ndjamena"; every other
# non-alphanumeric character separates words.
_VANISHING = re.compile(r"[.'’‘`´ʼ]")
_SEPARATOR = re.compile(r"[^0-9a-z]+")


def key_words(text: str) -> list[str]:
    """Fold case, accents and punctuation of `text` into words, without a leading 'the'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    words = _SEPARATOR.sub(" ", _VANISHING.sub("", plain)).split()
    return words[1:] if words[:1] == ["the"] else words


def normal_key(text: str) -> str:
    """The dict key for `text`: 'the Côte d’Ivoire' and 'COTE D'IVOIRE' share one."""
    return " ".join(key_words(text))
