"""`parley serve` bounds what one client can hold: an oversized request head is refused at
once, a request sent slowly is cut at the client timeout, and forwarded-for headers are believed
only from configured proxies."""

import contextlib
import select
import socket
import time
from pathlib import Path

import pytest

from tests.support.processes import Cluster, Server

pytestmark = pytest.mark.slow


def served(cluster: Cluster, tmp_path: Path, **env: str) -> Server:
    settings = {
        "PARLEY_DATABASE_URL": f"sqlite:///{tmp_path / 'parley.db'}",
        "PARLEY_EXTRACTOR": "rules",
        "PARLEY_LOG_FORMAT": "text",
        **env,
    }
    return cluster.serve("api", settings)


def raw_request(server: Server, head: bytes) -> bytes:
    """Send a request head as bytes; what the server answers before closing."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as conn:
        # The server may close before it has read everything we send.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.sendall(head)
        return conn.recv(4096)


def test_an_oversized_header_is_refused_and_the_server_keeps_answering(
    cluster: Cluster, tmp_path: Path
) -> None:
    server = served(cluster, tmp_path, PARLEY_MAX_HEADER_BYTES="8192")
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + b"k" * 1_000_000

    answer = raw_request(server, head + b"\r\n\r\n")

    assert answer.startswith(b"HTTP/1.1 400")
    assert server.get("/healthz").status_code == 200


def test_forwarded_for_from_an_untrusted_client_does_not_pick_its_rate_limit_bucket(
    cluster: Cluster, tmp_path: Path
) -> None:
    server = served(
        cluster, tmp_path, PARLEY_RATE_LIMIT_PER_MINUTE="1", PARLEY_RATE_LIMIT_BURST="2"
    )
    codes = [
        server.get("/v1/records", headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
        for n in range(4)
    ]

    assert codes == [200, 200, 429, 429]


def connect(server: Server) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=15)


def drip(conn: socket.socket, data: bytes, *, within: float) -> tuple[float | None, bytes]:
    """Send `data` a byte a second; the seconds until the server closed the connection (None if
    it was still open after `within` seconds), and what it answered before closing."""
    started = time.monotonic()
    for byte in data:
        if time.monotonic() - started > within:
            return None, b""
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.sendall(bytes([byte]))
        readable, _, _ = select.select([conn], [], [], 1.0)
        if readable:
            answer = b""
            with contextlib.suppress(ConnectionResetError):
                while chunk := conn.recv(4096):
                    answer += chunk
            return time.monotonic() - started, answer
    return None, b""


SLOW_HEAD = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 100


def test_a_client_sending_its_head_a_byte_a_second_is_cut_at_the_timeout(
    cluster: Cluster, tmp_path: Path
) -> None:
    server = served(cluster, tmp_path, PARLEY_CLIENT_TIMEOUT_SECONDS="2")
    with connect(server) as conn:
        closed_after, answer = drip(conn, SLOW_HEAD, within=10)

    assert closed_after is not None, "the slow client still held its connection after 10 s"
    assert closed_after < 4.0
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert server.get("/healthz").status_code == 200


def test_slow_bodies_holding_every_connection_are_cut_and_the_server_answers_again(
    cluster: Cluster, tmp_path: Path
) -> None:
    server = served(
        cluster, tmp_path, PARLEY_CLIENT_TIMEOUT_SECONDS="2", PARLEY_MAX_CONNECTIONS="8"
    )
    head = (
        b"POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 200\r\n\r\n"
    )
    slow = [connect(server) for _ in range(7)]  # and the health check makes eight
    for conn in slow:
        conn.sendall(head + b'{"text": "')
    time.sleep(0.5)
    try:
        held = server.get("/healthz").status_code
        closed_after, _ = drip(slow[0], b"a" * 100, within=10)
        answered = server.get("/healthz").status_code
    finally:
        for conn in slow:
            conn.close()

    assert held == 503  # every connection the server takes is held by a slow client
    assert closed_after is not None, "the slow bodies still held the server after 10 s"
    assert closed_after < 4.0
    assert answered == 200
