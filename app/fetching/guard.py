"""An httpx transport that only opens connections to publicly routable addresses.

The check lives where the connection opens: the host is resolved once, every address it
resolves to is checked, and the socket goes to a checked IP literal, never back to the name.
A second lookup (DNS rebinding) therefore has nothing to change. TLS still uses the original
hostname: httpcore calls `start_tls(server_hostname=<url host>)` on the stream we return.
"""

import asyncio
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpcore
import httpx
from httpcore._backends.auto import AutoBackend

from app.fetching.addresses import IPAddress, is_forbidden, parse_host_address
from app.fetching.allowlist import AllowList
from app.fetching.errors import ForbiddenURL, UpstreamError

Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]


async def resolve_host(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to, via the event loop's getaddrinfo."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        transient = exc.errno == socket.EAI_AGAIN
        raise UpstreamError(f"cannot resolve host {host}", transient=transient) from exc
    addresses: list[IPAddress] = []
    for *_, sockaddr in infos:
        ip = parse_host_address(str(sockaddr[0]))
        if ip is not None and ip not in addresses:
            addresses.append(ip)
    return addresses


def refuse_forbidden(addresses: Iterable[IPAddress], host: str | None = None) -> None:
    """Raise `ForbiddenURL` if any address is not publicly routable.

    The error names the address only when the URL spelled it (`host` None); for a host name it
    never says what the name resolves to, which would map a private network for a stranger.
    """
    for ip in addresses:
        if is_forbidden(ip):
            if host is None:
                raise ForbiddenURL(f"address {ip} is not publicly routable")
            raise ForbiddenURL(f"host {host} resolves to an address that is not publicly routable")


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """A network backend that resolves, checks and then connects to the checked IP."""

    def __init__(
        self,
        allow: AllowList,
        *,
        resolver: Resolver | None = None,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._allow = allow
        self._resolve = resolver or resolve_host
        self._inner = inner or AutoBackend()

    async def checked_addresses(self, host: str, port: int) -> list[IPAddress]:
        """The addresses a connection to `host:port` may use; raises if any is forbidden."""
        literal = parse_host_address(host)
        addresses = [literal] if literal is not None else await self._resolve(host, port)
        if not addresses:
            raise UpstreamError(f"host {host} has no address")
        if not self._allow.allows(host, port):
            refuse_forbidden(addresses, None if literal is not None else host)
        return addresses

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Open a TCP connection to one of the checked addresses of `host`."""
        last_error: Exception | None = None
        for ip in await self.checked_addresses(host, port):
            try:
                return await self._inner.connect_tcp(
                    str(ip), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Unix sockets are local by definition: never."""
        raise ForbiddenURL("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        """Delegate to the wrapped backend."""
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """`httpx.AsyncHTTPTransport` whose every connection goes through `GuardedBackend`.

    Proxies from the environment are ignored on purpose: a proxy would make the connection,
    and the guard would only ever see the proxy's address.
    """

    def __init__(
        self,
        allow: AllowList | None = None,
        *,
        resolver: Resolver | None = None,
        inner: httpcore.AsyncNetworkBackend | None = None,
        verify: bool = True,
    ) -> None:
        super().__init__(verify=verify, trust_env=False)
        self.backend = GuardedBackend(allow or AllowList(), resolver=resolver, inner=inner)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            network_backend=self.backend,
            http1=True,
            http2=False,
        )
