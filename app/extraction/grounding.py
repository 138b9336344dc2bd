"""Find evidence quotes in an article (SPEC §2, "Grounded").

Matching tolerates only what a model changes when it copies text faithfully:

- whitespace: any run of spaces, tabs and newlines equals any other run;
- quote marks and apostrophes: “ ” „ ‟ « » " ‹ › ‘ ’ ‚ ‛ ' ` are all the same mark;
- dashes: - ‐ ‑ ‒ – — ― are all the same dash, and whitespace next to a dash is ignored,
  so "Kyiv - Moscow", "Kyiv—Moscow" and "Kyiv – Moscow" match one another.

Case, other punctuation, letters and digits must match exactly. Both the article and the quote
are mapped to that normalised form; the article keeps an index from each normalised character
back to its original span, so offsets always point into the original text.

Quote marks at either edge of a quote are ambiguous: the article's own (“We agree,” she said),
or marks a model wrapped around its quote. Both readings are tried, the one keeping the most
marks first, so a span includes the article's marks and leaves out the model's. A grounded quote
is always the article's own characters of its span: `text[start:end] == quote` (SPEC §2,
"Exact evidence").
"""

import re
from bisect import bisect_right
from dataclasses import dataclass

QUOTE_MARKS = "\u201c\u201d\u201e\u201f\u00ab\u00bb\"\u2039\u203a\u2018\u2019\u201a\u201b'`"
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015"

_QUOTE = "'"
_DASH = "-"
_SPACE = " "
_CANONICAL = {**dict.fromkeys(QUOTE_MARKS, _QUOTE), **dict.fromkeys(DASHES, _DASH)}


@dataclass(frozen=True)
class GroundedQuote:
    """An evidence quote and where it sits in the article: `text[start:end]`."""

    quote: str
    start: int
    end: int


_TRANSLATION = str.maketrans(_CANONICAL)
# What does not map one to one: a dash with the whitespace around it (the dash alone is kept),
# a run of whitespace (one space), whitespace other than a space (a space). A lone space does.
_IRREGULAR = re.compile(r"\s*-\s*|\s{2,}|[^\S ]")


@dataclass
class _Spans:
    """Where each normalised character came from, kept per piece rather than per character:
    a piece is a stretch copied one to one, or one character standing for a longer stretch."""

    outputs: list[int]  # where each piece starts in the normalised text
    origins: list[int]  # where it starts in the original
    stands_for: list[int]  # where a one-character piece's stretch ends; -1: a copy

    def add(self, output: int, origin: int, stands_for: int = -1) -> None:
        """One more piece."""
        self.outputs.append(output)
        self.origins.append(origin)
        self.stands_for.append(stands_for)

    def span(self, at: int) -> tuple[int, int]:
        """The original [start, end) of the normalised character at `at`."""
        piece = bisect_right(self.outputs, at) - 1
        if self.stands_for[piece] >= 0:
            return self.origins[piece], self.stands_for[piece]
        start = self.origins[piece] + at - self.outputs[piece]
        return start, start + 1


def _normalise_with_spans(text: str) -> tuple[str, _Spans]:
    """Normalise `text`; also where each output character came from.

    Marks and dashes translate one to one, and so does prose's single space between words;
    only what `_IRREGULAR` finds does not, so the text is copied between those finds (a
    regular expression's steps, not Python's per character).
    """
    canonical = text.translate(_TRANSLATION)
    out: list[str] = []
    spans = _Spans([], [], [])
    size = at = 0
    for found in _IRREGULAR.finditer(canonical):
        begin, end = found.span()
        if begin > at:
            spans.add(size, at)
            out.append(canonical[at:begin])
            size += begin - at
        at = end
        dash = found.group().find(_DASH)
        if dash >= 0:
            spans.add(size, begin + dash, begin + dash + 1)
        else:
            spans.add(size, begin, end)
        out.append(_DASH if dash >= 0 else _SPACE)
        size += 1
    if len(canonical) > at:
        spans.add(size, at)
        out.append(canonical[at:])
    return "".join(out), spans


def normalise(text: str) -> str:
    """The matching form of `text`: canonical whitespace, quote marks and dashes."""
    return _normalise_with_spans(text)[0]


def clean_quote(quote: str) -> str:
    """Trim the whitespace and surrounding quote marks a model may add around a quote."""
    previous = None
    while previous != quote:
        previous = quote
        quote = quote.strip().strip(QUOTE_MARKS)
    return quote


class TextIndex:
    """An article prepared once for locating many quotes in it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._normalised, self._spans = _normalise_with_spans(text)

    def locate(self, quote: str) -> tuple[int, int] | None:
        """Offsets of the first occurrence of `quote` in the original text, or None.

        Of the quote's edge marks, as many as the article has there are part of the span.
        """
        for needle in _needles(quote):
            found = self._normalised.find(needle)
            if found >= 0:
                return self._spans.span(found)[0], self._spans.span(found + len(needle) - 1)[1]
        return None

    def ground(self, evidence: list[str]) -> tuple[list[GroundedQuote], list[str]]:
        """Split `evidence` into located quotes and quotes not found; a located quote is the
        article's own text of its span, whatever spelling of marks or spaces `evidence` used."""
        found: list[GroundedQuote] = []
        missing: list[str] = []
        for quote in evidence:
            span = self.locate(quote)
            if span is None:
                missing.append(quote)
            else:
                found.append(GroundedQuote(self.text[span[0] : span[1]], *span))
        return found, missing


# More edge marks than this on one side are not worth a search each: they are the model's.
_MAX_EDGE_MARKS = 3


def _needles(quote: str) -> list[str]:
    """The quote's normalised forms to search for, keeping the most edge quote marks first.

    The last is the quote without any edge marks (`clean_quote`); none when that is empty.
    """
    core = normalise(clean_quote(quote)).strip(_SPACE)
    if not core:
        return []
    whole = normalise(quote).strip(_SPACE)
    at = whole.find(core)
    if at < 0:  # not expected: `whole` is the core between edges of marks and spaces
        return [core]
    opening = _edge_cuts(whole[:at], from_start=True)
    closing = _edge_cuts(whole[at + len(core) :], from_start=False)
    pairs = sorted(((o, c) for o in range(len(opening)) for c in range(len(closing))), key=sum)
    return list(dict.fromkeys(opening[o] + core + closing[c] for o, c in pairs))


def _edge_cuts(edge: str, *, from_start: bool) -> list[str]:
    """An edge of marks and spaces, then shorter versions of it, each dropping one more mark
    from the outside: for an opening edge "' '" that is ["' '", "'", ""]."""
    marks = [i for i, char in enumerate(edge) if char == _QUOTE]
    if len(marks) > _MAX_EDGE_MARKS:
        return [""]
    # Each cut starts (opening edge) or ends (closing edge) at a mark, outermost first.
    if from_start:
        return [edge[i:].lstrip(_SPACE) for i in marks] + [""]
    return [edge[: i + 1].rstrip(_SPACE) for i in reversed(marks)] + [""]


def locate(quote: str, text: str) -> tuple[int, int] | None:
    """Offsets `(start, end)` of the first occurrence of `quote` in `text`, or None."""
    return TextIndex(text).locate(quote)


def ground(evidence: list[str], text: str) -> tuple[list[GroundedQuote], list[str]]:
    """Locate every quote of `evidence` in `text`: (found with offsets, missing)."""
    return TextIndex(text).ground(evidence)
