"""Telling one article from a dump of several stories in a text file."""

import json

import pytest

from app.feeds.stories import count_stories

BODY = (
    "The two delegations met for a second day on Tuesday and agreed to keep talking, officials "
    "said, although no date was set for the next session and the main issues remain open."
)


def _dump(heads: list[str]) -> str:
    return "\n\n".join(f"Story {i}\n{head}\n\n{BODY}" for i, head in enumerate(heads, 1))


def test_a_plain_article_is_one_story() -> None:
    assert count_stories(f"Talks resume\n\n{BODY}\n\n{BODY}") == 1


def test_links_at_the_foot_of_an_article_do_not_make_it_several() -> None:
    text = f"{BODY}\n\nRead more: https://news.test/a\nhttps://news.test/b\nhttps://news.test/c\n"
    assert count_stories(text) == 1


def test_one_source_line_is_one_story() -> None:
    assert count_stories(f"Source: https://news.test/story\n\n{BODY}") == 1


@pytest.mark.parametrize(
    "heads",
    [
        [f"https://news.test/{i}" for i in range(10)],
        [f"URL: https://news.test/{i}" for i in range(3)],
        [f"Title: Talks in city {i}" for i in range(4)],
    ],
)
def test_stories_each_with_a_url_or_title_line_are_counted(heads: list[str]) -> None:
    assert count_stories(_dump(heads)) == len(heads)


def test_json_exports_count_their_articles() -> None:
    items = [
        {"title": f"Story {i}", "url": f"https://news.test/{i}", "text": BODY} for i in range(3)
    ]
    assert count_stories(json.dumps(items)) == 3
    assert count_stories("\n".join(json.dumps(item) for item in items)) == 3


def test_text_that_only_looks_like_json_is_one_story() -> None:
    assert count_stories("[Updated] " + BODY) == 1
    assert count_stories("{not json} " + BODY) == 1
