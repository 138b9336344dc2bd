"""A loopback TCP proxy that can play an unreachable server: `TcpProxy(5432).start()`.

`cut()` closes every open connection and refuses new ones (they are accepted and closed at
once, as a restarting server or a dropped route would); `stall()` closes the open ones and
leaves new ones unanswered (a black hole: the client's connect timeout must fire);
`freeze()` keeps every connection open but silently stops carrying bytes (a network partition:
only the client's own timeouts can save it); `restore()` forwards again.
"""

import contextlib
import socket
import threading
import time
from typing import Literal

Mode = Literal["forward", "refuse", "stall", "freeze"]


class TcpProxy:
    """Forward 127.0.0.1:<port> to 127.0.0.1:<target_port> until told otherwise."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.mode: Mode = "forward"
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False

    def start(self) -> "TcpProxy":
        """Start accepting connections in a background thread."""
        threading.Thread(target=self._accept_loop, name="tcp-proxy", daemon=True).start()
        return self

    def cut(self) -> None:
        """Drop every connection and refuse new ones."""
        self.mode = "refuse"
        self._drop_all()

    def stall(self) -> None:
        """Drop every connection; accept new ones but never answer them."""
        self.mode = "stall"
        self._drop_all()

    def freeze(self) -> None:
        """Carry no more bytes, on open connections or new ones, and close nothing."""
        self.mode = "freeze"

    def restore(self) -> None:
        """Forward new connections again."""
        self.mode = "forward"

    def close(self) -> None:
        """Stop listening and drop everything."""
        self._closed = True
        with contextlib.suppress(OSError):
            self._listener.close()
        self._drop_all()

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.mode == "refuse":
                client.close()
            elif self.mode in ("stall", "freeze"):
                self._track(client)
            else:
                self._connect(client)

    def _connect(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        self._track(client, upstream)
        for src, dst in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _track(self, *sockets: socket.socket) -> None:
        with self._lock:
            self._open.update(sockets)

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                while self.mode == "freeze":  # hold the bytes back until restored
                    time.sleep(0.05)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            self._close(src, dst)

    def _close(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with self._lock:
                self._open.discard(sock)
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def _drop_all(self) -> None:
        with self._lock:
            sockets = list(self._open)
        self._close(*sockets)
