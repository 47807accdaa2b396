"""The buffering front on the real platform: slow clients cost it a connection, never a
gunicorn worker, and everything else passes through it as if it were not there.

The stack serves what `make run` serves (front on the public port, gunicorn with 2 sync
workers behind it). Tests of deadlines and caps use a second front with deadlines of a
second, before the same gunicorn. The only time bound asserted is a socket timeout that
answers come within a few seconds while slow clients hold their connections; without the
front they would wait for gunicorn's worker timeout (30 s).
"""

import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time
from http.client import HTTPConnection, HTTPResponse
from pathlib import Path

import pytest

from tests.apiplatform.conftest import GREET
from tests.e2e.test_apiplatform import publish
from tests.stack import ROOT, api_login, free_port, http

pytestmark = pytest.mark.stack

ANSWER_SECONDS = 5  # a correctness bound: far below gunicorn's 30 s worker timeout
SLOW_CLIENTS = 3  # more than the stack's 2 workers
GREETING = b'{"name": "Ada"}'


@pytest.fixture(scope="module")
def api(stack):
    """A published sync endpoint (POST <path> answers {"greeting": "Hello <name>"}) and its key."""
    headers, workspace = api_login(stack)
    url, secret, collection = publish(stack, headers, workspace, GREET)
    path = url.removeprefix(stack.base_url) + "/hires"
    return type("Api", (), {"path": path, "secret": secret, "collection": collection, "token": headers})


def start_front(stack, log: Path, open_files: int | None = None, **settings) -> tuple[subprocess.Popen, int]:
    """Another front before the stack's gunicorn, on a port of its own (with at most
    `open_files` descriptors, when given)."""
    port = free_port()
    env = {**stack.env, "STEPWISE_PORT": str(port), **settings}
    limit = None if open_files is None else lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (open_files,) * 2)
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "builder.front"], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, preexec_fn=limit)  # fmt: skip
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the front did not start:\n{log.read_text()}")


@pytest.fixture(scope="module")
def strict_port(stack, tmp_path_factory):
    """The port of a front with deadlines of a second, bodies up to 2 MB, 3 MB of them at once."""
    settings = {"STEPWISE_FRONT_HEADER_TIMEOUT": "1", "STEPWISE_FRONT_BODY_TIMEOUT": "1",
                "STEPWISE_FRONT_MAX_BODY_BYTES": str(2 * 1024 * 1024),
                "STEPWISE_FRONT_MAX_BODY_MEMORY_BYTES": str(3 * 1024 * 1024)}  # fmt: skip
    process, port = start_front(stack, tmp_path_factory.mktemp("front") / "strict.log", **settings)
    yield port
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def capped_port(stack, tmp_path_factory):
    """The port of a front with 64 descriptors (so room for 16 clients) and 4 per address."""
    log = tmp_path_factory.mktemp("front") / "capped.log"
    process, port = start_front(stack, log, open_files=64, STEPWISE_FRONT_MAX_CONNECTIONS_PER_IP="4")
    yield port
    process.terminate()
    process.wait(timeout=20)


def connect(port: int, source: str = "127.0.0.1", timeout: float = ANSWER_SECONDS) -> socket.socket:
    sock = socket.socket()
    sock.settimeout(timeout)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    return sock


def answer(sock: socket.socket) -> tuple[int, dict, bytes]:
    response = HTTPResponse(sock)
    response.begin()
    return response.status, dict(response.getheaders()), response.read()


def closed(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def still_open(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) != b""  # an answer to a request that is not whole would be a bug
    except BlockingIOError:
        return True
    except ConnectionResetError:
        return False
    finally:
        sock.settimeout(ANSWER_SECONDS)


def post_head(path: str, length: int, key: str | None = None) -> bytes:
    token = f"API-Token: {key}\r\n" if key else ""
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{token}"
            f"Content-Length: {length}\r\n\r\n").encode()  # fmt: skip


def platform_answers(stack, api) -> None:
    """/healthz and the published endpoint answer, each on a connection of its own."""
    conn = HTTPConnection("127.0.0.1", stack.port, timeout=ANSWER_SECONDS)
    conn.request("GET", "/healthz")
    health = conn.getresponse()
    assert (health.status, json.loads(health.read())["status"]) == (200, "ok")
    conn = HTTPConnection("127.0.0.1", stack.port, timeout=ANSWER_SECONDS)
    conn.request("POST", api.path, GREETING, {"API-Token": api.secret, "Content-Type": "application/json"})
    greeted = conn.getresponse()
    assert (greeted.status, json.loads(greeted.read())) == (200, {"greeting": "Hello Ada"})


def test_clients_that_hold_back_their_body_leave_the_platform_answering(stack, api):
    slow = [connect(stack.port) for _ in range(SLOW_CLIENTS)]
    try:
        for sock in slow:
            sock.sendall(post_head(api.path, 1000, api.secret) + b'{"name": ')
        time.sleep(0.5)  # let the front take the heads in
        platform_answers(stack, api)
        assert all(still_open(sock) for sock in slow)
    finally:
        for sock in slow:
            sock.close()


def test_clients_that_send_their_head_a_byte_at_a_time_leave_the_platform_answering(stack, api):
    slow = [connect(stack.port) for _ in range(SLOW_CLIENTS)]
    try:
        for sock in slow:
            sock.sendall(f"POST {api.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
        for byte in b"X-Slow":
            for sock in slow:
                sock.sendall(bytes([byte]))
            time.sleep(0.05)
        platform_answers(stack, api)
        assert all(still_open(sock) for sock in slow)
    finally:
        for sock in slow:
            sock.close()


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        (b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n", "head"),
        (post_head("/apim/x/v1/y", 100) + b'{"name"', "body"),
    ],
)
def test_a_request_that_does_not_arrive_in_time_is_answered_408(strict_port, sent, message):
    sock = connect(strict_port, timeout=15)
    sock.sendall(sent)
    status, headers, body = answer(sock)
    error = json.loads(body)["error"]
    assert (status, error["status"], error["code"], headers["Connection"]) == (408, 408, "request_timeout", "close")
    assert message in error["message"]
    assert closed(sock)


def test_a_body_that_never_comes_is_cut_off_after_the_body_timeout_whatever_its_declared_length(strict_port):
    sock = connect(strict_port, timeout=15)  # 2 MB would be allowed 1 + 32 s if it were arriving
    sock.sendall(post_head("/apim/x/v1/y", 2 * 1024 * 1024))
    status, _, body = answer(sock)
    assert (status, json.loads(body)["error"]["code"]) == (408, "request_timeout")


def test_an_idle_connection_is_closed_without_a_word(strict_port):
    sock = connect(strict_port, timeout=15)
    assert closed(sock)


def test_a_body_beyond_the_fronts_cap_is_refused_before_it_is_sent(stack, api):
    sock = connect(stack.port)
    sock.sendall(post_head(api.path, 10 * 1024 * 1024 + 1, api.secret))
    status, _, body = answer(sock)
    assert (status, json.loads(body)["error"]["code"]) == (413, "body_too_large")


def test_a_chunked_body_beyond_the_cap_is_refused(strict_port):
    sock = connect(strict_port, timeout=15)
    sock.sendall(b"POST /apim/x/v1/y HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"10000\r\n" + b"a" * 0x10000 + b"\r\n"
    try:
        for _ in range(48):  # 3 MB
            sock.sendall(chunk)
    except OSError:
        pass  # the front may have stopped reading after its answer
    status, _, body = answer(sock)
    assert (status, json.loads(body)["error"]["code"]) == (413, "body_too_large")


def test_a_chunked_body_of_tiny_chunks_counts_its_framing_against_the_cap(strict_port):
    sock = connect(strict_port, timeout=15)
    sock.sendall(b"POST /apim/x/v1/y HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n")
    try:
        for _ in range(16):  # 1 MB of data, within the cap, in 6 MB of chunks of a byte
            sock.sendall(b"1\r\na\r\n" * 65536)
    except OSError:
        pass  # the front may have stopped reading after its answer
    status, _, body = answer(sock)
    assert (status, json.loads(body)["error"]["code"]) == (413, "body_too_large")


def test_bodies_beyond_the_fronts_memory_for_them_are_answered_503(strict_port):
    first, second = connect(strict_port, timeout=15), connect(strict_port, timeout=15)
    part = b"a" * (1600 * 1024)  # of 2 MB each: 3.2 MB together, over the 3 MB
    first.sendall(post_head("/apim/x/v1/y", 2 * 1024 * 1024) + part)
    time.sleep(0.3)
    try:
        second.sendall(post_head("/apim/x/v1/y", 2 * 1024 * 1024) + part)
    except OSError:
        pass
    status, _, body = answer(second)
    assert (status, json.loads(body)["error"]["code"]) == (503, "unavailable")
    assert still_open(first)


def test_a_body_within_the_fronts_cap_but_beyond_the_endpoints_gets_the_endpoints_answer(stack, api):
    conn = HTTPConnection("127.0.0.1", stack.port, timeout=30)
    body = json.dumps({"name": "a" * (1024 * 1024 + 1)}).encode()
    conn.request("POST", api.path, body, {"API-Token": api.secret, "Content-Type": "application/json"})
    response = conn.getresponse()
    error = json.loads(response.read())["error"]
    assert (response.status, error["code"]) == (413, "body_too_large")
    assert "request_id" in error  # the gateway's own answer, not the front's


def test_a_chunked_body_reaches_the_endpoint_whole(stack, api):
    conn = HTTPConnection("127.0.0.1", stack.port, timeout=ANSWER_SECONDS)
    pieces = iter([b'{"na', b'me": "Ad', b'a"}'])
    conn.request("POST", api.path, pieces, {"API-Token": api.secret, "Content-Type": "application/json"},
                 encode_chunked=True)  # fmt: skip
    response = conn.getresponse()
    assert (response.status, json.loads(response.read())) == (200, {"greeting": "Hello Ada"})


def test_several_requests_share_one_connection(stack, api):
    conn = HTTPConnection("127.0.0.1", stack.port, timeout=ANSWER_SECONDS)
    conn.connect()
    first = conn.sock
    for _ in range(3):
        conn.request("GET", "/healthz")
        health = conn.getresponse()
        assert (health.status, json.loads(health.read())["status"]) == (200, "ok")
        conn.request("POST", api.path, GREETING, {"API-Token": api.secret, "Content-Type": "application/json"})
        response = conn.getresponse()
        assert (response.status, json.loads(response.read())) == (200, {"greeting": "Hello Ada"})
        assert conn.sock is first  # http.client opens a new connection when the server closed the last one


def test_the_app_sees_the_real_peer_and_not_a_forwarded_for_it_does_not_trust(stack, api):
    conn = HTTPConnection("127.0.0.1", stack.port, timeout=ANSWER_SECONDS, source_address=("127.0.0.2", 0))
    conn.request("POST", api.path, GREETING, {"API-Token": api.secret, "Content-Type": "application/json",
                                             "X-Forwarded-For": "203.0.113.7"})  # fmt: skip
    request_id = conn.getresponse().getheader("X-Request-Id")
    for _ in range(50):  # the call log is written behind the answer
        _, calls = http("GET", f"{stack.base_url}/api/calls/?collection={api.collection['id']}", headers=api.token)
        if call := next((c for c in calls["results"] if c["request_id"] == request_id), None):
            break
        time.sleep(0.1)
    assert call["caller_ip"] == "127.0.0.2"


def test_a_streamed_answer_is_relayed_whole_and_the_connection_goes_on(stack, api):
    conn = HTTPConnection("127.0.0.1", stack.port, timeout=ANSWER_SECONDS)
    conn.request("POST", api.path, GREETING, {"API-Token": api.secret, "Content-Type": "application/json"})
    conn.getresponse().read()
    time.sleep(0.5)  # the call log is written behind the answer
    conn.request("GET", f"/api/calls/export/?collection={api.collection['id']}", headers=api.token)
    exported = conn.getresponse()
    rows = exported.read().decode().splitlines()
    assert (exported.status, exported.getheader("Transfer-Encoding")) == (200, "chunked")
    assert rows[0].startswith("time,request_id,")
    assert len(rows) >= 2, rows
    conn.request("GET", "/healthz")
    assert conn.getresponse().status == 200


def test_a_large_answer_arrives_byte_for_byte(stack):
    name = "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"  # 1.5 MB
    conn = HTTPConnection("127.0.0.1", stack.port, timeout=ANSWER_SECONDS)
    conn.request("GET", f"/static/{name}", headers={"Accept-Encoding": "identity"})
    response = conn.getresponse()
    assert (response.status, response.read()) == (200, (stack.data_dir / "static" / name).read_bytes())


def test_clients_that_read_their_answer_slowly_leave_the_platform_answering(stack, api):
    name = "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
    slow = []
    for _ in range(SLOW_CLIENTS):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)  # the front must hold the rest
        sock.settimeout(ANSWER_SECONDS)
        sock.connect(("127.0.0.1", stack.port))
        sock.sendall(f"GET /static/{name} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\n\r\n".encode())
        slow.append(sock)
    try:
        time.sleep(0.5)
        platform_answers(stack, api)
        for sock in slow:
            status, _, body = answer(sock)
            assert (status, body) == (200, (stack.data_dir / "static" / name).read_bytes())
    finally:
        for sock in slow:
            sock.close()


def test_pipelined_requests_are_answered_in_order(stack, api):
    sock = connect(stack.port)
    names = [b"Ada", b"Grace", b"Edsger"]
    bodies = [b'{"name": "%s"}' % name for name in names]
    sock.sendall(b"".join(post_head(api.path, len(body), api.secret) + body for body in bodies))
    received, answers = b"", []
    while len(answers) < len(names):
        chunk = sock.recv(65536)
        assert chunk, answers
        received += chunk
        while (end := received.find(b"\r\n\r\n")) >= 0:
            length = int(re.search(rb"\r\ncontent-length: *(\d+)", received[:end], re.IGNORECASE).group(1))
            if len(received) < end + 4 + length:
                break
            answers.append(json.loads(received[end + 4 : end + 4 + length]))
            received = received[end + 4 + length :]
    assert answers == [{"greeting": f"Hello {name.decode()}"} for name in names]


def test_expect_100_continue_is_answered_before_the_body_is_sent(stack, api):
    sock = connect(stack.port)
    head = post_head(api.path, len(GREETING), api.secret)
    sock.sendall(head.replace(b"\r\n\r\n", b"\r\nExpect: 100-continue\r\n\r\n"))
    assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
    sock.sendall(GREETING)
    status, _, body = answer(sock)
    assert (status, json.loads(body)) == (200, {"greeting": "Hello Ada"})


def test_an_http_1_0_client_gets_its_answer_and_the_end_of_the_connection(stack):
    sock = connect(stack.port)
    sock.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
    status, headers, body = answer(sock)
    assert (status, json.loads(body)["status"], headers["Connection"]) == (200, "ok", "close")
    assert closed(sock)


def test_a_head_too_large_is_refused_431(stack):
    sock = connect(stack.port)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n")
    status, _, body = answer(sock)
    assert (status, json.loads(body)["error"]["code"]) == (431, "headers_too_large")


def test_on_sigterm_the_front_stops_accepting_and_finishes_the_request_in_flight(stack, api, tmp_path):
    process, port = start_front(stack, tmp_path / "front.log")
    sock = connect(port)
    # A first answer on this connection: the front has surely taken it (not merely the kernel's
    # listen queue, which closing the listening socket would reset) before the one in flight.
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert answer(sock)[0] in (200, 503)
    sock.sendall(post_head(api.path, len(GREETING), api.secret) + GREETING[:5])
    time.sleep(0.5)  # the head has reached the front: the request is in flight
    os.kill(process.pid, signal.SIGTERM)
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except (ConnectionRefusedError, ConnectionResetError):
            break  # refused, or reset from the listen queue of a socket that just closed
        time.sleep(0.1)
    else:
        pytest.fail("the front still accepts connections after SIGTERM")
    sock.sendall(GREETING[5:])
    status, headers, body = answer(sock)
    assert (status, json.loads(body), headers["Connection"]) == (200, {"greeting": "Hello Ada"}, "close")
    assert process.wait(timeout=15) == 0


def healthz(port: int, source: str = "127.0.0.1") -> int:
    conn = HTTPConnection("127.0.0.1", port, timeout=ANSWER_SECONDS, source_address=(source, 0))
    conn.request("GET", "/healthz")
    return conn.getresponse().status


def test_a_front_out_of_descriptors_answers_503_and_keeps_serving(stack, tmp_path):
    # A cap above what 64 descriptors allow: the front runs out of them, and must not die of it.
    process, port = start_front(stack, tmp_path / "front.log", open_files=64, STEPWISE_FRONT_MAX_CONNECTIONS="1000")
    held = []
    try:
        for _ in range(80):  # the last ones wait in the listen queue
            sock = socket.create_connection(("127.0.0.1", port), timeout=ANSWER_SECONDS)
            sock.sendall(post_head("/healthz", 2))
            held.append(sock)
        time.sleep(1.5)  # past the front's retry of accept, which fills any descriptor left
        held[0].sendall(b"{}")  # whole: the front needs one more descriptor for gunicorn, and has none
        status, _, body = answer(held[0])
        assert (status, body[:1]) == (503, b"{")
        assert json.loads(body)["error"]["code"] == "unavailable"
    finally:
        for sock in held:
            sock.close()
    for _ in range(50):  # the front accepts again within a second of having descriptors
        try:
            if healthz(port) == 200:
                break
        except OSError:
            assert process.poll() is None, (tmp_path / "front.log").read_text()
        time.sleep(0.1)
    else:
        pytest.fail("the front does not answer after its clients left")
    process.terminate()
    assert process.wait(timeout=20) == 0


def test_connections_beyond_the_cap_are_answered_503_at_once_and_served_once_room_is_made(capped_port):
    held = [connect(capped_port, f"127.0.1.{n % 4 + 1}") for n in range(16)]  # the cap, 4 addresses
    try:
        for sock in held:
            sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        late = connect(capped_port, "127.0.1.5")
        status, _, body = answer(late)  # without sending a byte
        error = json.loads(body)["error"]
        assert (status, error["code"]) == (503, "unavailable")
        assert "too many connections" in error["message"]
        assert all(still_open(sock) for sock in held)
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.3)
    assert healthz(capped_port, "127.0.1.5") == 200


def test_one_address_gets_only_its_share_of_connections(capped_port):
    held = [connect(capped_port, "127.0.2.1") for _ in range(4)]
    try:
        for sock in held:
            sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        status, _, body = answer(connect(capped_port, "127.0.2.1"))
        assert (status, json.loads(body)["error"]["code"]) == (503, "unavailable")
        assert healthz(capped_port, "127.0.2.2") == 200
    finally:
        for sock in held:
            sock.close()


BIG = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js.map"  # 3.9 MB


def never_reading_client(port: int, requests: int) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(ANSWER_SECONDS)
    sock.connect(("127.0.0.1", port))
    sock.sendall(
        f"GET /static/{BIG} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: identity\r\n\r\n".encode() * requests
    )
    return sock


def test_clients_that_pipeline_large_answers_and_read_none_leave_the_platform_answering(stack, api):
    slow = [never_reading_client(stack.port, 3) for _ in range(SLOW_CLIENTS)]
    try:
        for _ in range(3):
            time.sleep(0.5)
            platform_answers(stack, api)
        assert all(still_open(sock) for sock in slow)
    finally:
        for sock in slow:
            sock.close()


def test_a_client_that_takes_its_answer_too_slowly_is_cut_off_with_it_unfinished(stack, strict_port):
    sock = never_reading_client(strict_port, 1)
    received, ended = 0, False
    for _ in range(60):  # 8 KB/s, for 15 s at most: the front allows 16 KB/s over a second
        try:
            chunk = sock.recv(2048)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            ended = True
            break
        received += len(chunk)
        time.sleep(0.25)
    assert ended
    assert 0 < received < (stack.data_dir / "static" / BIG).stat().st_size


def test_requests_pipelined_before_a_half_close_are_all_answered(stack):
    sock = connect(stack.port)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * 3)
    sock.shutdown(socket.SHUT_WR)
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    assert received.count(b"HTTP/1.1 200 ") == 3


def test_many_pipelined_requests_are_each_answered_503_while_gunicorn_is_down(stack, tmp_path):
    settings = {"STEPWISE_DATA_DIR": str(tmp_path)}  # no gunicorn on this front's socket
    process, port = start_front(stack, tmp_path / "front.log", **settings)
    try:
        sock = connect(port, timeout=15)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * 3000)
        sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        assert received.count(b"HTTP/1.1 503 ") == 3000
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_host_colons_serves_ipv4_and_ipv6(stack, tmp_path):
    process, port = start_front(stack, tmp_path / "front.log", STEPWISE_HOST="::")  # start_front checks IPv4
    try:
        with socket.create_connection(("::1", port), timeout=ANSWER_SECONDS) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            assert answer(sock)[0] == 200
        assert healthz(port) == 200
    finally:
        process.terminate()
        process.wait(timeout=20)
