"""One client connection: read a request whole, within its deadlines, hand it to gunicorn,
pass the answer back, and wait for the next request on the same connection."""

from __future__ import annotations

import logging
import selectors
import socket
import time
from typing import TYPE_CHECKING

from builder.front.backend import RECEIVE_SIZE, BackendExchange, proxy_line
from builder.front.http1 import HEAD_LIMIT, ChunkedReader, HttpError, Request, error_response, parse_request_head

if TYPE_CHECKING:
    from builder.front.server import Front

log = logging.getLogger("stepwise.front")

# Answer bytes held for a client that reads slowly before gunicorn's socket is left unread:
# enough that a page or an export frees its worker at once.
HIGH_WATER, LOW_WATER = 4 * 1024 * 1024, 1024 * 1024
LINGER_SECONDS = 2
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
READ, WRITE = selectors.EVENT_READ, selectors.EVENT_WRITE

# HEAD: waiting for a request's head (or idle between requests); BODY: reading its body;
# RELAY: gunicorn answering; CLOSED: nothing more to read (an error answer may still go out).
HEAD, BODY, RELAY, CLOSED = "head", "body", "relay", "closed"


class ClientConnection:
    def __init__(self, front: Front, sock: socket.socket, peer: tuple):
        self.front, self.config, self.sock, self.peer = front, front.config, sock, peer
        self.proxy = proxy_line(peer, sock.getsockname())
        self.buffer = bytearray()  # received, not yet read
        self.out = bytearray()  # to send, when the socket would not take it at once
        self.state = HEAD
        self.deadline = time.monotonic() + self.config.header_timeout
        self.scanned = 0  # how far the buffer was searched for the end of a head
        self.request: Request | None = None
        self.chunks: ChunkedReader | None = None
        self.exchange: BackendExchange | None = None
        self.linger_until: float | None = None
        self.eof = self.closing = False
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
            if sent == len(data):
                return
            data = data[sent:]
        self.out += data
        self._watch()
        if len(self.out) > HIGH_WATER and self.exchange:
            self.exchange.pause()

    def _flush(self) -> None:
        try:
            sent = self.sock.send(self.out)
        except BlockingIOError:
            return
        except OSError:
            self.abort()
            return
        del self.out[:sent]
        if len(self.out) < LOW_WATER and self.exchange:
            self.exchange.resume()
        if not self.out:
            if self.closing:
                self._close_now()
                return
            self._watch()

    @property
    def pending(self) -> int:
        return len(self.out)

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
        if self in self.front.connections:
            self.front.connections.discard(self)
            self.front.per_ip[self.peer[0]] -= 1
            if not self.front.per_ip[self.peer[0]]:
                del self.front.per_ip[self.peer[0]]
        exchange, self.exchange = self.exchange, None
        if exchange:
            exchange.client_gone()

    # --- reading a request ----------------------------------------------------

    def _data_received(self, data: bytes) -> None:
        if self.linger_until is not None:
            return  # after an error answer: read and dropped
        self.buffer += data
        if self.state in (HEAD, BODY):
            self._advance()
        elif self.state == RELAY and len(self.buffer) > self.config.max_body_bytes + HEAD_LIMIT:
            self._set_reading(False)  # a pipelining client waits for TCP until this answer is done

    def _eof_received(self) -> None:
        self.eof = True
        self._set_reading(False)
        if self.linger_until is not None or (self.state == HEAD and not self.buffer):
            self.close()
        elif self.state in (HEAD, BODY):
            self._refuse(HttpError(400, "bad_request", "The connection closed in the middle of a request."))

    def _advance(self) -> None:
        """Reads as much of the request as has arrived; hands it to gunicorn once it is whole."""
        try:
            if self.state == HEAD:
                request = self._take_head()
                if request is None:
                    return
                self._start_body(request)
            body = self._take_body()
        except HttpError as error:
            self._refuse(error)
            return
        if body is not None:
            self.state = RELAY
            self.exchange = BackendExchange(self, self.request, body)
            self.exchange.start()

    def _take_head(self) -> Request | None:
        buffer = self.buffer
        while buffer.startswith(b"\r\n"):  # empty lines before a request are ignored (RFC 9112 2.2)
            del buffer[:2]
        end = buffer.find(b"\r\n\r\n", self.scanned)
        if end < 0 or end > HEAD_LIMIT:
            if len(buffer) > HEAD_LIMIT:
                raise HttpError(431, "headers_too_large", f"The request's head is larger than {HEAD_LIMIT} bytes.")
            self.scanned = max(0, len(buffer) - 3)
            return None
        self.scanned = 0
        request = parse_request_head(bytes(buffer[:end]))
        del buffer[: end + 4]
        return request

    def _start_body(self, request: Request) -> None:
        self.request, self.state = request, BODY
        limit = self.config.max_body_bytes
        if (request.length or 0) > limit:
            raise HttpError(413, "body_too_large", f"The body is larger than {limit} bytes.")
        self.chunks = ChunkedReader(limit=limit, keep=True) if request.chunked else None
        self.body_started = time.monotonic()
        self.deadline = self.body_started + self.config.body_deadline(0)
        if request.expect_continue and (request.length or request.chunked) and not self.buffer:
            self.write(CONTINUE)

    def _take_body(self) -> bytes | None:
        buffer, chunks = self.buffer, self.chunks
        if chunks is None:
            length = self.request.length or 0
            if len(buffer) < length:
                self.deadline = self.body_started + self.config.body_deadline(len(buffer))
                return None
            if len(buffer) == length:  # the usual case: nothing pipelined behind it
                body = bytes(buffer)
                buffer.clear()
                return body
            body = bytes(buffer[:length])
            del buffer[:length]
            return body
        del buffer[: chunks.feed(buffer)]
        if not chunks.done:
            self.deadline = self.body_started + self.config.body_deadline(chunks.size)
            return None
        self.chunks = None
        return chunks.body()

    # --- after gunicorn's answer, or instead of it ------------------------------

    def keeps_alive(self) -> bool:
        return self.request.keep_alive and not self.eof and not self.front.stopping

    def relayed(self, keep_alive: bool) -> None:
        """The answer has gone out: wait for the next request, or close."""
        self.exchange = None
        if self.state == CLOSED:
            return
        if not keep_alive or self.eof or self.front.stopping:
            self.close()
            return
        self.state, self.request = HEAD, None
        self.deadline = time.monotonic() + self.config.header_timeout
        if not self.reading:
            self._set_reading(True)
        if self.buffer:
            self._advance()

    def _refuse(self, error: HttpError) -> None:
        """Answers an error, then reads and drops what the client still sends for a moment
        before closing: closing with unread bytes would reset the connection, and the client
        could lose the answer."""
        described = f" {self.request.describe()}" if self.state == BODY and self.request else ""
        log.info("%s %s%s: %s", error.status, self.peer[0], described, error.message)
        self.state = CLOSED
        self.write(error_response(error))
        if self.eof:
            self.close()
        else:
            self.buffer.clear()
            self.linger_until = time.monotonic() + LINGER_SECONDS

    def check_deadline(self, now: float) -> None:
        """Called by the front's sweep, once a second."""
        if self.closing:
            if now >= self.deadline:
                self.abort()  # the client reads nothing of what is left to send
        elif self.linger_until is not None:
            if now >= self.linger_until:
                self.close()
        elif self.state == RELAY:
            if self.exchange:
                self.exchange.check_stall(now)
        elif now < self.deadline or self.state == CLOSED:
            return
        elif self.state == HEAD and not self.buffer:
            self.close()  # an idle connection is closed without a word
        elif self.state == HEAD:
            message = f"The request's head did not arrive within {self.config.header_timeout} s."
            self._refuse(HttpError(408, "request_timeout", message))
        else:
            allowed = self.deadline - self.body_started
            self._refuse(HttpError(408, "request_timeout", f"The body did not arrive within {allowed:.0f} s."))

    def close_if_idle(self) -> None:
        if self.state == HEAD and not self.buffer:
            self.close()
