"""How many stories a text file holds: `parley ingest FILE` takes one article, never a dump.

A dump of stories (copied from a site, exported from a reader) gives each story a line of its
own with its URL ("https://...", "URL: https://...") or a header field ("Title: ...",
"Headline: ..."), then its text. A story head counts only when real text follows it before the
next head, so an article that ends with "Read more: https://..." links is still one article.
A JSON array or JSON Lines of objects with a text, title or URL is a dump too.
"""

import json
import re

_URL_LINE = re.compile(
    r"^[ \t]*(?:(?:url|link|source|permalink|web)[ \t]*:[ \t]*)?<?https?://\S+>?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_TITLE_LINE = re.compile(r"^[ \t]*(?:title|headline)[ \t]*:.+$", re.IGNORECASE | re.MULTILINE)
# Text a story head must be followed by to count (links at the foot of one article do not).
_MIN_STORY_CHARS = 150
_ARTICLE_KEYS = frozenset({"text", "body", "content", "title", "url", "link"})


def count_stories(text: str) -> int:
    """The number of stories `text` holds: 1 for an article, more for a dump."""
    heads = max(_stories_after(_URL_LINE, text), _stories_after(_TITLE_LINE, text))
    return max(heads, _json_items(text), 1)


def _stories_after(pattern: re.Pattern[str], text: str) -> int:
    """Heads of `pattern` followed by a story's worth of text before the next head."""
    heads = list(pattern.finditer(text))
    if not heads:
        return 0
    bounds = [m.end() for m in heads]
    ends = [m.start() for m in heads[1:]] + [len(text)]
    return sum(
        len(text[start:end].strip()) >= _MIN_STORY_CHARS
        for start, end in zip(bounds, ends, strict=True)
    )


def _json_items(text: str) -> int:
    """Articles in a JSON array or JSON Lines export; 0 when the text is neither."""
    stripped = text.strip()
    if not stripped or stripped[0] not in "[{":
        return 0
    try:
        data = json.loads(stripped)
        items = data if isinstance(data, list) else [data]
    except json.JSONDecodeError:
        try:
            items = [json.loads(line) for line in stripped.splitlines() if line.strip()]
        except json.JSONDecodeError:
            return 0
    return sum(isinstance(item, dict) and bool(_ARTICLE_KEYS & item.keys()) for item in items)
