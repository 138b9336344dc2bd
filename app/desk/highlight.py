"""Evidence shown where it stands: the article's paragraphs, cut into pieces at the stored
offsets so a template can wrap the quoted pieces in <mark> (every piece is escaped as text;
nothing here builds HTML)."""

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A quoted stretch of the article: `text[start:end]`, and the records quoting it."""

    start: int
    end: int
    record_id: int | None = None


@dataclass
class Piece:
    """Part of a paragraph: its text, and the records whose evidence covers it (none: plain)."""

    text: str
    records: list[int] = field(default_factory=list)
    marked: bool = False


@dataclass
class Paragraph:
    """A paragraph of the article, in pieces, and where it starts."""

    start: int
    pieces: list[Piece]

    @property
    def marked(self) -> bool:
        """Whether any evidence falls in this paragraph."""
        return any(p.marked for p in self.pieces)


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line of the text: its paragraphs."""
    bounds, start = [], 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            bounds.append((start, end))
        start = end + 1
    return bounds


def _cut(text: str, start: int, end: int, spans: Sequence[Span]) -> list[Piece]:
    """The paragraph `text[start:end]` cut at every span boundary inside it."""
    edges = {start, end}
    for s in spans:
        edges |= {min(max(s.start, start), end), min(max(s.end, start), end)}
    ordered = sorted(edges)
    pieces = []
    for a, b in itertools.pairwise(ordered):
        covering = [s for s in spans if s.start <= a and b <= s.end]
        ids = sorted({s.record_id for s in covering if s.record_id is not None})
        pieces.append(Piece(text=text[a:b], records=ids, marked=bool(covering)))
    return pieces


def paragraphs(text: str, spans: Iterable[Span]) -> list[Paragraph]:
    """Every paragraph of the article, with the spans that fall in it marked."""
    valid = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    found = []
    for start, end in paragraph_bounds(text):
        inside = [s for s in valid if s.start < end and s.end > start]
        found.append(Paragraph(start=start, pieces=_cut(text, start, end, inside)))
    return found


def in_context(text: str, span: Span) -> list[Paragraph]:
    """Only the paragraphs a quote falls in, with the quote marked."""
    return [p for p in paragraphs(text, [span]) if p.marked]
