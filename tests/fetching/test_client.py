"""URL checks before any fetch: host names the resolver could not take are refused, naming why."""

import pytest

from app.fetching.client import parse_url
from app.fetching.errors import ForbiddenURL


@pytest.mark.parametrize(
    "url",
    [
        "https://news.example.org/story",
        "https://news.example.org./story",
        "https://my_site.example.org/story",
        f"https://{'a' * 63}.example.org/story",
        "https://münchen.example/story",
        "https://xn--mnchen-3ya.example/story",
        "http://[2606:4700::1]/story",
        "http://203.0.113.7/story",
    ],
)
def test_host_names_the_resolver_can_take_are_accepted(url: str) -> None:
    assert parse_url(url).host


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://xn--.com/", "invalid IDNA label xn--"),
        ("http://news.xn--zz.example/", "invalid IDNA label xn--zz"),
        ("http://xn--ls8h.example/", "not a valid IDNA name"),
        (f"http://{'a' * 64}.com/", "longer than 63 characters"),
        ("http://a..example/", "empty label"),
        ("http://.example/", "empty label"),
        (f"http://{'a' * 60}.{'b' * 60}.{'c' * 60}.{'d' * 60}.example.org/", "longer than 253"),
    ],
)
def test_host_names_the_resolver_cannot_take_are_refused_naming_why(url: str, reason: str) -> None:
    with pytest.raises(ForbiddenURL) as refused:
        parse_url(url)

    assert reason in refused.value.message
    assert refused.value.status_code == 422
