"""`parley serve` bounds what one client can hold: an oversized request head is refused at
once, and forwarded-for headers are believed only from configured proxies."""

import contextlib
import socket
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
