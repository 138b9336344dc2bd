"""One URL per article: the form we store and deduplicate on.

Rules: scheme and host lower case; credentials, default port, fragment and tracking parameters
(`data/tracking_params.yaml`) removed; an empty path becomes `/`. The remaining parameters keep
their order and their exact spelling: the canonical URL must still be the page's address, and
re-encoding or sorting could change what some servers return.
"""

from functools import lru_cache
from importlib import resources
from urllib.parse import SplitResult, unquote_plus, urlsplit, urlunsplit

import yaml

_DEFAULT_PORTS = {"http": 80, "https": 443}


@lru_cache(maxsize=1)
def _tracking_rules() -> tuple[tuple[str, ...], frozenset[str]]:
    """Prefixes and exact names of tracking parameters, read once from the data file."""
    text = resources.files("app.fetching").joinpath("data/tracking_params.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    prefixes = tuple(p.lower() for p in data["prefixes"])
    return prefixes, frozenset(name.lower() for name in data["exact"])


def is_tracking_param(name: str) -> bool:
    """Whether a query parameter name only tracks the visit."""
    prefixes, exact = _tracking_rules()
    lowered = unquote_plus(name).strip().lower()
    return lowered in exact or lowered.startswith(prefixes)


def _clean_query(query: str) -> str:
    """The query without tracking parameters or empty pieces, otherwise untouched."""
    kept = [
        pair for pair in query.split("&") if pair and not is_tracking_param(pair.split("=", 1)[0])
    ]
    return "&".join(kept)


def _netloc(scheme: str, parts: SplitResult) -> str:
    """Lower-case host without a trailing dot, no default port, no credentials."""
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    keep_port = port is not None and port != _DEFAULT_PORTS.get(scheme)
    return f"{host}:{port}" if keep_port else host


def canonical_url(url: str) -> str:
    """The canonical form of `url` (see the module docstring for the rules)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    return urlunsplit(
        (scheme, _netloc(scheme, parts), parts.path or "/", _clean_query(parts.query), "")
    )
