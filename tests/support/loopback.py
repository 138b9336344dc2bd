"""Real loopback HTTP servers and a recording network backend for the fetching tests.

The servers bind to
127.0.0.1 only, and `LoopbackOnlyBackend` refuses to open a socket anywhere but loopback, so
a broken guard can never send a packet off this machine.
"""

import gzip
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpcore
from httpcore._backends.auto import AutoBackend

Route = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Received:
    """One request a loopback server received."""

    method: str
    path: str
    headers: dict[str, str]


def send(
    handler: BaseHTTPRequestHandler,
    status: int = 200,
    body: bytes = b"<html><body><p>hello</p></body></html>",
    headers: dict[str, str] | None = None,
) -> None:
    """Write a complete response with a Content-Length."""
    handler.send_response(status)
    all_headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
    for name, value in all_headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def redirect_to(location: str, status: int = 302) -> Route:
    """A route answering with a redirect."""
    return lambda h: send(h, status, b"", {"Location": location})


def dribble(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """Headers at once, then one byte every 0.1 s until stopped or 10 s have passed."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    deadline = time.monotonic() + 10
    try:
        while not stop.is_set() and time.monotonic() < deadline:
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.1)
    except OSError:
        return


def gzip_bomb(inflated_bytes: int) -> bytes:
    """A small gzip body that inflates to `inflated_bytes` zeros."""
    return gzip.compress(b"\0" * inflated_bytes, compresslevel=9)


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 that records every request it receives."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.routes: dict[str, Route] = {}
        self.stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.received.append(Received("GET", self.path, dict(self.headers.items())))
                route = server.routes.get(self.path.split("?")[0])
                (route or send)(self)

            def log_message(self, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        """A URL on this server, optionally spelled with another host."""
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> "LoopbackServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class LoopbackOnlyBackend(httpcore.AsyncNetworkBackend):
    """Records every connect; opens only loopback sockets, optionally mapping fake public IPs.

    `public_to_port` lets a test pretend a public address is served by a loopback server.
    """

    public_to_port: dict[str, int] = field(default_factory=dict)
    connects: list[tuple[str, int]] = field(default_factory=list)
    inner: AutoBackend = field(default_factory=AutoBackend)

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore signature
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connects.append((host, port))
        if host in self.public_to_port:
            return await self.inner.connect_tcp("127.0.0.1", self.public_to_port[host], timeout)
        if host != "127.0.0.1":
            raise httpcore.ConnectError(f"test backend refuses {host}")
        return await self.inner.connect_tcp(host, port, timeout, local_address, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
