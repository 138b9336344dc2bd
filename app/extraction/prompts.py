"""Versioned extraction prompts, read from `prompts/<name>/<vN>/` wherever Parley runs.

A version string such as `extract-v1` names `prompts/extract/v1/`, which holds `system.md` (the
stable instructions, sent first so provider prompt caching applies) and `user.md` (the template
of the message that carries the article last). The version is stored with every extraction.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from app.config import resource_dir
from app.extraction.contract import ArticleInput

_VERSION = re.compile(r"^(?P<name>[a-z][a-z_]*)-(?P<rev>v\d+)$")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
_FIELDS = frozenset({"title", "source", "published", "part", "tag", "text"})
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Part:
    """Which chunk of a long article a message carries (1-based)."""

    number: int
    total: int


@dataclass(frozen=True)
class Prompt:
    """One prompt version: fixed system instructions and the article message template."""

    version: str
    system: str
    user_template: str

    def user_message(self, article: ArticleInput, text: str, part: Part | None = None) -> str:
        """The user message for `text` (the article or one chunk of it), metadata first."""
        tag = fence_tag(text)
        values = {
            "title": article.title or UNKNOWN,
            "source": article.source or UNKNOWN,
            "published": describe_date(article.published_at),
            "part": describe_part(part),
            "tag": tag,
            "text": text,
        }
        # One pass: substituted values (the article) are never scanned for placeholders.
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], self.user_template)

    def messages(
        self, article: ArticleInput, text: str, part: Part | None = None
    ) -> list[dict[str, str]]:
        """Chat messages: the instructions as system message, the article as user data."""
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": self.user_message(article, text, part)},
        ]


def fence_tag(text: str) -> str:
    """A tag name whose closing tag the text does not contain, so it cannot end the fence."""
    tag, n = "article", 1
    while f"</{tag}" in text.lower():
        n += 1
        tag = f"article-{n}"
    return tag


def describe_date(published: datetime | None) -> str:
    """The publication date with its weekday, which helps resolve 'on Monday'."""
    if published is None:
        return f"{UNKNOWN} (leave relative dates unresolved unless the text gives the year)"
    return f"{published:%Y-%m-%d} ({published:%A})"


def describe_part(part: Part | None) -> str:
    """A line telling the model it sees one part of a longer article, or nothing."""
    if part is None or part.total == 1:
        return ""
    return (
        f"This message carries part {part.number} of {part.total} of a long article; parts "
        "overlap a little. Extract what this part reports.\n"
    )


@lru_cache
def load_prompt(version: str) -> Prompt:
    """Load and check a prompt version such as `extract-v1`."""
    match = _VERSION.match(version)
    if match is None:
        raise ValueError(f"prompt version must look like 'extract-v1', got {version!r}")
    folder = resource_dir("prompts") / match["name"] / match["rev"]
    system = (folder / "system.md").read_text(encoding="utf-8").strip()
    template = (folder / "user.md").read_text(encoding="utf-8")
    unknown = set(_PLACEHOLDER.findall(template)) - _FIELDS
    if unknown or "{{text}}" not in template:
        raise ValueError(f"prompt {version}: bad placeholders {sorted(unknown)} or no {{{{text}}}}")
    return Prompt(version=version, system=system, user_template=template)
