"""Canonical URLs: one stored URL per article, whatever link led to it."""

import pytest

from app.fetching.canonical import canonical_url, is_tracking_param


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://Example.COM/News/Story", "https://example.com/News/Story"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com./a", "https://example.com/a"),
        ("https://user:secret@example.com/a", "https://example.com/a"),
        ("https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"),
    ],
)
def test_scheme_host_port_and_fragment_are_normalised(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_tracking_parameters_are_dropped_and_the_rest_kept_in_order() -> None:
    url = (
        "https://thedefensepost.com/2025/06/03/story/?utm_source=rss&utm_medium=rss"
        "&utm_campaign=story&page=2&fbclid=IwAR0&gclid=x&b=1&a=2&mc_cid=1&mc_eid=2"
    )
    assert canonical_url(url) == "https://thedefensepost.com/2025/06/03/story/?page=2&b=1&a=2"


def test_query_spelling_is_preserved() -> None:
    assert (
        canonical_url("https://e.com/s?q=peace%20talks&x=a+b")
        == "https://e.com/s?q=peace%20talks&x=a+b"
    )


def test_url_with_only_tracking_parameters_loses_its_question_mark() -> None:
    assert canonical_url("https://e.com/a?utm_source=x&ref=rss") == "https://e.com/a"


@pytest.mark.parametrize(
    "name",
    [
        "utm_source",
        "UTM_Campaign",
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "igshid",
        "yclid",
        "_ga",
        "ref",
    ],
)
def test_known_tracking_names_are_recognised(name: str) -> None:
    assert is_tracking_param(name)


@pytest.mark.parametrize("name", ["id", "p", "page", "article", "q", "reference"])
def test_content_parameters_are_not_tracking(name: str) -> None:
    assert not is_tracking_param(name)


def test_canonicalising_twice_changes_nothing() -> None:
    once = canonical_url("HTTP://A.example.com:80/x/?utm_term=1&k=v#f")
    assert canonical_url(once) == once
