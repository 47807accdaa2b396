"""One request to gunicorn, alone on a unix socket connection of its own, and its answer
passed to the client as it arrives."""

from __future__ import annotations

import errno
import logging
import selectors
import socket
from typing import TYPE_CHECKING

from builder.front.http1 import HEAD_LIMIT, ChunkedReader, HttpError, Request, error_response, parse_response_head

if TYPE_CHECKING:
    from builder.front.client import ClientConnection

log = logging.getLogger("stepwise.front")

RECEIVE_SIZE = 256 * 1024  # bytes read from a socket at once
UNAVAILABLE = HttpError(503, "unavailable", "The web server is not answering; try again in a moment.")
BUSY = HttpError(503, "unavailable", "The web server has too many requests waiting; try again in a moment.")
BAD_GATEWAY = HttpError(502, "bad_gateway", "The web server did not answer.")


def unmapped(address: str) -> str:
    """An IPv4 client of a dual-stack listener by its IPv4 address (::ffff:192.0.2.1 is 192.0.2.1)."""
    return address[7:] if address.startswith("::ffff:") and "." in address else address


def proxy_line(peer: tuple, local: tuple) -> bytes:
    """PROXY protocol v1: gunicorn takes REMOTE_ADDR from it, so Django sees the real peer."""
    client, front = (unmapped(address[0].partition("%")[0]) for address in (peer, local))  # no IPv6 zone
    family = "TCP6" if ":" in client else "TCP4"
    return f"PROXY {family} {client} {front} {peer[1]} {local[1]}\r\n".encode()


def backend_request(request: Request, body: bytearray, proxy: bytes) -> bytearray:
    """The request as gunicorn gets it: complete, with a length the front counted, alone on its
    connection. Built in the body's own buffer (the head moved in front of it), not a copy."""
    length = b"Content-Length: %d\r\n" % len(body) if body or request.length is not None or request.chunked else b""
    request_line = b"%s %s HTTP/%s\r\n" % (request.method, request.target, request.version)
    body[:0] = b"".join([proxy, request_line, request.fields, length, b"Connection: close\r\n\r\n"])
    return body


class BackendExchange:
    def __init__(self, client: ClientConnection, request: Request, body: bytearray):
        self.client, self.request = client, request
        self.sock: socket.socket | None = None
        self.selector = client.front.selector
        # Sent piece by piece without copies when gunicorn reads a large body slowly.
        self.payload = memoryview(backend_request(request, body, client.proxy))
        self.keep_alive = client.keeps_alive()
        self.head = bytearray()
        self.started = False  # the answer's head has gone to the client
        self.left: int | None = None  # body bytes still to come, when the answer has a Content-Length
        self.chunks: ChunkedReader | None = None
        self.finished = False
        self.events = 0

    def start(self) -> None:
        try:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
            self.sock.connect(str(self.client.config.backend_socket))
        except OSError as error:
            # A full listen queue answers EAGAIN on a unix socket: thousands of requests wait
            # already. EMFILE: the front is out of descriptors (see STEPWISE_FRONT_MAX_CONNECTIONS).
            busy = error.errno in (errno.EAGAIN, errno.EMFILE, errno.ENFILE)
            peer, described = self.client.peer[0], self.request.describe()
            log.warning("503 %s %s: no connection to gunicorn (%s)", peer, described, error)
            if self.sock is not None:
                self.sock.close()
            self.finished = True
            self.client.write(error_response(BUSY if busy else UNAVAILABLE, keep_alive=self.keep_alive))
            self.client.relayed(self.keep_alive)
            return
        self._send()
        self._watch()

    def _watch(self) -> None:
        """Waits for gunicorn's answer, and for room to send the rest of a large body. gunicorn's
        socket is always read: what the client has not taken yet waits in its Outbox."""
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if self.payload else 0)
        if events == self.events:
            return
        if not self.events:
            self.selector.register(self.sock, events, self._ready)
        elif not events:
            self.selector.unregister(self.sock)
        else:
            self.selector.modify(self.sock, events, self._ready)
        self.events = events

    def _ready(self, mask: int) -> None:
        if mask & selectors.EVENT_WRITE:
            self._send()
            self._watch()
        if mask & selectors.EVENT_READ and not self.finished:
            self._readable()

    def _send(self) -> None:
        try:
            sent = self.sock.send(self.payload)
        except BlockingIOError:
            sent = 0
        except OSError:  # gunicorn closed early (it answered already, or died): read what it said
            sent = len(self.payload)
        self.payload = self.payload[sent:]
        if not self.payload:
            self.payload = memoryview(b"")  # the body's buffer is freed

    def _readable(self) -> None:
        try:
            data = self.sock.recv(RECEIVE_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._lost()
        elif self.started:
            self._relay(data)
        else:
            self._read_head(data)

    def _read_head(self, data: bytes) -> None:
        self.head += data
        while (end := self.head.find(b"\r\n\r\n")) >= 0:
            try:
                head = parse_response_head(bytes(self.head[:end]))
            except ValueError as error:
                log.error("502 %s: gunicorn's answer is not HTTP (%s)", self.request.describe(), error)
                self._fail(BAD_GATEWAY)
                return
            raw_head, rest = self.head[: end + 4], self.head[end + 4 :]
            self.head = rest
            if head.status < 200:  # an interim answer (103 Early Hints): passed on, the final one follows
                if self.request.version == b"1.1":
                    self.client.write(bytes(raw_head))
                continue
            if self.request.method == b"HEAD" or head.status in (204, 304):
                self.left = 0
            elif head.chunked:
                self.chunks = ChunkedReader()
            elif head.length is not None:
                self.left = head.length
            else:
                self.keep_alive = False  # the answer ends when the connection does
            if not self.keep_alive:
                connection = b"\r\nConnection: close\r\n\r\n"
            elif self.request.version == b"1.0":
                connection = b"\r\nConnection: keep-alive\r\n\r\n"
            else:
                connection = b"\r\n\r\n"
            self.started = True
            self._relay(bytes(rest), head.head + connection)
            return
        if len(self.head) > HEAD_LIMIT:
            log.error("502 %s: gunicorn's answer has a head larger than %d bytes", self.request.describe(), HEAD_LIMIT)
            self._fail(BAD_GATEWAY)

    def _relay(self, data: bytes, head: bytes = b"") -> None:
        """Passes on the answer's bytes up to its end (after its head, the first time)."""
        if self.chunks is not None:
            try:
                used = self.chunks.feed(data)
            except HttpError:
                log.error("gunicorn's chunked answer to %s is malformed", self.request.describe())
                self.abort()
                return
            data, complete = data[:used], self.chunks.done
        elif self.left is not None:
            data = data[: self.left]
            self.left -= len(data)
            complete = self.left == 0
        else:
            complete = False
        if head or data:
            self.client.write(head + data)  # one write, one segment, for a small answer
        if complete:
            self._finish(self.keep_alive)

    def _lost(self) -> None:
        if not self.started:
            log.error("502 %s: gunicorn closed the connection without an answer", self.request.describe())
            self._fail(BAD_GATEWAY)
        elif self.left is None and self.chunks is None:
            self._finish(False)  # the answer was as long as the connection: the client's ends too
        else:
            self.abort()  # cut short: the client must not take it for a whole answer

    def _fail(self, error: HttpError) -> None:
        self.client.write(error_response(error, keep_alive=self.keep_alive))
        self._finish(self.keep_alive)

    def _close(self) -> None:
        self.finished = True
        if self.events:
            self.selector.unregister(self.sock)
            self.events = 0
        if self.sock is not None:
            self.sock.close()

    def _finish(self, keep_alive: bool) -> None:
        if not self.finished:
            self._close()
            self.client.relayed(keep_alive)

    def abort(self) -> None:
        """The answer cannot be whole: both connections end now."""
        if not self.finished:
            self._close()
            self.client.abort()

    def client_gone(self) -> None:
        if not self.finished:
            self._close()

    def body_held(self) -> int:
        """Bytes of the request still in memory, waiting for gunicorn to read them."""
        return len(self.payload)
