"""One client connection: read a request whole, within its deadlines, hand it to gunicorn,
pass the answer back, and wait for the next request on the same connection."""

from __future__ import annotations

import logging
import selectors
import socket
import struct
import time
from typing import TYPE_CHECKING

from builder.front.backend import RECEIVE_SIZE, BackendExchange, proxy_line
from builder.front.http1 import HttpError, RequestReader, error_response
from builder.front.outbox import Outbox

if TYPE_CHECKING:
    from builder.front.server import Front

log = logging.getLogger("stepwise.front")

LINGER_SECONDS = 2
# A client with an answer unfinished that takes less than this, averaged over a header
# deadline, is cut off: its answer would hold the front's disk for hours.
MIN_DRAIN_BYTES_PER_SECOND = 16 * 1024
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
READ, WRITE = selectors.EVENT_READ, selectors.EVENT_WRITE
TOO_MANY_BODIES = HttpError(503, "unavailable", "The server holds too many request bodies; try again in a moment.")

# HEAD: waiting for a request's head (or idle between requests); BODY: reading its body;
# RELAY: gunicorn answering; CLOSED: nothing more to read (an error answer may still go out).
HEAD, BODY, RELAY, CLOSED = "head", "body", "relay", "closed"


class ClientConnection:
    def __init__(self, front: Front, sock: socket.socket, peer: tuple):
        self.front, self.config, self.sock, self.peer = front, front.config, sock, peer
        self.proxy = proxy_line(peer, sock.getsockname())
        self.reader = RequestReader(max_body_bytes=self.config.max_body_bytes)
        self.out = Outbox(self.config.backend_socket.parent)  # to send, when the socket would not take it at once
        self.state = HEAD
        self.deadline = time.monotonic() + self.config.header_timeout
        self.request = None  # the request being answered, or whose body is arriving
        self.body_started = 0.0
        self.continued = False  # 100 Continue sent for the body arriving
        self.bodies_held = 0  # body bytes counted in front.bodies_held
        self.exchange: BackendExchange | None = None
        self.linger_until: float | None = None
        self.drain: tuple[float, int] | None = None  # since when an answer waits for the client, and `sent` then
        self.sent = 0
        self.eof = self.closing = self._advancing = False
        self.reading, self.events = True, READ
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        front.selector.register(sock, READ, self._ready)
        front.connections.add(self)
        front.per_ip[peer[0]] += 1

    # --- the socket -----------------------------------------------------------

    def _ready(self, mask: int) -> None:
        if mask & WRITE:
            self._flush()
        if mask & READ and self.reading:
            self._readable()

    def _readable(self) -> None:
        try:
            data = self.sock.recv(RECEIVE_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.abort()
            return
        if data:
            self._data_received(data)
        else:
            self._eof_received()

    def write(self, data: bytes) -> None:
        if self.sock.fileno() < 0:
            return  # closed already
        if not self.out:
            try:
                sent = self.sock.send(data)
            except BlockingIOError:
                sent = 0
            except OSError:
                self.abort()
                return
            self.sent += sent
            if sent == len(data):
                return
            data = data[sent:]
        self.out.append(data)
        self._watch()

    def _flush(self) -> None:
        try:
            sent = self.sock.send(self.out.head())
        except BlockingIOError:
            return
        except OSError:
            self.abort()
            return
        self.out.sent(sent)
        self.sent += sent
        if not self.out:
            self.drain = None
            if self.closing:
                self._close_now()
                return
            self._watch()
            if self.exchange is None and self.state == HEAD:
                # The next request's deadline runs from now; it waited for this answer to have gone.
                self.deadline = time.monotonic() + self.config.header_timeout
                self._advance()

    def _watch(self) -> None:
        events = (READ if self.reading else 0) | (WRITE if self.out else 0)
        if events == self.events or self.sock.fileno() < 0:
            return
        if not self.events:
            self.front.selector.register(self.sock, events, self._ready)
        elif not events:
            self.front.selector.unregister(self.sock)
        else:
            self.front.selector.modify(self.sock, events, self._ready)
        self.events = events

    def _set_reading(self, reading: bool) -> None:
        if reading != self.reading:
            self.reading = reading
            self._watch()

    def close(self) -> None:
        """Closes once what is left to send has gone."""
        self.state, self.closing = CLOSED, True
        self._set_reading(False)
        if not self.out:
            self._close_now()
        else:
            self.deadline = time.monotonic() + self.config.header_timeout  # then it is cut off

    def abort(self) -> None:
        self.state = CLOSED
        self._close_now()

    def _close_now(self) -> None:
        self.reading = False
        if self.events:
            self.front.selector.unregister(self.sock)
            self.events = 0
        self.sock.close()
        self.state = CLOSED
        self.out.close()
        self.reader.ready.clear()
        self.reader.body = bytearray()
        if self in self.front.connections:
            self.front.connections.discard(self)
            self.front.per_ip[self.peer[0]] -= 1
            if not self.front.per_ip[self.peer[0]]:
                del self.front.per_ip[self.peer[0]]
        exchange, self.exchange = self.exchange, None
        if exchange:
            exchange.client_gone()
        self._count_bodies()

    # --- reading requests -------------------------------------------------------

    def _data_received(self, data: bytes) -> None:
        if self.linger_until is not None:
            return  # after an error answer: read and dropped
        self.reader.feed(data)
        self._count_bodies()
        if self.front.bodies_held > self.config.max_body_memory and self.reader.request and self.reader.body:
            self._refuse(TOO_MANY_BODIES)
            return
        if self.exchange is None:
            self._advance()
        else:
            self._set_reading(False)  # the next request waits for this one's answer (TCP holds it)

    def _eof_received(self) -> None:
        self.eof = True
        self._set_reading(False)
        if self.linger_until is not None or (self.state == HEAD and self.reader.idle and not self.reader.ready):
            self.close()
        elif self.state in (HEAD, BODY):
            self._refuse(HttpError(400, "bad_request", "The connection closed in the middle of a request."))

    def _advance(self) -> None:
        """Hands the next whole request to gunicorn, once the answer before it has gone; else
        waits for more of it. A loop, not recursion: with gunicorn down, each of many pipelined
        requests is answered at once."""
        if self._advancing:
            return  # called back from within the loop below: it goes on
        self._advancing = True
        try:
            while self.exchange is None and self.state != CLOSED and not self.out:
                reader = self.reader
                if reader.ready:
                    self.request, body = reader.ready.popleft()
                    self.state = RELAY
                    self.exchange = BackendExchange(self, self.request, body)
                    self.exchange.start()  # a refusal answers at once, and the loop goes on
                elif reader.error is not None:
                    self._refuse(reader.error)
                else:
                    self._wait_for_request()
                    break
        finally:
            self._advancing = False
        self._count_bodies()

    def _wait_for_request(self) -> None:
        reader = self.reader
        request = reader.request
        if request is None:  # its head, or nothing yet
            if self.state != HEAD:
                self.state, self.request = HEAD, None
                self.deadline = time.monotonic() + self.config.header_timeout
        else:
            if self.state != BODY or request is not self.request:
                self.state, self.request, self.continued = BODY, request, False
                self.body_started = time.monotonic()
            self.deadline = self.body_started + self.config.body_deadline(reader.received)
            if request.expect_continue and not reader.received and not self.continued:
                if request.length or request.chunked:
                    self.write(CONTINUE)
                self.continued = True
        if not self.eof:
            self._set_reading(True)

    def _count_bodies(self) -> None:
        held = len(self.reader.body) + (self.exchange.body_held() if self.exchange else 0)
        self.front.bodies_held += held - self.bodies_held
        self.bodies_held = held

    # --- after gunicorn's answer, or instead of it ------------------------------

    def keeps_alive(self) -> bool:
        return self.request.keep_alive and not self.front.stopping and not (self.eof and not self.reader.ready)

    def relayed(self, keep_alive: bool) -> None:
        """The answer has been handed over: the next request, or close."""
        self.exchange = None
        if self.state == CLOSED:
            return
        if not keep_alive or self.front.stopping or (self.eof and not self.reader.ready):
            self.close()
            return
        self.state = HEAD
        self.deadline = time.monotonic() + self.config.header_timeout
        self._advance()

    def _refuse(self, error: HttpError) -> None:
        """Answers an error, then reads and drops what the client still sends for a moment
        before closing: closing with unread bytes would reset the connection, and the client
        could lose the answer."""
        described = f" {self.request.describe()}" if self.state == BODY and self.request else ""
        log.info("%s %s%s: %s", error.status, self.peer[0], described, error.message)
        self.state = CLOSED
        self.reader.ready.clear()
        self.reader.body = bytearray()
        self.write(error_response(error))
        if self.eof:
            self.close()
        else:
            self.linger_until = time.monotonic() + LINGER_SECONDS
            self._set_reading(True)
        self._count_bodies()

    def check_deadline(self, now: float) -> None:
        """Called by the front's sweep, once a second."""
        if self.closing:
            if now >= self.deadline:
                self.abort()  # the client reads nothing of what is left to send
        elif self.linger_until is not None:
            if now >= self.linger_until:
                self.close()
        elif self.out:
            self._check_drain(now)
        elif self.state in (RELAY, CLOSED) or now < self.deadline:
            return
        elif self.state == HEAD and self.reader.idle:
            self.close()  # an idle connection is closed without a word
        elif self.state == HEAD:
            message = f"The request's head did not arrive within {self.config.header_timeout} s."
            self._refuse(HttpError(408, "request_timeout", message))
        else:
            allowed = self.deadline - self.body_started
            self._refuse(HttpError(408, "request_timeout", f"The body did not arrive within {allowed:.0f} s."))

    def _check_drain(self, now: float) -> None:
        """A client that takes its answer slower than MIN_DRAIN_BYTES_PER_SECOND, over a header
        deadline, is cut off with it unfinished."""
        if self.drain is None:
            self.drain = (now, self.sent)
            return
        since, sent = self.drain
        if now - since < self.config.header_timeout:
            return
        rate = (self.sent - sent) / (now - since)
        if rate < MIN_DRAIN_BYTES_PER_SECOND:
            log.info("the client %s takes its answer at %d bytes/s; cut off", self.peer[0], rate)
            # A reset, so that the kernel drops what it still holds for the client too.
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.abort()
        else:
            self.drain = (now, self.sent)

    def close_if_idle(self) -> None:
        if self.state == HEAD and self.reader.idle and not self.out:
            self.close()
