"""What a fetch may do: time, size, redirects, content types and the internal hosts allowed."""

from dataclasses import dataclass, field

from app.config import Settings, get_settings
from app.fetching.allowlist import AllowList

DEFAULT_CONTENT_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
    }
)


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one fetch; build it from settings with `FetchPolicy.from_settings()`."""

    timeout_seconds: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    content_types: frozenset[str] = DEFAULT_CONTENT_TYPES
    allow: AllowList = field(default_factory=AllowList)
    user_agent: str = "Parley/0.1 (news reader; conflict negotiation records)"

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> "FetchPolicy":
        """The policy the `PARLEY_FETCH_*` settings describe."""
        s = settings or get_settings()
        return cls(
            timeout_seconds=s.fetch_timeout_seconds,
            max_bytes=s.fetch_max_bytes,
            max_redirects=s.fetch_max_redirects,
            allow=AllowList.parse(s.fetch_allow_hosts),
            user_agent=s.fetch_user_agent,
        )
