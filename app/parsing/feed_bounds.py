"""Feed bytes bounded before feedparser reads them: the items past the cap cut out, and the text of
author-like elements cut short.

feedparser builds every entry of a document, and Parley keeps only the first `max_items`: a
5 MB feed of 100,000 small items took 8 s to parse. And feedparser looks for an e-mail address
in every author-like element with a regex that takes quadratic time: a 20 KB `<author>` took
1.2 s, a 40 KB one 8 s, a 5 MB one would take days (the parse's time limit fails the feed first).
Both are cut here, in bytes and in linear time, so a broken document (which feedparser reads
with its loose parser) is bounded like a well-formed one. Other text is left whole: feedparser
reads it in linear time, the document's size is capped already, and a cut article body would
be stored as if it were the whole article. A document in UTF-16 or UTF-32 (rare in feeds) is
not matched by these byte patterns: the parse's time limit (`isolation`) still bounds it.
"""

import re

# The end of an item: `</item>` (RSS) or `</entry>` (Atom), with or without a namespace prefix.
_ITEM_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>", re.IGNORECASE)
# The start of an element feedparser reads as a person: RSS author, managingEditor and webMaster,
# Dublin Core creator, contributor and publisher, iTunes author and owner, Atom's name and email
# (feedparser lower-cases element names, so any case counts).
_PERSON_START = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(?:author|creator|contributor|publisher|managingeditor|webmaster"
    rb"|owner|name|email)(?:\s[^<>]*)?(?<!/)>",
    re.IGNORECASE,
)
# An article keeps 500 characters of its author (the column's width): a longer name is cut
# there anyway, and at this length feedparser's e-mail regex takes a few milliseconds.
PERSON_BYTES = 500
_CDATA_OPEN, _CDATA_CLOSE = b"<![CDATA[", b"]]>"
# Longest entity or character reference a cut could split (`&#x10FFFF;`).
_LONGEST_REFERENCE = 10


def bound_feed(body: bytes, max_items: int) -> tuple[bytes, int]:
    """`body` with at most `max_items` items and short person names; how many items it had."""
    body, items = cut_items(body, max_items)
    return cut_people(body), items


def cut_items(body: bytes, max_items: int) -> tuple[bytes, int]:
    """`body` without the items after the first `max_items` (what follows the last item, the
    closing tags, is kept), and how many items it had."""
    ends = [match.end() for match in _ITEM_END.finditer(body)]
    if len(ends) <= max_items:
        return body, len(ends)
    return body[: ends[max_items - 1]] + body[ends[-1] :], len(ends)


def cut_people(body: bytes, limit: int = PERSON_BYTES) -> bytes:
    """`body` with the text of every person element (a CDATA section included) cut to `limit`
    bytes."""
    parts, copied = [], 0
    for match in _PERSON_START.finditer(body):
        start = match.end()
        if start < copied:  # inside text already cut
            continue
        if body.startswith(_CDATA_OPEN, start):
            start += len(_CDATA_OPEN)
            end = body.find(_CDATA_CLOSE, start)
        else:
            end = body.find(b"<", start)
        end = len(body) if end == -1 else end
        if end - start > limit:
            parts += [body[copied:start], _whole_characters(body[start : start + limit])]
            copied = end
    if not parts:
        return body
    parts.append(body[copied:])
    return b"".join(parts)


def _whole_characters(text: bytes) -> bytes:
    """`text` without a reference (`&amp;`) or a UTF-8 character cut off at its end."""
    amp = text.rfind(b"&", len(text) - _LONGEST_REFERENCE)
    if amp != -1 and b";" not in text[amp:]:
        text = text[:amp]
    last = len(text) - 1
    while last >= max(0, len(text) - 4) and 0x80 <= text[last] < 0xC0:
        last -= 1  # back over continuation bytes to the character's first byte
    if last >= 0 and text[last] >= 0xC0:
        needed = 2 if text[last] < 0xE0 else 3 if text[last] < 0xF0 else 4
        if len(text) - last < needed:
            text = text[:last]
    return text
