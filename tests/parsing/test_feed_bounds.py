"""Feed bytes bounded before feedparser: items past the cap cut out, person names cut short,
the rest of the document as it was."""

from app.parsing.feed_bounds import PERSON_BYTES, bound_feed, cut_items, cut_people
from app.parsing.feeds import read_feed_here


def rss(*items: str) -> bytes:
    return f"<rss version='2.0'><channel><title>t</title>{''.join(items)}</channel></rss>".encode()


def test_items_past_the_cap_are_cut_and_the_closing_tags_kept() -> None:
    body = rss(*(f"<item><link>https://a.example/{i}</link></item>" for i in range(5)))

    cut, listed = cut_items(body, 2)

    assert listed == 5
    assert cut == rss(*(f"<item><link>https://a.example/{i}</link></item>" for i in range(2)))


def test_atom_entries_with_a_namespace_prefix_are_counted_as_items() -> None:
    entry = "<a:entry><a:link href='https://a.example/x'/></a:entry>"
    body = f"<a:feed xmlns:a='http://www.w3.org/2005/Atom'>{entry * 3}</a:feed>".encode()

    cut, listed = cut_items(body, 1)

    assert listed == 3
    assert cut.count(b"<a:entry>") == 1
    assert cut.endswith(b"</a:feed>")


def test_a_feed_within_the_cap_is_left_as_it_is() -> None:
    body = rss("<item><author>Amina Yusuf</author></item>")

    assert bound_feed(body, 10) == (body, 1)


def people(name: str, title: str) -> bytes:
    return (
        f"<rss><channel><managingEditor>{name}</managingEditor><item><dc:creator><![CDATA[{name}"
        f"]]></dc:creator><title>{title}</title><author x='1'>{name}</author></item></channel>"
    ).encode()


def test_long_person_names_are_cut_in_text_and_in_cdata() -> None:
    long = "b" * 10_000

    assert cut_people(people(long, long)) == people("b" * PERSON_BYTES, long)


def test_a_cut_never_splits_a_reference_or_a_character() -> None:
    entity = b"<author>" + b"a" * (PERSON_BYTES - 3) + b"&amp;rest</author>"
    accented = b"<author>" + b"a" * (PERSON_BYTES - 1) + "é".encode() + b"</author>"

    assert cut_people(entity) == b"<author>" + b"a" * (PERSON_BYTES - 3) + b"</author>"
    assert cut_people(accented) == b"<author>" + b"a" * (PERSON_BYTES - 1) + b"</author>"


def test_self_closing_and_atom_person_elements_are_read_right() -> None:
    long = "c" * 2_000
    body = f"<entry><author><name>{long}</name><email/></author></entry>".encode()

    assert (
        cut_people(body)
        == f"<entry><author><name>{'c' * 500}</name><email/></author></entry>".encode()
    )


def test_the_parsed_feed_still_says_how_many_items_were_left_out() -> None:
    body = rss(*(f"<item><link>https://a.example/{i}</link></item>" for i in range(50)))

    feed = read_feed_here(body, max_items=10)

    assert [i.url for i in feed.items] == [f"https://a.example/{i}" for i in range(10)]
    assert feed.truncated == 40
