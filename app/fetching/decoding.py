"""Content-Encoding decoding that never holds more than the size limit in memory.

httpx decodes a whole network chunk at once, so a 64 KiB chunk of a gzip bomb could become
tens of megabytes before any check runs. Here each step inflates at most the remaining budget.
"""

import zlib

from app.fetching.errors import BodyTooLarge, UpstreamError

ACCEPT_ENCODING = "gzip, deflate"
_GZIP = ("gzip", "x-gzip")


def _decompressor(encoding: str) -> "zlib._Decompress | None":
    """A zlib decompressor for the header value, None for identity."""
    if encoding in ("", "identity"):
        return None
    if encoding in _GZIP:
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj(zlib.MAX_WBITS)
    raise UpstreamError(f"unsupported content encoding {encoding!r}")


class BoundedDecoder:
    """Feed raw chunks, get decoded bytes; raises `BodyTooLarge` past `max_bytes`."""

    def __init__(self, content_encoding: str, max_bytes: int) -> None:
        self._encoding = content_encoding.strip().lower()
        self._inflate = _decompressor(self._encoding)
        self._max = max_bytes
        self.total = 0

    def _count(self, piece: bytes) -> bytes:
        self.total += len(piece)
        if self.total > self._max:
            raise BodyTooLarge(f"body is larger than {self._max} bytes")
        return piece

    def feed(self, chunk: bytes) -> bytes:
        """Decode one raw chunk."""
        if self._inflate is None:
            return self._count(chunk)
        out = bytearray()
        data = chunk
        try:
            while data:
                out += self._count(self._inflate.decompress(data, self._max - self.total + 1))
                data = self._inflate.unconsumed_tail
        except zlib.error as exc:
            if self._encoding == "deflate" and self.total == 0 and not out:
                # Some servers send raw deflate without the zlib header.
                self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.feed(chunk)
            raise UpstreamError(f"corrupt {self._encoding} body") from exc
        return bytes(out)

    def flush(self) -> bytes:
        """Whatever the decompressor still holds."""
        if self._inflate is None:
            return b""
        return self._count(self._inflate.flush())
