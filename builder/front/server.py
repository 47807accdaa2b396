"""The front's event loop: client connections in, one gunicorn connection per request out.

A client connection reads a whole request (its head within the header deadline, its body
within the body deadline) before gunicorn hears of it; then the request goes to gunicorn's
unix socket, behind a PROXY protocol line naming the client, and the answer goes back as it
arrives. The connection is kept for the next request when the answer's length is known
(Content-Length or chunked) and the client asked for that.

Written as callbacks on asyncio's loop rather than a coroutine per connection, and with a
plain non-blocking socket to gunicorn rather than an asyncio transport: every published
endpoint's call passes through here, and this halves what the front costs per request
(docs/deploy.md has the figures). Deadlines are checked by one sweep a second.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import socket

from builder.front.config import FrontConfig
from builder.front.http1 import (
    ChunkedReader,
    HttpError,
    Request,
    error_response,
    parse_request_head,
    parse_response_head,
)

log = logging.getLogger("stepwise.front")

HEAD_LIMIT = 64 * 1024
# Answer bytes the front holds for a client that reads slowly before it stops reading
# gunicorn's socket: enough that a page or an export frees its worker at once.
RESPONSE_BUFFER = 4 * 1024 * 1024
RECEIVE_SIZE = 256 * 1024
GRACE_SECONDS = 10
LINGER_SECONDS = 2
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
UNAVAILABLE = HttpError(503, "unavailable", "The web server is not answering; try again in a moment.")
BUSY = HttpError(503, "unavailable", "The web server has too many requests waiting; try again in a moment.")
BAD_GATEWAY = HttpError(502, "bad_gateway", "The web server did not answer.")

HEAD, BODY, RELAY, CLOSED = "head", "body", "relay", "closed"


def proxy_line(peer: tuple, local: tuple) -> bytes:
    """PROXY protocol v1: gunicorn takes REMOTE_ADDR from it, so Django sees the real peer."""
    client, front = peer[0].partition("%")[0], local[0].partition("%")[0]  # no IPv6 zone in the line
    family = "TCP6" if ":" in client else "TCP4"
    return f"PROXY {family} {client} {front} {peer[1]} {local[1]}\r\n".encode()


def backend_request(request: Request, body: bytes, proxy: bytes) -> bytes:
    """The request as gunicorn gets it: complete, with a length the front counted, alone on its connection."""
    length = b"Content-Length: %d\r\n" % len(body) if body or request.length is not None or request.chunked else b""
    request_line = b"%s %s HTTP/%s\r\n" % (request.method, request.target, request.version)
    return b"".join([proxy, request_line, request.fields, length, b"Connection: close\r\n\r\n", body])


class ClientConnection(asyncio.Protocol):
    """One client: HEAD (waiting for a request's head), BODY, RELAY (gunicorn answering), CLOSED."""

    def __init__(self, front: Front):
        self.front, self.config = front, front.config
        self.loop = front.loop
        self.buffer = bytearray()
        self.state = HEAD
        self.eof = self.reading_paused = False
        self.scanned = 0  # how far the buffer was searched for the end of a head
        self.request: Request | None = None
        self.chunks: ChunkedReader | None = None
        self.exchange: BackendExchange | None = None
        self.linger_until: float | None = None

    # --- asyncio's callbacks -------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        transport.set_write_buffer_limits(high=RESPONSE_BUFFER)
        self.peer = transport.get_extra_info("peername")
        self.proxy = proxy_line(self.peer, transport.get_extra_info("sockname"))
        self.deadline = self.loop.time() + self.config.header_timeout
        self.front.connections.add(self)

    def data_received(self, data: bytes) -> None:
        if self.linger_until is not None:
            return  # after an error answer: read and dropped
        self.buffer += data
        if self.state in (HEAD, BODY):
            self._advance()
        elif self.state == RELAY and len(self.buffer) > self.config.max_body_bytes + HEAD_LIMIT:
            self.transport.pause_reading()  # a pipelining client waits for TCP until this answer is done
            self.reading_paused = True

    def eof_received(self) -> bool:
        self.eof = True
        if self.linger_until is not None:
            self.transport.close()
        elif self.state == HEAD and not self.buffer:
            self.transport.close()
        elif self.state != RELAY:
            self._refuse(HttpError(400, "bad_request", "The connection closed in the middle of a request."))
        return True  # keep the transport open: the answer to the last request may still go out

    def connection_lost(self, exc: Exception | None) -> None:
        self.state = CLOSED
        self.front.connections.discard(self)
        if self.exchange:
            self.exchange.abort()

    def pause_writing(self) -> None:
        if self.exchange:
            self.exchange.pause()

    def resume_writing(self) -> None:
        if self.exchange:
            self.exchange.resume()

    # --- reading a request ----------------------------------------------------

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
            self.exchange = BackendExchange(self, backend_request(self.request, body, self.proxy))
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
        self.body_started = self.loop.time()
        self.deadline = self.body_started + self.config.body_deadline(request.length or 0)
        if request.expect_continue and (request.length or request.chunked) and not self.buffer:
            self.transport.write(CONTINUE)

    def _take_body(self) -> bytes | None:
        buffer, chunks = self.buffer, self.chunks
        if chunks is None:
            length = self.request.length or 0
            if len(buffer) < length:
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

    def relayed(self, keep_alive: bool) -> None:
        """The answer has gone out: wait for the next request, or close."""
        self.exchange = None
        if self.state == CLOSED:
            return
        if not keep_alive or self.eof or self.front.stopping:
            self.state = CLOSED
            self.transport.close()
            return
        self.state, self.request = HEAD, None
        self.deadline = self.loop.time() + self.config.header_timeout
        if self.reading_paused:
            self.transport.resume_reading()
            self.reading_paused = False
        if self.buffer:
            self._advance()

    def keeps_alive(self) -> bool:
        return self.request.keep_alive and not self.eof and not self.front.stopping

    def _refuse(self, error: HttpError) -> None:
        """Answers an error and closes: first reading what the client still sends, for a moment,
        since closing with unread bytes resets the connection and the client may lose the answer."""
        described = f" {self.request.describe()}" if self.state == BODY and self.request else ""
        log.info("%s %s%s: %s", error.status, self.peer[0], described, error.message)
        self.state = CLOSED
        self.transport.write(error_response(error))
        if self.eof or not self.transport.can_write_eof():
            self.transport.close()
            return
        self.transport.write_eof()
        self.buffer.clear()
        self.linger_until = self.loop.time() + LINGER_SECONDS

    def check_deadline(self, now: float) -> None:
        """Called by the front's sweep, once a second."""
        if self.linger_until is not None:
            if now >= self.linger_until:
                self.transport.close()
        elif self.state == RELAY:
            if self.exchange:
                self.exchange.check_stall(now)
        elif now >= self.deadline:
            if self.state == HEAD and not self.buffer:
                self.state = CLOSED
                self.transport.close()  # an idle connection is closed without a word
            elif self.state == HEAD:
                message = f"The request's head did not arrive within {self.config.header_timeout} s."
                self._refuse(HttpError(408, "request_timeout", message))
            elif self.state == BODY:
                allowed = self.deadline - self.body_started
                self._refuse(HttpError(408, "request_timeout", f"The body did not arrive within {allowed:.0f} s."))

    def close_if_idle(self) -> None:
        if self.state == HEAD and not self.buffer:
            self.state = CLOSED
            self.transport.close()


class BackendExchange:
    """One request on its own connection to gunicorn; the answer goes to the client as it arrives."""

    def __init__(self, client: ClientConnection, payload: bytes):
        self.client, self.payload = client, memoryview(payload)  # sent piece by piece without copies
        self.request = client.request
        self.loop = client.loop
        self.keep_alive = client.keeps_alive()
        self.head = bytearray()
        self.started = False  # the answer's head has gone to the client
        self.left: int | None = None  # body bytes still to come, when the answer has a Content-Length
        self.chunks: ChunkedReader | None = None
        self.finished = self.writing = False
        self.stall: tuple[float, int] | None = None  # since when the client reads nothing, and its backlog then

    def start(self) -> None:
        sock = self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            sock.connect(str(self.client.config.backend_socket))
        except OSError as error:
            # A full listen queue answers EAGAIN on a unix socket: every worker is busy and
            # thousands of requests wait already.
            busy = error.errno == errno.EAGAIN
            log.warning("503 %s %s: gunicorn refused it (%s)", self.client.peer[0], self.request.describe(), error)
            sock.close()
            self.finished = True
            self.client.transport.write(error_response(BUSY if busy else UNAVAILABLE, keep_alive=self.keep_alive))
            self.client.relayed(self.keep_alive)
            return
        self.fd = sock.fileno()
        self._send()
        self.loop.add_reader(self.fd, self._readable)

    def _send(self) -> None:
        try:
            sent = self.sock.send(self.payload)
        except BlockingIOError:
            sent = 0
        except OSError:  # gunicorn closed early (it answered already, or died): read what it said
            sent = len(self.payload)
        self.payload = self.payload[sent:]
        if self.payload and not self.writing:
            self.loop.add_writer(self.fd, self._send)  # a large body: the rest when gunicorn reads it
        elif self.writing and not self.payload:
            self.loop.remove_writer(self.fd)
        self.writing = bool(self.payload)

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
                    self.client.transport.write(bytes(raw_head))
                continue
            if self.request.method == b"HEAD" or head.status in (204, 304):
                self.left = 0
            elif head.chunked:
                self.chunks = ChunkedReader(limit=None, keep=False)
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
            self.client.transport.write(head + data)  # one write, one segment, for a small answer
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
        self.client.transport.write(error_response(error, keep_alive=self.keep_alive))
        self._finish(self.keep_alive)

    def _finish(self, keep_alive: bool) -> None:
        if self.finished:
            return
        self.finished = True
        self.loop.remove_reader(self.fd)
        if self.writing:
            self.loop.remove_writer(self.fd)
        self.sock.close()
        self.client.relayed(keep_alive)

    def abort(self) -> None:
        """The client went away, or the answer cannot be whole: both connections end now."""
        self.client.transport.abort()
        self._finish(False)

    # A client that reads slowly: gunicorn's socket is left unread until it catches up.
    def pause(self) -> None:
        if not self.finished:
            self.loop.remove_reader(self.fd)
            self.stall = (self.loop.time(), self.client.transport.get_write_buffer_size())

    def resume(self) -> None:
        if not self.finished:
            self.loop.add_reader(self.fd, self._readable)
            self.stall = None

    def check_stall(self, now: float) -> None:
        """A client that reads nothing of its answer for a header deadline is cut off:
        gunicorn's worker is waiting on it."""
        if self.stall is None:
            return
        since, backlog = self.stall
        size = self.client.transport.get_write_buffer_size()
        if size < backlog:
            self.stall = (now, size)
        elif now - since >= self.client.config.header_timeout:
            log.info("the client %s read nothing of its answer for %d s", self.client.peer[0], now - since)
            self.abort()


class Front:
    def __init__(self, config: FrontConfig):
        self.config = config
        self.connections: set[ClientConnection] = set()
        self.stopping = False

    async def run(self) -> None:
        self.loop = asyncio.get_running_loop()
        config = self.config
        server = await self.loop.create_server(
            lambda: ClientConnection(self), config.host, config.port, reuse_address=True, backlog=1024
        )
        stop = asyncio.Event()
        for number in (signal.SIGTERM, signal.SIGINT):
            self.loop.add_signal_handler(number, stop.set)
        self.loop.call_later(1, self._sweep)
        log.info(
            "listening on http://%s:%d, relaying to gunicorn at %s; a request's head must arrive within %d s, "
            "its body within %d s plus 1 s per 64 KB, bodies up to %d bytes",
            config.host, config.port, config.backend_socket, config.header_timeout, config.body_timeout,
            config.max_body_bytes,
        )  # fmt: skip
        await stop.wait()
        await self.stop(server)

    def _sweep(self) -> None:
        now = self.loop.time()
        for connection in list(self.connections):
            connection.check_deadline(now)
        self.loop.call_later(1, self._sweep)

    async def stop(self, server: asyncio.Server) -> None:
        """Stops accepting, lets the requests in flight finish for a moment, then closes what is left."""
        self.stopping = True
        server.close()
        for connection in list(self.connections):
            connection.close_if_idle()
        if self.connections:
            log.info("stopping: %d connections busy, waiting up to %d s", len(self.connections), GRACE_SECONDS)
        deadline = self.loop.time() + GRACE_SECONDS
        while self.connections and self.loop.time() < deadline:
            await asyncio.sleep(0.1)
        for connection in list(self.connections):
            connection.transport.abort()
        log.info("stopped")
