"""Feeds: RSS 2.0, RSS 1.0 and Atom read safely from bytes, with items capped."""

import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.parsing.feeds import FeedError, parse_feed, read_feed_here

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"


def read(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def generated_feed(count: int) -> bytes:
    items = "".join(
        f"<item><title>Item {i}</title><link>https://big.example.com/{i}?utm_source=rss</link>"
        f"<guid>big-{i}</guid><pubDate>Mon, 02 Jun 2025 10:00:00 GMT</pubDate></item>"
        for i in range(count)
    )
    channel = f"<channel><title>Big</title>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


def test_wordpress_feed_items_have_clean_urls_dates_authors_and_full_content() -> None:
    feed = parse_feed(read("wordpress_rss2.xml"), max_items=200)
    assert feed.title == "Peace Archives - The Defense Post"
    assert feed.format == "rss20"
    assert not feed.bozo
    first = feed.items[0]
    assert first.url == "https://thedefensepost.com/2025/06/03/ceasefire-talks-doha/"
    assert first.title == "Warring Parties Agree to 30-Day Ceasefire After Talks in Doha"
    assert first.published_at == datetime(2025, 6, 3, 14, 21, 7, tzinfo=UTC)
    assert first.author == "Agence France-Presse"
    assert first.guid == "https://thedefensepost.com/?p=187421"
    assert first.content_html is not None
    assert "release prisoners held since January" in first.content_html


def test_item_without_content_encoded_has_no_content_and_must_be_fetched() -> None:
    feed = parse_feed(read("wordpress_rss2.xml"), max_items=200)
    last = feed.items[-1]
    assert last.url == "https://thedefensepost.com/2025/05/30/second-round-peace-talks/"
    assert last.content_html is None
    assert last.summary_html is not None
    assert len(feed.items) == 3


def test_atom_feed_with_content_and_with_summary_only() -> None:
    feed = parse_feed(read("atom.xml"), max_items=200)
    assert feed.format == "atom10"
    full, bare = feed.items
    assert full.url == "https://monitor.example.org/2025/06/truce-extended"
    assert full.published_at == datetime(2025, 6, 4, 6, 30, tzinfo=UTC)
    assert full.author == "Amina Yusuf"
    assert full.content_html is not None
    assert "extended by two weeks" in full.content_html
    assert bare.content_html is None
    assert bare.published_at == datetime(2025, 6, 3, 18, 0, tzinfo=UTC)


def test_rss1_rdf_feed_is_read() -> None:
    feed = parse_feed(read("rss1_rdf.xml"), max_items=200)
    assert feed.format == "rss10"
    assert [i.url for i in feed.items] == ["https://rdf.example.org/accord-signed"]
    assert feed.items[0].published_at == datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_broken_feed_with_items_is_read_with_a_warning() -> None:
    feed = parse_feed(read("broken_rss.xml"), max_items=200)
    assert feed.bozo
    assert feed.bozo_message
    assert feed.items[0].url == "https://wire.example.net/ceasefire-holds"
    assert feed.items[1].published_at is None


def test_document_that_is_not_a_feed_is_refused() -> None:
    with pytest.raises(FeedError) as refused:
        parse_feed(read("not_a_feed.xml"), max_items=200)
    assert refused.value.status_code == 422


@pytest.mark.parametrize("body", [b"", b"   ", b"\x00\x01garbage<<<"])
def test_empty_or_garbage_body_is_refused(body: bytes) -> None:
    with pytest.raises(FeedError):
        parse_feed(body, max_items=200)


def test_ten_thousand_item_feed_is_capped() -> None:
    feed = parse_feed(generated_feed(10_000), max_items=200)
    assert len(feed.items) == 200
    assert feed.truncated == 9_800
    assert feed.items[0].url == "https://big.example.com/0"
    assert feed.items[-1].url == "https://big.example.com/199"


@pytest.mark.parametrize("name", ["entity_bomb.xml", "external_entity.xml"])
def test_entity_declarations_are_refused(name: str) -> None:
    with pytest.raises(FeedError, match="unsafe XML"):
        parse_feed(read(name), max_items=200)


def test_broken_xml_with_an_entity_declaration_is_still_refused() -> None:
    body = b'<!DOCTYPE rss [<!ENTITY x SYSTEM "http://evil.example/">]><rss><channel><item>&x;'
    with pytest.raises(FeedError, match="unsafe XML"):
        parse_feed(body, max_items=200)


def test_parsing_opens_no_network_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("feed parsing tried to open a connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    body = (
        b'<?xml version="1.0"?><?xml-stylesheet href="http://evil.example/s.xsl"?>'
        b'<rss version="2.0" xml:base="http://evil.example/"><channel><title>t</title>'
        b"<item><link>https://ok.example/a</link><description>&lt;img src=&quot;/x.png&quot;&gt;"
        b"</description></item></channel></rss>"
    )
    # The parser itself, as the child process runs it (connecting to that child is not parsing).
    feed = read_feed_here(body, max_items=5)
    assert [i.url for i in feed.items] == ["https://ok.example/a"]


def test_items_without_http_links_are_skipped() -> None:
    body = (
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item><title>no link</title></item>"
        b"<item><link>javascript:alert(1)</link></item>"
        b"<item><link>https://ok.example/b</link></item></channel></rss>"
    )
    feed = parse_feed(body, max_items=10)
    assert [i.url for i in feed.items] == ["https://ok.example/b"]
    assert feed.skipped == 2
