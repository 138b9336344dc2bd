"""Hosts an operator explicitly lets Parley fetch although they are internal (a newsroom CMS)."""

from dataclasses import dataclass

from app.fetching.addresses import parse_host_address


def _normal_host(host: str) -> str:
    """A host as compared against the list: lower case, IP literals in canonical form."""
    ip = parse_host_address(host)
    return str(ip) if ip is not None else host.strip().lower().rstrip(".")


def _split_entry(entry: str) -> tuple[str, int | None]:
    """`host`, `host:port`, `[v6]` or `[v6]:port` into host and optional port."""
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        port = rest.removeprefix(":")
        return host, int(port) if port else None
    if entry.count(":") == 1:
        host, port = entry.split(":")
        return host, int(port)
    return entry, None


@dataclass(frozen=True)
class AllowList:
    """`host` entries allow every port, `host:port` entries only that port."""

    any_port: frozenset[str] = frozenset()
    with_port: frozenset[tuple[str, int]] = frozenset()

    @classmethod
    def parse(cls, spec: str) -> "AllowList":
        """Read the comma-separated `PARLEY_FETCH_ALLOW_HOSTS` value."""
        any_port: set[str] = set()
        with_port: set[tuple[str, int]] = set()
        for raw in spec.split(","):
            if not raw.strip():
                continue
            host, port = _split_entry(raw.strip())
            if port is None:
                any_port.add(_normal_host(host))
            else:
                with_port.add((_normal_host(host), port))
        return cls(frozenset(any_port), frozenset(with_port))

    def allows(self, host: str, port: int) -> bool:
        """Whether `host:port` was explicitly allowed."""
        normal = _normal_host(host)
        return normal in self.any_port or (normal, port) in self.with_port
