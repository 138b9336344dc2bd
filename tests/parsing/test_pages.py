"""Main text and metadata of fetched pages."""

from datetime import UTC, datetime
from pathlib import Path

from app.parsing.pages import extract_page, text_from_html

PAGES = Path(__file__).parents[1] / "fixtures" / "pages"
PAGE_URL = "https://frontline.example.com/world/story?utm_source=newsletter"


def read(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def test_article_text_keeps_the_paragraphs_and_drops_navigation() -> None:
    page = extract_page(read("article_without_canonical.html"), PAGE_URL)
    assert "observers from the regional bloc would monitor the front line" in page.text
    assert "signing ceremony could take place next week" in page.text
    assert "Subscribe" not in page.text
    assert "Most read" not in page.text
    assert "All rights reserved" not in page.text


def test_metadata_comes_from_the_page() -> None:
    page = extract_page(read("article_without_canonical.html"), PAGE_URL)
    assert page.title == "Ceasefire deal within reach as talks enter third day"
    assert page.author == "Maria Okafor"
    assert page.site_name == "Frontline Review"
    assert page.published_at == datetime(2025, 5, 22, tzinfo=UTC)
    assert page.language == "fr"


def test_page_without_canonical_has_none() -> None:
    assert extract_page(read("article_without_canonical.html"), PAGE_URL).canonical_url is None


def test_rel_canonical_wins_over_og_url_and_is_resolved_and_cleaned() -> None:
    page = extract_page(read("article_with_canonical.html"), PAGE_URL)
    assert page.canonical_url == (
        "https://frontline.example.com/world/2025/05/22/ceasefire-deal-within-reach/?id=42"
    )


def test_og_url_is_used_when_there_is_no_rel_canonical() -> None:
    page = extract_page(read("article_with_og_url_only.html"), PAGE_URL)
    assert page.canonical_url == "https://frontline.example.com/world/ceasefire-deal"
    assert page.language == "en"


def test_plain_text_body_is_its_own_text() -> None:
    body = "Cessez-le-feu annoncé.\n\nBoth sides agreed.\n".encode()
    page = extract_page(body, "https://x.example/a.txt", content_type="text/plain")
    assert page.text == "Cessez-le-feu annoncé.\n\nBoth sides agreed."
    assert page.title is None


def test_empty_body_gives_empty_text() -> None:
    assert extract_page(b"", PAGE_URL).text == ""


def test_feed_content_html_becomes_paragraph_lines() -> None:
    html = (
        "<figure><img src='x.jpg'><figcaption>Delegations</figcaption></figure>"
        "<p>The truce holds.</p><p>Talks resume&nbsp;<b>Monday</b>.</p>"
        "<script>track()</script><ul><li>Point one</li><li>Point two</li></ul>"
    )
    assert (
        text_from_html(html)
        == "Delegations\nThe truce holds.\nTalks resume Monday.\nPoint one\nPoint two"
    )


def test_empty_fragment_gives_empty_text() -> None:
    assert text_from_html("  ") == ""
