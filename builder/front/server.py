"""The front's event loop: the public port's connections in, one gunicorn connection per
request out (builder/front/client.py and backend.py), a sweep each second for deadlines.

A loop of its own over `selectors` rather than asyncio: every published endpoint's call
passes through here, and asyncio's handles, transports and futures cost about as much
again as the front's own work (99 Python calls a request here, 152 with asyncio's loop
and transports; docs/deploy.md has the CPU figures).
"""

from __future__ import annotations

import logging
import selectors
import signal
import socket
import time

from builder.front.client import ClientConnection
from builder.front.config import FrontConfig

log = logging.getLogger("stepwise.front")

GRACE_SECONDS = 10
ACCEPTS_PER_EVENT = 64


class Front:
    def __init__(self, config: FrontConfig):
        self.config = config
        self.selector = selectors.DefaultSelector()
        self.connections: set[ClientConnection] = set()
        self.stopping = self.stop_requested = self.accept_paused = False

    def run(self) -> None:
        """Serves until SIGTERM or SIGINT, then stops as `stop` says."""
        self.listener = self._listen()
        wakeup, self._wakeup_writer = socket.socketpair()
        for end in (wakeup, self._wakeup_writer):
            end.setblocking(False)
        signal.set_wakeup_fd(self._wakeup_writer.fileno())
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, self._request_stop)
        self.selector.register(wakeup, selectors.EVENT_READ, lambda mask: wakeup.recv(64))
        config = self.config
        log.info(
            "listening on http://%s:%d, relaying to gunicorn at %s; a request's head must arrive within %d s, "
            "its body within %d s plus 1 s per 64 KB, bodies up to %d bytes",
            config.host, config.port, config.backend_socket, config.header_timeout, config.body_timeout,
            config.max_body_bytes,
        )  # fmt: skip
        next_sweep = time.monotonic() + 1
        while not self.stopping or (self.connections and time.monotonic() < self.grace_until):
            for key, mask in self.selector.select(max(0.0, next_sweep - time.monotonic())):
                self._dispatch(key.data, mask)
            now = time.monotonic()
            if now >= next_sweep:
                self._sweep(now)
                next_sweep = now + 1
            if self.stop_requested and not self.stopping:
                self._stop()
        for connection in list(self.connections):
            connection.abort()
        log.info("stopped")

    @staticmethod
    def _dispatch(callback, *args) -> None:
        """Runs one connection's callback; a bug there ends that connection, not the front."""
        try:
            callback(*args)
        except Exception:
            log.exception("the front failed on a connection; it is closed")
            owner = getattr(callback, "__self__", None)
            if hasattr(owner, "abort"):
                owner.abort()

    def _listen(self) -> socket.socket:
        family, _, _, _, address = socket.getaddrinfo(self.config.host, self.config.port, type=socket.SOCK_STREAM)[0]
        listener = socket.create_server(address, family=family, backlog=1024)
        listener.setblocking(False)
        self.selector.register(listener, selectors.EVENT_READ, self._accept)
        return listener

    def _accept(self, mask: int) -> None:
        for _ in range(ACCEPTS_PER_EVENT):
            try:
                sock, peer = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:  # out of file descriptors: leave the rest in the backlog a moment
                log.error("cannot accept connections (%s); trying again in a second", error)
                self.selector.unregister(self.listener)
                self.accept_paused = True
                return
            ClientConnection(self, sock, peer)

    def _sweep(self, now: float) -> None:
        for connection in list(self.connections):
            self._dispatch(connection.check_deadline, now)
        if self.accept_paused and not self.stopping:
            self.accept_paused = False
            self.selector.register(self.listener, selectors.EVENT_READ, self._accept)

    def _request_stop(self, number: int, frame) -> None:
        self.stop_requested = True

    def _stop(self) -> None:
        """Stops accepting; idle connections close now, requests in flight have GRACE_SECONDS to finish."""
        self.stopping = True
        self.grace_until = time.monotonic() + GRACE_SECONDS
        if not self.accept_paused:
            self.selector.unregister(self.listener)
        self.listener.close()
        for connection in list(self.connections):
            connection.close_if_idle()
        if self.connections:
            log.info("stopping: %d connections busy, waiting up to %d s", len(self.connections), GRACE_SECONDS)
