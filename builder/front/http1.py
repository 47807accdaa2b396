"""HTTP/1.1 as the front reads it: request heads, chunked bodies, gunicorn's response heads,
and the front's own JSON errors. No I/O here.

Strict on purpose: a request the front could read two ways (two lengths, a length and
chunked, folded lines, control characters) is refused with 400, so that the front and
gunicorn never disagree on where a request ends. The front sends gunicorn each request on
a connection of its own, with a Content-Length it counted itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from builder.accesslog import logged_target

TOKEN = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
REQUEST_LINE = re.compile(rb"(" + TOKEN + rb") ([\x21-\x7e]+) HTTP/(1\.[01])")
# Every field line, each ending with CRLF: a name, a colon, a value of visible characters,
# spaces and tabs. This also refuses obsolete line folding (a line starting with a space).
FIELD_LINES = re.compile(rb"(?:" + TOKEN + rb":[\t\x20-\x7e\x80-\xff]*\r\n)*")
# The fields the front reads or answers itself: the framing, and those about one connection,
# which are never passed on (RFC 9110 7.6.1). Every other line goes to gunicorn as it came.
OWN_FIELDS = re.compile(
    rb"^(connection|content-length|expect|keep-alive|proxy-connection|te|trailer|transfer-encoding|upgrade)"
    rb":[ \t]*([^\r\n]*?)[ \t]*\r\n",
    re.IGNORECASE | re.MULTILINE,
)
CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,15}")
STATUS_LINE = re.compile(rb"HTTP/1\.[01] ([1-5][0-9][0-9])(?:[ \t][^\r\n]*)?(?:\r\n|\Z)")
RESPONSE_CONNECTION = re.compile(rb"\r\n(?:connection|keep-alive):[^\r\n]*", re.IGNORECASE)
RESPONSE_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*([0-9]{1,18})[ \t]*(?:\r\n|\Z)", re.IGNORECASE)
RESPONSE_CHUNKED = re.compile(rb"\r\ntransfer-encoding:[^\r\n]*chunked[ \t]*(?:\r\n|\Z)", re.IGNORECASE)
HEAD_LIMIT = 64 * 1024  # a request's or an answer's head
LINE_LIMIT = 8192  # a chunk-size or trailer line
TRAILER_LIMIT = 64 * 1024
REASONS = {
    400: "Bad Request",
    408: "Request Timeout",
    413: "Content Too Large",
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


def parse_request_head(head: bytes) -> Request:
    """The request whose head (without the blank line that ends it) is `head`."""
    request_line, _, fields = head.partition(b"\r\n")
    matched = REQUEST_LINE.fullmatch(request_line)
    if matched is None:
        raise HttpError(400, "bad_request", "The request line is not HTTP/1.1.")
    method, target, version = matched.groups()
    fields = fields + b"\r\n" if fields else b""
    if FIELD_LINES.fullmatch(fields) is None:
        raise HttpError(400, "bad_request", "A header line is malformed.")
    connection: list[bytes] = []
    lengths: set[bytes] = set()
    codings: list[bytes] = []
    expect_continue = False
    if own := OWN_FIELDS.findall(fields):
        fields = OWN_FIELDS.sub(b"", fields)
    for name, value in own:
        name = name.lower()
        if name == b"content-length":
            lengths.add(value)
        elif name == b"expect":
            expect_continue = value.lower() == b"100-continue"
        elif name == b"connection":
            connection += [token.strip(b" \t").lower() for token in value.split(b",")]
        elif name == b"transfer-encoding":
            codings += [coding.strip(b" \t").lower() for coding in value.split(b",")]
    if codings and codings != [b"chunked"]:
        raise HttpError(501, "not_implemented", "The only Transfer-Encoding accepted is chunked.")
    if codings and (lengths or version == b"1.0"):
        raise HttpError(400, "bad_request", "A chunked body cannot have a Content-Length, nor come in HTTP/1.0.")
    if len(lengths) > 1 or (lengths and not next(iter(lengths)).isdigit()):
        raise HttpError(400, "bad_request", "The Content-Length is not one whole number.")
    length = None
    if lengths:
        (text,) = lengths
        length = int(text) if len(text) <= 18 else 10**18  # beyond any cap, without int() of a huge string
    if listed := set(connection) - {b"close", b"keep-alive", b""}:  # fields the Connection field names
        lines = fields.splitlines(keepends=True)
        fields = b"".join(line for line in lines if line.partition(b":")[0].lower() not in listed)
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
    """Follows a chunked body (RFC 9112 7.1) as its bytes arrive: keeps the data when asked
    (a request's body, de-chunked for gunicorn), or only finds where it ends (a response's,
    relayed as it is). Trailer fields are read and dropped."""

    SIZE, DATA, DATA_END, TRAILER = range(4)

    def __init__(self, *, limit: int | None, keep: bool):
        self.limit, self.keep = limit, keep
        self.parts: list[bytes] = []
        self.size = 0  # data bytes so far
        self.done = False
        self._state, self._remaining, self._line, self._trailer = self.SIZE, 0, bytearray(), 0

    def feed(self, data: bytes | bytearray, start: int = 0) -> int:
        """Reads data[start:] up to the body's end; answers the index after the last byte read."""
        at, end = start, len(data)
        while at < end and not self.done:
            if self._state == self.DATA:
                take = min(self._remaining, end - at)
                if self.keep:
                    self.parts.append(bytes(data[at : at + take]))
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
                    raise HttpError(400, "bad_request", "A line of the chunked body is too long.")
                break
            self._line += data[at : newline + 1]
            at = newline + 1
            line, self._line = bytes(self._line), bytearray()
            self._read_line(line)
        return at

    def _read_line(self, line: bytes) -> None:
        if not line.endswith(b"\r\n") or len(line) > LINE_LIMIT:
            raise HttpError(400, "bad_request", "The chunked body is malformed.")
        if self._state == self.DATA_END:
            if line != b"\r\n":
                raise HttpError(400, "bad_request", "A chunk is longer than its size says.")
            self._state = self.SIZE
        elif self._state == self.SIZE:
            size_text = line[:-2].split(b";", 1)[0].strip(b" \t")  # chunk extensions are ignored
            if CHUNK_SIZE.fullmatch(size_text) is None:
                raise HttpError(400, "bad_request", "A chunk size is not a hexadecimal number.")
            size = int(size_text, 16)
            if self.limit is not None and self.size + size > self.limit:
                raise HttpError(413, "body_too_large", f"The body is larger than {self.limit} bytes.")
            self.size += size
            self._state, self._remaining = (self.DATA, size) if size else (self.TRAILER, 0)
        else:
            self._trailer += len(line)
            if self._trailer > TRAILER_LIMIT:
                raise HttpError(431, "headers_too_large", "The chunked body's trailer fields are too large.")
            self.done = line == b"\r\n"

    def body(self) -> bytes:
        return b"".join(self.parts)


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
