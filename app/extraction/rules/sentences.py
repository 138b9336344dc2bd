"""Split an article into sentences that keep their character offsets."""

import re
from dataclasses import dataclass

# A sentence ends at . ! ? (optionally followed by a closing quote) before whitespace, or at a
# line break; abbreviations like "U.S." and "Gen." must not end one.
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])|\n+")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Capt|Sgt|St|No|Jan|Feb|Mar|Apr|Jun"
    r"|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Rep|Sen|Gov|Prof|Jr|Sr|vs|etc|approx)\.)[\"”’)]?\s+$"
)


@dataclass(frozen=True)
class Sentence:
    """A sentence and where it sits in the article text."""

    text: str
    start: int
    end: int


def split_sentences(text: str) -> list[Sentence]:
    """Cut `text` into sentences; each one's text equals `text[start:end]`."""
    sentences: list[Sentence] = []
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        if "\n" not in boundary.group() and _ABBREVIATIONS.search(text[start : boundary.end()]):
            continue
        _append(sentences, text, start, boundary.start() + _closing(boundary.group()))
        start = boundary.end()
    _append(sentences, text, start, len(text))
    return sentences


def _closing(separator: str) -> int:
    """Length of the closing quote or bracket the separator begins with, kept in the sentence."""
    return 1 if separator[:1] in '"”’)' else 0


def _append(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    offset = start + piece.index(stripped)
    sentences.append(Sentence(stripped, offset, offset + len(stripped)))
