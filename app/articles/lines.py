"""NDJSON lines out of a byte stream, bounded: each line by one cap, the whole stream by another.

Memory stays within one line's cap plus one chunk, however long the stream or a line: a line
past its cap is skipped to its end and reported by its size alone.
"""

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """One line of the stream (numbered from 1, blank lines counted), without its newline;
    `data` is None when the line passed the per-line cap."""

    number: int
    data: bytes | None
    size: int

    @property
    def blank(self) -> bool:
        """Whether the line holds only whitespace (a trailing newline makes none)."""
        return self.data is not None and not self.data.strip()


@dataclass(frozen=True)
class Cut:
    """The stream passed its total cap: lines from `next_line` on were not read whole."""

    next_line: int


class _Splitter:
    """Splits chunks into lines, holding at most `cap` bytes of the line in progress."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.number = 0
        self._pending = bytearray()
        self._skipped: int | None = None  # bytes of an over-long line, while skipping it

    def feed(self, data: bytes) -> Iterator[Line]:
        """The lines `data` completes."""
        start = 0
        while (end := data.find(b"\n", start)) >= 0:
            yield self._complete(data[start:end])
            start = end + 1
        self._hold(data[start:])

    def finish(self) -> Line | None:
        """The last line, when the stream did not end with a newline."""
        if self._pending or self._skipped is not None:
            return self._complete(b"")
        return None

    def _hold(self, part: bytes) -> None:
        if self._skipped is not None:
            self._skipped += len(part)
            return
        self._pending += part
        if len(self._pending) > self.cap:
            self._skipped = len(self._pending)
            self._pending = bytearray()

    def _complete(self, tail: bytes) -> Line:
        self.number += 1
        if self._skipped is not None:
            size, self._skipped = self._skipped + len(tail), None
            return Line(self.number, None, size)
        data = bytes(self._pending) + tail if self._pending else tail
        self._pending = bytearray()
        data = data.removesuffix(b"\r")
        return Line(self.number, data if len(data) <= self.cap else None, len(data))


async def read_lines(
    chunks: AsyncIterator[bytes], *, line_cap: int, total_cap: int
) -> AsyncIterator[Line | Cut]:
    """The stream's lines, in order; a `Cut` last when it passes `total_cap` bytes (the line
    that crosses the cap is not read, nor any after it)."""
    splitter = _Splitter(line_cap)
    read = 0
    async for chunk in chunks:
        room = total_cap - read
        read += len(chunk)
        if len(chunk) > room:
            for line in splitter.feed(chunk[:room]):
                yield line
            yield Cut(splitter.number + 1)
            return
        for line in splitter.feed(chunk):
            yield line
    last = splitter.finish()
    if last is not None:
        yield last
