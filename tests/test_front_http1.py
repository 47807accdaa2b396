"""builder.front.http1: how the front reads requests, chunked bodies and gunicorn's answers."""

import pytest

from builder.front.http1 import ChunkedReader, HttpError, Request, RequestReader, parse_response_head


def read(wire: bytes, *, pieces: int | None = None, max_body_bytes: int = 100) -> list[tuple[Request, bytes]]:
    """The requests whole in `wire`, fed in pieces of that size; the front's refusal raised."""
    reader = RequestReader(max_body_bytes=max_body_bytes)
    size = pieces or len(wire)
    for start in range(0, len(wire), size):
        reader.feed(wire[start : start + size])
    if not reader.ready and reader.error:
        raise reader.error
    return [(request, bytes(body)) for request, body in reader.ready]


def head(wire: bytes) -> Request:
    ((request, _),) = read(wire + b"\r\n\r\n")
    return request


def test_a_request_keeps_its_end_to_end_fields_and_loses_the_connections_own():
    ((request, body),) = read(
        b"POST /apim/hr/v1/hires?x=1 HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive, X-Hop\r\n"
        b"X-Hop: 1\r\nKeep-Alive: timeout=5\r\nContent-Length: 12\r\nAPI-Token: swk_1\r\n"
        b"Expect: 100-continue\r\n\r\nhello, world"
    )
    assert (request.method, request.target, request.version) == (b"POST", b"/apim/hr/v1/hires?x=1", b"1.1")
    assert request.fields == b"Host: example.com\r\nAPI-Token: swk_1\r\n"
    assert (request.length, request.chunked, request.keep_alive, request.expect_continue) == (12, False, True, True)
    assert body == b"hello, world"


@pytest.mark.parametrize(
    ("wire", "keep_alive"),
    [
        (b"GET / HTTP/1.1\r\nHost: a", True),
        (b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close", False),
        (b"GET / HTTP/1.0\r\nHost: a", False),
        (b"GET / HTTP/1.0\r\nHost: a\r\nConnection: Keep-Alive", True),
    ],
)
def test_keep_alive_is_what_the_version_and_connection_field_say(wire, keep_alive):
    assert head(wire).keep_alive is keep_alive


def test_a_chunked_request_is_marked_so():
    ((request, _),) = read(b"PUT /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n")
    assert (request.chunked, request.length, request.fields) == (True, None, b"Host: a\r\n")


def test_an_upgrade_is_declined_by_passing_the_request_on_without_it():
    wire = (
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: x\r\n\r\n"
    )
    (first, _), (second, _) = read(wire + b"GET /2 HTTP/1.1\r\nHost: a\r\n\r\n")
    assert (first.fields, second.target) == (b"Host: a\r\n", b"/2")


@pytest.mark.parametrize(
    ("wire", "status"),
    [
        (b"GET / HTTP/2.0\r\nHost: a", 400),
        (b"GET /a b HTTP/1.1\r\nHost: a", 400),
        (b"GET / HTTP/1.1\r\nHost: a\r\n folded", 400),
        (b"GET / HTTP/1.1\r\nHost : a", 400),
        (b"GET / HTTP/1.1\r\nHost: a\nX: b", 400),
        (b"GET / HTTP/1.1\r\nX: a\x00b", 400),
        (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b", 400),
        (b"GET / HTTP/1.1\r\nX: a", 400),
        (b"CONNECT a:443 HTTP/1.1\r\nHost: a", 400),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4", 400),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -3", 400),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked", 400),
        (b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked", 400),
        (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked", 501),
        (b"GET /" + b"a" * 4100 + b" HTTP/1.1\r\nHost: a", 414),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"a" * 8190, 431),
        (b"GET / HTTP/1.1\r\nHost: a\r\n" + b"".join(b"X-%d: 1\r\n" % n for n in range(100)) + b"Y: 1", 431),
    ],
)
def test_a_request_that_could_be_read_two_ways_or_that_gunicorn_would_refuse_is_refused(wire, status):
    with pytest.raises(HttpError) as refused:
        read(wire + b"\r\n\r\n")
    assert refused.value.status == status


def test_a_huge_content_length_is_too_large_rather_than_an_error():
    with pytest.raises(HttpError) as refused:
        read(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\n")
    assert refused.value.status == 413


def test_a_head_that_never_ends_is_refused_431_in_any_pieces():
    with pytest.raises(HttpError) as refused:
        read(b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"a" * 70000, pieces=1000)
    assert refused.value.status == 431


def test_a_chunked_body_is_decoded_in_any_pieces_and_the_next_request_follows():
    wire = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
    wire += b"5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n"
    for size in (1, 2, 3, 7, len(wire)):
        (first, body), (second, _) = read(wire, pieces=size)
        assert (body, first.length, second.target) == (b"hello, world", None, b"/next")


@pytest.mark.parametrize(
    ("wire", "status"),
    [
        (b"zz\r\n", 400),
        (b"3\r\nabcd\r\n", 400),
        (b"3\nabc\r\n", 400),
        (b"65\r\n" + b"a" * 101 + b"\r\n", 413),
        (b"1\r\na\r\n" * 17, 413),  # 17 bytes of data, 102 on the wire: the framing counts too
    ],
)
def test_a_bad_or_too_large_chunked_body_is_refused(wire, status):
    with pytest.raises(HttpError) as refused:
        read(b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + wire)
    assert refused.value.status == status


def test_the_requests_before_an_error_are_read():
    reader = RequestReader(max_body_bytes=100)
    reader.feed(b"GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/9\r\n\r\n")
    assert [request.target for request, _ in reader.ready] == [b"/a"]
    assert reader.error.status == 400


def test_a_chunked_answer_is_followed_to_its_end():
    wire = b"5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\nNEXT"
    for size in (1, 2, 3, 7, len(wire)):
        reader, at = ChunkedReader(), 0
        for start in range(0, len(wire), size):
            at += reader.feed(wire[start : start + size])
            if reader.done:
                break
        assert wire[at:] == b"NEXT"


def test_gunicorns_answer_loses_its_connection_fields_and_keeps_its_framing():
    head = parse_response_head(
        b"HTTP/1.1 200 OK\r\nServer: gunicorn\r\nConnection: close\r\nContent-Type: application/json\r\n"
        b"Content-Length: 25\r\nKeep-Alive: timeout=5"
    )
    assert head.head == b"HTTP/1.1 200 OK\r\nServer: gunicorn\r\nContent-Type: application/json\r\nContent-Length: 25"
    assert (head.status, head.length, head.chunked) == (200, 25, False)
    streamed = parse_response_head(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Length: 3")
    assert (streamed.length, streamed.chunked) == (None, True)
    with pytest.raises(ValueError, match="status line"):
        parse_response_head(b"SSH-2.0-OpenSSH")


def test_a_request_is_described_without_its_credentials():
    hook = head(b"POST /hooks/SECRETTOKEN1234/?a=1 HTTP/1.1\r\nHost: x")
    keyed = head(b"GET /apim/p/v1/x?api_key=SECRET HTTP/1.1\r\nHost: x")
    assert "SECRET" not in hook.describe() + keyed.describe()
    assert keyed.describe() == "GET /apim/p/v1/x"
