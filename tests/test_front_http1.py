"""builder.front.http1: how the front reads requests, chunked bodies and gunicorn's answers."""

import pytest

from builder.front.http1 import ChunkedReader, HttpError, parse_request_head, parse_response_head


def test_a_request_keeps_its_end_to_end_fields_and_loses_the_connections_own():
    request = parse_request_head(
        b"POST /apim/hr/v1/hires?x=1 HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive, X-Hop\r\n"
        b"X-Hop: 1\r\nKeep-Alive: timeout=5\r\nContent-Length: 12\r\nAPI-Token: swk_1\r\nExpect: 100-continue"
    )
    assert (request.method, request.target, request.version) == (b"POST", b"/apim/hr/v1/hires?x=1", b"1.1")
    assert request.fields == b"Host: example.com\r\nAPI-Token: swk_1\r\n"
    assert (request.length, request.chunked, request.keep_alive, request.expect_continue) == (12, False, True, True)


@pytest.mark.parametrize(
    ("head", "keep_alive"),
    [
        (b"GET / HTTP/1.1\r\nHost: a", True),
        (b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close", False),
        (b"GET / HTTP/1.0\r\nHost: a", False),
        (b"GET / HTTP/1.0\r\nHost: a\r\nConnection: Keep-Alive", True),
    ],
)
def test_keep_alive_is_what_the_version_and_connection_field_say(head, keep_alive):
    assert parse_request_head(head).keep_alive is keep_alive


def test_a_chunked_request_is_marked_so():
    request = parse_request_head(b"PUT /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked")
    assert (request.chunked, request.length, request.fields) == (True, None, b"Host: a\r\n")


@pytest.mark.parametrize(
    ("head", "status"),
    [
        (b"GET / HTTP/2.0\r\nHost: a", 400),
        (b"GET /a b HTTP/1.1\r\nHost: a", 400),
        (b"GET / HTTP/1.1\r\nHost: a\r\n folded", 400),
        (b"GET / HTTP/1.1\r\nHost : a", 400),
        (b"GET / HTTP/1.1\r\nHost: a\nX: b", 400),
        (b"GET / HTTP/1.1\r\nX: a\x00b", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: -3", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked", 400),
        (b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked", 400),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked", 501),
    ],
)
def test_a_request_that_could_be_read_two_ways_is_refused(head, status):
    with pytest.raises(HttpError) as refused:
        parse_request_head(head)
    assert refused.value.status == status


def test_a_huge_content_length_is_too_large_rather_than_an_error():
    assert parse_request_head(b"POST / HTTP/1.1\r\nContent-Length: " + b"9" * 5000).length >= 10**18


def test_a_chunked_body_is_decoded_in_any_pieces():
    wire = b"5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\nNEXT"
    for size in (1, 2, 3, 7, len(wire)):
        reader, at = ChunkedReader(limit=100, keep=True), 0
        for start in range(0, len(wire), size):
            piece = wire[start : start + size]
            used = reader.feed(piece)
            at += used
            if reader.done:
                break
        assert reader.body() == b"hello, world"
        assert wire[at:] == b"NEXT"


@pytest.mark.parametrize(
    ("wire", "status"),
    [(b"zz\r\n", 400), (b"3\r\nabcd\r\n", 400), (b"3\nabc\r\n", 400), (b"65\r\n" + b"a" * 101 + b"\r\n", 413)],
)
def test_a_bad_or_too_large_chunked_body_is_refused(wire, status):
    with pytest.raises(HttpError) as refused:
        ChunkedReader(limit=100, keep=True).feed(wire)
    assert refused.value.status == status


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
    from builder.front.http1 import parse_request_head

    hook = parse_request_head(b"POST /hooks/SECRETTOKEN1234/?a=1 HTTP/1.1\r\nHost: x")
    keyed = parse_request_head(b"GET /apim/p/v1/x?api_key=SECRET HTTP/1.1\r\nHost: x")
    assert "SECRET" not in hook.describe() + keyed.describe()
    assert keyed.describe() == "GET /apim/p/v1/x"
