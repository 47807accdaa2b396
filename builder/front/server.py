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
from collections import Counter

from builder.front.client import ClientConnection
from builder.front.config import FrontConfig
from builder.front.http1 import HttpError, error_response

log = logging.getLogger("stepwise.front")

GRACE_SECONDS = 10
ACCEPTS_PER_EVENT = 64
FULL = HttpError(503, "unavailable", "The server has too many connections open; try again in a moment.")
FULL_FOR_PEER = HttpError(503, "unavailable", "Too many connections from this address; close some and try again.")


class Front:
    def __init__(self, config: FrontConfig):
        self.config = config
        self.selector = selectors.DefaultSelector()
        self.connections: set[ClientConnection] = set()
        self.per_ip: Counter[str] = Counter()  # open client connections by peer address
        self.bodies_held = 0  # request body bytes in memory, all connections together
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
            "its body within %d s plus 1 s per 64 KB arrived, bodies up to %d bytes; "
            "at most %d connections, %d per address",
            config.host, config.port, config.backend_socket, config.header_timeout, config.body_timeout,
            config.max_body_bytes, config.max_connections, config.max_connections_per_ip,
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
        """Runs one connection's callback; a bug there ends that connection, never the front."""
        try:
            callback(*args)
        except Exception:
            log.exception("the front failed on a connection; it is closed")
            owner = getattr(callback, "__self__", None)
            try:
                if hasattr(owner, "abort"):
                    owner.abort()
            except Exception:
                log.exception("the front failed closing that connection too")

    def _listen(self) -> socket.socket:
        family, _, _, _, address = socket.getaddrinfo(self.config.host, self.config.port, type=socket.SOCK_STREAM)[0]
        # "::" serves IPv4 too, as STEPWISE_HOST=0.0.0.0 would, where the system allows it.
        dualstack = self.config.host == "::" and socket.has_dualstack_ipv6()
        listener = socket.create_server(address, family=family, backlog=1024, dualstack_ipv6=dualstack)
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
            if len(self.connections) >= self.config.max_connections:
                self._turn_away(sock, FULL)
            elif self.per_ip[peer[0]] >= self.config.max_connections_per_ip:
                self._turn_away(sock, FULL_FOR_PEER)
            else:
                ClientConnection(self, sock, peer)

    @staticmethod
    def _turn_away(sock: socket.socket, error: HttpError) -> None:
        """A 503 at once, and the socket closed: a connection beyond a cap costs no descriptor
        beyond this moment. Its request has seldom arrived yet; what has is read and dropped
        first, so that the close sends the answer rather than a reset."""
        sock.setblocking(False)
        try:
            sock.recv(65536)
        except OSError:
            pass
        try:
            sock.send(error_response(error))
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        sock.close()

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
