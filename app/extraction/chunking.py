"""Split long articles into overlapping chunks, and merge the records found in them.

Splitting: chunks are at most `size` characters, cut at the last paragraph break in the second
half of the window, else the last sentence end, else the last whitespace, else hard. The next
chunk starts about `overlap` characters before the cut, at a sentence or word start, so a
development reported across a cut is seen whole at least once. Every character is covered.

Merging (the dedupe rule): two records are the same development when they have the same `kind`
and `status` and their evidence overlaps, i.e. one evidence quote of one, in grounding's
normalised form, equals or contains an evidence quote of the other (an overlap region can yield
a quote cut shorter in one chunk). The first-found record is kept; evidence quotes of the
duplicate that it lacks are added, up to three.
"""

import re
from dataclasses import dataclass

from app.extraction.contract import ExtractedRecord
from app.extraction.grounding import clean_quote, normalise

MAX_EVIDENCE = 3
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Chunk:
    """A slice of the article: `text == article[start:start + len(text)]`."""

    start: int
    text: str

    @property
    def end(self) -> int:
        """Offset just past the chunk in the article."""
        return self.start + len(self.text)


def _last_boundary(text: str, lo: int, hi: int) -> int | None:
    """The best cut in `text[lo:hi]`: after a paragraph break, sentence end or whitespace."""
    for pattern in (_PARAGRAPH_BREAK, _SENTENCE_END, _WHITESPACE):
        ends = [m.end() for m in pattern.finditer(text, lo, hi)]
        if ends:
            return ends[-1]
    return None


def _first_boundary(text: str, lo: int, hi: int) -> int | None:
    """The earliest sentence start, else word start, in `text[lo:hi]` (strictly before `hi`)."""
    for pattern in (_SENTENCE_END, _WHITESPACE):
        for match in pattern.finditer(text, lo, hi):
            if match.end() < hi:
                return match.end()
    return None


def split(text: str, size: int, overlap: int) -> list[Chunk]:
    """Cut `text` into chunks of at most `size` chars overlapping by about `overlap` chars."""
    if size < 1:
        raise ValueError("chunk size must be positive")
    # An overlap near the chunk size would make chunks crawl forward; a quarter is plenty.
    overlap = max(0, min(overlap, size // 4))
    chunks: list[Chunk] = []
    start = 0
    while len(text) - start > size:
        limit = start + size
        boundary = _last_boundary(text, start + size // 2, limit)
        cut = limit if boundary is None else boundary
        chunks.append(Chunk(start, text[start:cut]))
        if overlap == 0:
            start = cut
            continue
        begin = cut - overlap
        boundary = _first_boundary(text, begin, cut)
        start = begin if boundary is None else boundary
    chunks.append(Chunk(start, text[start:]))
    return chunks


def _quotes(record: ExtractedRecord) -> list[str]:
    return [normalise(clean_quote(q)).strip() for q in record.evidence if clean_quote(q)]


def _same_development(a: ExtractedRecord, b: ExtractedRecord) -> bool:
    """Same kind, same status and overlapping evidence (see the module docstring)."""
    if a.kind != b.kind or a.status != b.status:
        return False
    return any(qa in qb or qb in qa for qa in _quotes(a) for qb in _quotes(b))


def merge(results: list[list[ExtractedRecord]]) -> list[ExtractedRecord]:
    """Concatenate per-chunk records, folding duplicates found in overlapping chunks."""
    kept: list[ExtractedRecord] = []
    for records in results:
        for record in records:
            at = next((i for i, k in enumerate(kept) if _same_development(k, record)), None)
            if at is None:
                kept.append(record)
                continue
            known = set(_quotes(kept[at]))
            extra = [q for q in record.evidence if normalise(clean_quote(q)).strip() not in known]
            evidence = (kept[at].evidence + extra)[:MAX_EVIDENCE]
            kept[at] = kept[at].model_copy(update={"evidence": evidence})
    return kept
