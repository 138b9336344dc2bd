"""Fuzzed feeds: whatever XML a stranger posts, the feed parser gives a feed or a Parley error
(a 4xx), never another exception. The parser itself is fuzzed here, in this process; in the
service it runs in a child (see test_isolation)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import ParleyError
from app.parsing.feeds import read_feed_here

TEXT = st.text(max_size=60)
PIECES = st.one_of(
    TEXT,
    st.sampled_from(
        [
            "&amp;",
            "&#0;",
            "&#xDC00;",
            "&#x110000;",
            "&nosuch;",
            "<![CDATA[<p>x</p>]]>",
            "http://[oops/",
            "https://xn--.com/a",
            "0000-00-00",
            "Mon, 32 Foo 2025 99:99:99 GMT",
            "<b>",
            "]]>",
        ]
    ),
)


def item(title: str, link: str, date: str, body: str) -> str:
    return (
        f"<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate>"
        f"<description>{body}</description><author>{title}</author></item>"
    )


FEEDS = st.one_of(
    st.binary(max_size=300),
    st.builds(
        lambda channel, items: (
            f"<?xml version='1.0'?><rss version='2.0'><channel><title>{channel}</title>"
            f"{''.join(items)}</channel></rss>"
        ).encode("utf-8", "surrogatepass"),
        PIECES,
        st.lists(st.builds(item, PIECES, PIECES, PIECES, PIECES), max_size=4),
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FEEDS)
def test_the_feed_parser_answers_every_document_with_a_feed_or_a_parley_error(
    body: bytes,
) -> None:
    try:
        feed = read_feed_here(body, 5)
    except ParleyError:
        return
    assert len(feed.items) <= 5
    for entry in feed.items:
        assert entry.url.startswith(("http://", "https://"))
