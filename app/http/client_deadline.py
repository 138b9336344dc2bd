"""A deadline for each request to arrive whole, head and body: `parley serve`'s guard against
clients that send slowly (slowloris).

uvicorn has no such limit. Its one timer, `timeout_keep_alive`, starts when a response ends and
is cancelled by every byte received; a connection that has sent nothing yet, or that sends a
byte a second, is held for as long as the client likes (uvicorn issue #1192; its h11 and
httptools protocols alike), and enough of them hold every connection the server takes
(`limit_concurrency`): then everyone, `/healthz` included, is answered 503. ASGI middleware
cannot help, as the app is called only once the head has arrived.

So `parley serve` runs this subclass of uvicorn's h11 protocol: a request must arrive whole
within PARLEY_CLIENT_TIMEOUT_SECONDS of its first byte (of the connection's opening, for the
first request). Then, unless an answer is already under way, the client is answered 408 and
the connection closed. Idle keep-alive connections stay uvicorn's business.
"""

import asyncio
import logging
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from app.config import get_settings

log = logging.getLogger(__name__)
# The client's h11 states while bytes of its request are still due.
_ARRIVING = (h11.IDLE, h11.SEND_BODY)
_MESSAGE = b"the request did not arrive in time"
_REQUEST_TIMEOUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(_MESSAGE), _MESSAGE)
)


class ClientDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, with a deadline for every request to arrive whole."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        # Read per connection, from the settings `parley serve` (and each of its workers) reads.
        self.client_timeout = get_settings().client_timeout_seconds
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._deadline is None and self.conn.their_state in _ARRIVING:
            self._arm()  # the next request on a kept-alive connection begins
        super().data_received(data)
        self._disarm_once_arrived()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._disarm_once_arrived()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(self.client_timeout, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _disarm_once_arrived(self) -> None:
        if self.conn.their_state not in _ARRIVING:
            self._disarm()

    def _expire(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        answering = cycle is not None and cycle.response_started and not cycle.response_complete
        if not answering:
            self.transport.write(_REQUEST_TIMEOUT)
        log.warning("a client sent its request too slowly (%gs): disconnected", self.client_timeout)
        self.transport.close()
