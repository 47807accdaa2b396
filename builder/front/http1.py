"""HTTP/1.1 as the front reads it: requests (by llhttp, through httptools), gunicorn's
answers (its response heads and chunked bodies, by the front itself: gunicorn is trusted),
and the front's own JSON errors. No I/O here.

Strict on purpose: a request the front could read two ways (two lengths, a length and
chunked, folded lines, control characters) is refused with 400, so that the front and
gunicorn never disagree on where a request ends. The front sends gunicorn each request on
a connection of its own, with a Content-Length it counted itself.
"""

from __future__ import annotations

import json
import re
from collections import deque
from dataclasses import dataclass

import httptools

from builder.accesslog import logged_target

# The fields the front reads or answers itself: the framing, and those about one connection,
# which are never passed on (RFC 9110 7.6.1). Every other field goes to gunicorn as it came.
OWN_FIELDS = frozenset(
    [b"connection", b"content-length", b"expect", b"keep-alive", b"proxy-connection", b"te", b"trailer",
     b"transfer-encoding", b"upgrade"]
)  # fmt: skip
TARGET = re.compile(rb"[\x21-\x7e]+")
STATUS_LINE = re.compile(rb"HTTP/1\.[01] ([1-5][0-9][0-9])(?:[ \t][^\r\n]*)?(?:\r\n|\Z)")
RESPONSE_CONNECTION = re.compile(rb"\r\n(?:connection|keep-alive):[^\r\n]*", re.IGNORECASE)
RESPONSE_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*([0-9]{1,18})[ \t]*(?:\r\n|\Z)", re.IGNORECASE)
RESPONSE_CHUNKED = re.compile(rb"\r\ntransfer-encoding:[^\r\n]*chunked[ \t]*(?:\r\n|\Z)", re.IGNORECASE)
CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,15}")
HEAD_LIMIT = 64 * 1024  # a request's or an answer's head
# gunicorn's own limits (limit_request_line, limit_request_field_size, limit_request_fields):
# the front refuses beyond them, in the platform's shape, rather than pass gunicorn a request
# it answers with an HTML page. FIELDS_LIMIT leaves room for the two fields the front adds.
REQUEST_LINE_LIMIT, FIELD_LIMIT, FIELDS_LIMIT = 4094, 8190, 98
CHUNK_FRAMING = 5  # bytes a chunk costs beyond its data, at the least ("1\r\n", "\r\n"): counted in the cap
LINE_LIMIT = 8192  # a chunk-size or trailer line of an answer
TRAILER_LIMIT = 64 * 1024
REASONS = {
    400: "Bad Request",
    408: "Request Timeout",
    413: "Content Too Large",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class HttpError(Exception):
    """A request the front answers itself, with the platform's error shape."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(error: HttpError, *, keep_alive: bool = False) -> bytes:
    body = json.dumps({"error": {"status": error.status, "code": error.code, "message": error.message}}).encode()
    head = (
        f"HTTP/1.1 {error.status} {REASONS[error.status]}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
    )
    return head.encode() + body


@dataclass(slots=True)
class Request:
    method: bytes
    target: bytes
    version: bytes  # b"1.1" or b"1.0"
    fields: bytes  # the end-to-end field lines as the client sent them, each ending with CRLF
    length: int | None  # Content-Length, when the body is not chunked
    chunked: bool
    keep_alive: bool  # what the client asked for
    expect_continue: bool

    def describe(self) -> str:
        # As the access log shows it: no query-string key, no webhook token.
        target = logged_target(self.target[:200].decode("latin-1"))
        return f"{self.method.decode()} {target}"


class RequestReader:
    """A connection's requests, read by llhttp (httptools: Node's parser, fuzzed, in C) with
    the front's own checks around it. `feed` takes the bytes as they come; requests whole,
    with their bodies, wait in `ready`. An error stops the reading: `error` holds it, to be
    answered once the requests before it have been."""

    def __init__(self, *, max_body_bytes: int):
        self.max_body_bytes = max_body_bytes
        self.parser = httptools.HttpRequestParser(self)
        self.ready: deque[tuple[Request, bytearray]] = deque()
        self.request: Request | None = None  # its head read, its body arriving
        self.body = bytearray()
        self.received = 0  # the body's bytes so far, chunk framing included
        self.error: HttpError | None = None
        self.in_head = False
        self._fed_in_head = 0  # bytes fed while one head was arriving

    @property
    def idle(self) -> bool:
        """Nothing of a next request has arrived."""
        return not self.in_head and self.request is None

    def feed(self, data: bytes) -> None:
        if self.error is not None:
            return
        in_head = self.in_head
        try:
            self._feed(data)
            if in_head and self.in_head:
                self._fed_in_head += len(data)
                if self._fed_in_head > HEAD_LIMIT:
                    raise HttpError(431, "headers_too_large", f"The request's head is larger than {HEAD_LIMIT} bytes.")
        except HttpError as error:
            self.error = error

    def _feed(self, data: bytes) -> None:
        while True:
            try:
                self.parser.feed_data(data)
                return
            except httptools.HttpParserUpgrade as upgrade:
                # An Upgrade (h2c, say) is declined by passing the request on without it: the
                # next request starts where llhttp stopped, with a parser of its own.
                data = data[upgrade.args[0] :]
                self.parser = httptools.HttpRequestParser(self)
            except httptools.HttpParserCallbackError as error:
                if isinstance(error.__context__, HttpError):
                    raise error.__context__ from None
                raise
            except httptools.HttpParserError as error:
                if str(error) == "Content-Length overflow":
                    raise self._too_large() from None
                raise HttpError(400, "bad_request", f"The request is malformed: {error}.") from None

    # --- llhttp's callbacks ------------------------------------------------------

    def on_message_begin(self) -> None:
        self.in_head, self._fed_in_head = True, 0
        self._target = b""
        self._fields: list[bytes] = []
        self._own: list[tuple[bytes, bytes]] = []
        self._hosts = 0
        self._head_size = 0

    def on_url(self, piece: bytes) -> None:
        self._target += piece
        if len(self._target) > REQUEST_LINE_LIMIT:
            raise HttpError(414, "uri_too_long", f"The request line is longer than {REQUEST_LINE_LIMIT} bytes.")

    def on_header(self, name: bytes, value: bytes) -> None:
        size = len(name) + len(value) + 4
        if not self.in_head:  # a trailer field of a chunked body: read and dropped
            self.received += size
            self._check_body_size()
            return
        self._head_size += size
        if size > FIELD_LIMIT:
            raise HttpError(431, "headers_too_large", f"A header line is longer than {FIELD_LIMIT} bytes.")
        if self._head_size > HEAD_LIMIT:
            raise HttpError(431, "headers_too_large", f"The request's head is larger than {HEAD_LIMIT} bytes.")
        lowered = name.lower()
        value = value.strip(b" \t")
        if lowered in OWN_FIELDS:
            self._own.append((lowered, value))
            return
        self._hosts += lowered == b"host"
        self._fields.append(b"%s: %s\r\n" % (name, value))
        if len(self._fields) > FIELDS_LIMIT:
            raise HttpError(431, "headers_too_large", f"The request has more than {FIELDS_LIMIT} header fields.")

    def on_headers_complete(self) -> None:
        self.in_head = False
        self.request = request = self._request()
        self.body, self.received = bytearray(), 0
        if (request.length or 0) > self.max_body_bytes:
            raise self._too_large()

    def on_chunk_header(self) -> None:
        self.received += CHUNK_FRAMING
        self._check_body_size()

    def on_body(self, piece: bytes) -> None:
        self.body += piece
        self.received += len(piece)
        self._check_body_size()

    def on_message_complete(self) -> None:
        self.ready.append((self.request, self.body))
        self.request, self.body = None, bytearray()

    def _check_body_size(self) -> None:
        if self.received > self.max_body_bytes:
            raise self._too_large()

    def _too_large(self) -> HttpError:
        return HttpError(413, "body_too_large", f"The body is larger than {self.max_body_bytes} bytes.")

    def _request(self) -> Request:
        """The request whose head has been read, once the front's own rules allow it."""
        parser = self.parser
        method, version = parser.get_method(), parser.get_http_version().encode()
        target = self._target
        if version not in (b"1.1", b"1.0") or method == b"CONNECT" or TARGET.fullmatch(target) is None:
            raise HttpError(400, "bad_request", "The request line is not HTTP/1.1.")
        if len(method) + len(target) + 10 > REQUEST_LINE_LIMIT:
            raise HttpError(414, "uri_too_long", f"The request line is longer than {REQUEST_LINE_LIMIT} bytes.")
        if self._hosts > 1 or (self._hosts == 0 and version == b"1.1"):
            raise HttpError(400, "bad_request", "The request must have one Host header.")
        connection: list[bytes] = []
        codings: list[bytes] = []
        length = None
        expect_continue = False
        for name, value in self._own:
            if name == b"content-length":
                length = int(value)  # llhttp has checked it: one, and a number
            elif name == b"expect":
                expect_continue = value.lower() == b"100-continue"
            elif name == b"connection":
                connection += [token.strip(b" \t").lower() for token in value.split(b",")]
            elif name == b"transfer-encoding":
                codings += [coding.strip(b" \t").lower() for coding in value.split(b",")]
        if codings and codings != [b"chunked"]:
            raise HttpError(501, "not_implemented", "The only Transfer-Encoding accepted is chunked.")
        if codings and version == b"1.0":
            raise HttpError(400, "bad_request", "A chunked body cannot come in HTTP/1.0.")
        if parser.should_upgrade() and (codings or length):
            raise HttpError(400, "bad_request", "An Upgrade request cannot have a body here.")
        fields = b"".join(self._fields)
        if listed := set(connection) - {b"close", b"keep-alive", b"upgrade", b""}:  # fields Connection names
            fields = b"".join(line for line in self._fields if line.partition(b":")[0].lower() not in listed)
        return Request(
            method=method,
            target=target,
            version=version,
            fields=fields,
            length=length,
            chunked=bool(codings),
            keep_alive=b"close" not in connection if version == b"1.1" else b"keep-alive" in connection,
            expect_continue=expect_continue and version == b"1.1",
        )


class ChunkedReader:
    """Finds where a chunked answer of gunicorn's ends (RFC 9112 7.1) as its bytes arrive;
    the answer is relayed as it is."""

    SIZE, DATA, DATA_END, TRAILER = range(4)

    def __init__(self):
        self.done = False
        self._state, self._remaining, self._line, self._trailer = self.SIZE, 0, bytearray(), 0

    def feed(self, data: bytes | bytearray, start: int = 0) -> int:
        """Reads data[start:] up to the body's end; answers the index after the last byte read."""
        at, end = start, len(data)
        while at < end and not self.done:
            if self._state == self.DATA:
                take = min(self._remaining, end - at)
                at += take
                self._remaining -= take
                if not self._remaining:
                    self._state = self.DATA_END
                continue
            newline = data.find(b"\n", at)
            if newline < 0:
                self._line += data[at:]
                at = end
                if len(self._line) > LINE_LIMIT:
                    raise HttpError(502, "bad_gateway", "A line of the chunked answer is too long.")
                break
            self._line += data[at : newline + 1]
            at = newline + 1
            line, self._line = bytes(self._line), bytearray()
            self._read_line(line)
        return at

    def _read_line(self, line: bytes) -> None:
        if not line.endswith(b"\r\n") or len(line) > LINE_LIMIT:
            raise HttpError(502, "bad_gateway", "The chunked answer is malformed.")
        if self._state == self.DATA_END:
            if line != b"\r\n":
                raise HttpError(502, "bad_gateway", "A chunk is longer than its size says.")
            self._state = self.SIZE
        elif self._state == self.SIZE:
            size_text = line[:-2].split(b";", 1)[0].strip(b" \t")  # chunk extensions are ignored
            if CHUNK_SIZE.fullmatch(size_text) is None:
                raise HttpError(502, "bad_gateway", "A chunk size is not a hexadecimal number.")
            size = int(size_text, 16)
            self._state, self._remaining = (self.DATA, size) if size else (self.TRAILER, 0)
        else:
            self._trailer += len(line)
            if self._trailer > TRAILER_LIMIT:
                raise HttpError(502, "bad_gateway", "The chunked answer's trailer fields are too large.")
            self.done = line == b"\r\n"


@dataclass(slots=True)
class ResponseHead:
    status: int
    head: bytes  # the status line and fields, without the connection's own fields nor the final CRLF
    length: int | None
    chunked: bool


def parse_response_head(head: bytes) -> ResponseHead:
    """gunicorn's response head (without the blank line that ends it); ValueError if it is not one.
    Regular expressions rather than a loop over the lines: this runs for every call."""
    matched = STATUS_LINE.match(head)
    if matched is None:
        raise ValueError(f"not an HTTP/1.1 status line: {head[:80]!r}")
    chunked = RESPONSE_CHUNKED.search(head) is not None
    length = None if chunked or (found := RESPONSE_LENGTH.search(head)) is None else int(found.group(1))
    return ResponseHead(int(matched.group(1)), RESPONSE_CONNECTION.sub(b"", head), length, chunked)
