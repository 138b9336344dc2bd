"""The rules behind feeds: which intervals cron keeps exactly, what is a feed, what is a teaser."""

import pytest

from app.errors import InvalidInput
from app.feeds.items import full_text, looks_like_feed
from app.feeds.polling import cron_for, describe_every, parse_every
from app.parsing.feeds import FeedItem
from tests.support.news_site import fixture


@pytest.mark.parametrize(
    ("every", "seconds", "cron"),
    [
        ("30s", 30, "*/30 * * * * *"),
        ("1m", 60, "7 */1 * * * *"),
        ("15m", 900, "7 */15 * * * *"),
        ("60m", 3600, "7 0 */1 * * *"),
        ("2H", 7200, "7 0 */2 * * *"),
        ("1d", 86400, "7 0 0 * * *"),
        (" 24h ", 86400, "7 0 0 * * *"),
    ],
)
def test_intervals_that_divide_the_next_unit_map_to_an_exact_cron(
    every: str, seconds: int, cron: str
) -> None:
    assert parse_every(every, minimum=1) == seconds
    assert cron_for(seconds, offset=67) == cron


@pytest.mark.parametrize("every", ["7m", "45s", "90m", "5h", "2d", "0m", "m", "15", "1w", ""])
def test_intervals_cron_cannot_keep_exactly_are_refused_naming_the_forms(every: str) -> None:
    with pytest.raises(InvalidInput, match="Nh with N dividing 24"):
        parse_every(every, minimum=1)


def test_an_interval_below_the_minimum_is_refused() -> None:
    with pytest.raises(InvalidInput, match="shortest interval is 60s"):
        parse_every("30s", minimum=60)


@pytest.mark.parametrize(
    ("seconds", "text"), [(30, "30s"), (900, "15m"), (7200, "2h"), (86400, "1d")]
)
def test_intervals_are_described_in_their_largest_unit(seconds: int, text: str) -> None:
    assert describe_every(seconds) == text


@pytest.mark.parametrize(
    "name", ["wordpress_rss2.xml", "atom.xml", "rss1_rdf.xml", "broken_rss.xml", "entity_bomb.xml"]
)
def test_rss_atom_and_rdf_documents_look_like_feeds(name: str) -> None:
    assert looks_like_feed(fixture(name))


@pytest.mark.parametrize(
    "body",
    [
        fixture("not_a_feed.xml"),
        b"<!DOCTYPE html><html><body>rss feed</body></html>",
        b"plain text",
    ],
)
def test_pages_and_text_do_not_look_like_feeds(body: bytes) -> None:
    assert not looks_like_feed(body)


def test_a_feed_content_type_is_a_feed_whatever_the_body() -> None:
    assert looks_like_feed(b"", "application/atom+xml")


def test_content_below_the_threshold_is_a_teaser_and_above_it_the_article() -> None:
    item = FeedItem(url="https://a.example/x", content_html="<p>" + "word " * 30 + "</p>")

    assert full_text(item, min_chars=200) is None
    assert full_text(item, min_chars=100) == ("word " * 30).strip()
    assert full_text(FeedItem(url="https://a.example/y"), min_chars=0) is None
