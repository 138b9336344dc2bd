"""Readable text from an HTML fragment that is already the article (a feed's full content).

No boilerplate detection here: `content:encoded` is the article as the publisher wrote it, and
an extractor tuned for whole pages would drop short paragraphs of it.
"""

import re

import lxml.html  # type: ignore[import-untyped]
from lxml.etree import ParserError  # type: ignore[import-untyped]

_DROPPED = ("script", "style", "noscript", "iframe", "template", "svg", "form", "button")
_BLOCKS = frozenset(
    {
        *("p", "div", "br", "hr", "li", "ul", "ol", "dt", "dd", "pre", "blockquote"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "figure", "figcaption"),
        *("section", "article", "header", "footer"),
    }
)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def text_from_html(html: str) -> str:
    """Paragraphs of an HTML fragment as lines of text, scripts and styles removed."""
    if not html.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (ParserError, ValueError):
        return html.strip()
    for element in list(root.iter(*_DROPPED)):
        element.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
            element.tail = "\n" + (element.tail or "")
            if element.tag.lower() in ("p", "li", "h1", "h2", "h3", "blockquote"):
                element.text = "\n" + (element.text or "")
    lines = (_SPACES.sub(" ", line).strip() for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)
