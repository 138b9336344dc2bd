"""Fuzzed URLs: whatever a stranger posts, validation answers with a Parley error (a 4xx) or
a URL that canonicalises, never with another exception (a 500)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from app.errors import ParleyError
from app.fetching.canonical import canonical_url
from app.fetching.client import validate_url
from app.fetching.policy import FetchPolicy

POLICY = FetchPolicy()
LABEL = st.text(max_size=70)
HOSTS = st.one_of(
    LABEL,
    st.lists(LABEL, min_size=1, max_size=5).map(".".join),
    st.sampled_from(["xn--", "xn--zz", "127.0.0.1", "[::1]", "[oops", "0x7f.1", "a" * 64]),
)
URLS = st.one_of(
    st.text(max_size=200),
    st.builds(
        lambda scheme, host, port, path, query: f"{scheme}://{host}{port}/{path}?{query}",
        st.sampled_from(["http", "https", "HTTP", "ftp", "javascript", ""]),
        HOSTS,
        st.sampled_from(["", ":80", ":99999", ":-1", ":x"]),
        st.text(max_size=40),
        st.text(max_size=40),
    ),
)


@settings(max_examples=400, deadline=None)
@given(URLS)
def test_validation_answers_every_url_with_a_parley_error_or_a_canonical_url(url: str) -> None:
    try:
        validate_url(url, POLICY)
    except ParleyError:
        return
    assert canonical_url(url).startswith(("http://", "https://"))
