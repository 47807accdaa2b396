import base64

import pytest

from connectors.http import connector
from connectors.net import NetworkPolicy
from connectors.sdk import BlockedDestinationError, InvalidInputError, PermanentError, RetryableError, run_action
from connectors.testkit import LocalServer, run


@pytest.fixture
def server():
    with LocalServer() as running:
        yield running


def call(server, input, **connection):
    return run(connector, "request", connection={"base_url": server.url, **connection}, input=input)


def test_get_with_query_and_bearer_token(server):
    server.reply("GET", "/tickets/7", json={"id": 7, "title": "Printer on fire"})
    output = call(server, {"method": "GET", "url": "/tickets/7", "query": {"expand": True, "n": 2}},
                  auth_type="bearer", token="t0k3n")  # fmt: skip
    sent = server.requests[0]
    assert sent.query == {"expand": "true", "n": "2"}
    assert sent.headers["authorization"] == "Bearer t0k3n"
    assert output["status"] == 200
    assert output["is_json"] is True
    assert output["body"] == {"id": 7, "title": "Printer on fire"}


@pytest.mark.parametrize(
    ("body_type", "body", "expected_type", "expected"),
    [
        ("json", {"a": [1, 2]}, "application/json", b'{"a": [1, 2]}'),
        ("form", {"a": "1", "b": "x y"}, "application/x-www-form-urlencoded", b"a=1&b=x+y"),
        ("raw", "<xml/>", "application/xml", b"<xml/>"),
    ],
)
def test_bodies(server, body_type, body, expected_type, expected):
    server.reply("POST", "/in", status=201, body="created")
    input = {"method": "POST", "url": "/in", "body_type": body_type, "body": body, "content_type": "application/xml"}
    output = call(server, input)
    assert server.requests[0].headers["content-type"] == expected_type
    assert server.requests[0].body == expected
    assert output["status"] == 201
    assert output["body"] == "created"
    assert output["is_json"] is False


def test_basic_auth(server):
    server.reply("GET", "/me", json={})
    call(server, {"method": "GET", "url": "/me"}, auth_type="basic", username="ada", password="s3cret")
    assert server.requests[0].headers["authorization"] == "Basic " + base64.b64encode(b"ada:s3cret").decode()


def test_api_key_in_header_and_in_query(server):
    server.reply("GET", "/me", json={})
    call(server, {"method": "GET", "url": "/me"}, auth_type="api_key_header", api_key_name="X-Key", api_key="k1")
    call(server, {"method": "GET", "url": "/me"}, auth_type="api_key_query", api_key_name="key", api_key="k2")
    assert server.requests[0].headers["x-key"] == "k1"
    assert server.requests[1].query == {"key": "k2"}


def test_a_4xx_is_a_permanent_error_with_status_and_clipped_body(server):
    server.reply("GET", "/missing", status=404, body="x" * 2000)
    with pytest.raises(PermanentError) as caught:
        call(server, {"method": "GET", "url": "/missing"})
    assert caught.value.status == 404
    assert "404" in caught.value.message
    assert len(caught.value.message) < 700


def test_an_accepted_status_is_an_answer(server):
    server.reply("GET", "/missing", status=404, json={"found": False})
    output = call(server, {"method": "GET", "url": "/missing", "accept_statuses": [404]})
    assert output["status"] == 404
    assert output["body"] == {"found": False}


def test_500_and_429_are_retryable_and_429_keeps_retry_after(server):
    server.reply("GET", "/busy", status=429, headers={"Retry-After": "7"})
    server.reply("GET", "/broken", status=500, body="oops")
    with pytest.raises(RetryableError) as busy:
        call(server, {"method": "GET", "url": "/busy"})
    with pytest.raises(RetryableError) as broken:
        call(server, {"method": "GET", "url": "/broken"})
    assert busy.value.retry_after == 7
    assert broken.value.status == 500


def test_a_timeout_is_retryable(server):
    server.reply("GET", "/slow", json={}, delay=2)
    with pytest.raises(RetryableError, match="did not answer in time"):
        call(server, {"method": "GET", "url": "/slow", "timeout_seconds": 0.3})


def test_redirects_are_followed_unless_asked_not_to(server):
    server.reply("GET", "/old", status=302, headers={"Location": "/new"})
    server.reply("GET", "/new", json={"here": True})
    assert call(server, {"method": "GET", "url": "/old"})["body"] == {"here": True}
    output = call(server, {"method": "GET", "url": "/old", "follow_redirects": False, "accept_statuses": [302]})
    assert output["status"] == 302


def test_an_idempotency_header_carries_the_steps_key(server):
    server.reply("POST", "/orders", status=201, json={"id": 1})
    order = {"method": "POST", "url": "/orders", "body_type": "json", "body": {"sku": "A"}}
    keyed = {**order, "idempotency_header": "Idempotency-Key"}
    for input in (keyed, keyed, order):
        run(connector, "request", connection={"base_url": server.url}, input=input, idempotency_key="k-1")
    run(connector, "request", connection={"base_url": server.url}, input=keyed)  # no key given: no header
    run(connector, "request", connection={"base_url": server.url}, idempotency_key="k-1",
        input={**keyed, "headers": {"idempotency-key": "order-17"}})  # fmt: skip
    keys = [sent.headers.get("idempotency-key") for sent in server.requests]
    assert keys == ["k-1", "k-1", None, None, "order-17"]  # a header the step sets itself wins


@pytest.mark.parametrize(
    ("input", "pointer"),
    [
        ({"method": "GET"}, ""),
        ({"method": "FETCH", "url": "/x"}, "/method"),
        ({"method": "GET", "url": "/x", "timeout_seconds": 0}, "/timeout_seconds"),
        ({"method": "POST", "url": "/x", "body_type": "form", "body": [1]}, "/body"),
        ({"method": "GET", "url": "ftp://example.com/file"}, "/url"),
        ({"method": "GET", "url": "/x", "idempotency_header": "Idempotency Key:"}, "/idempotency_header"),
    ],
)
def test_bad_input_names_the_field_and_sends_nothing(server, input, pointer):
    with pytest.raises(InvalidInputError) as caught:
        run(connector, "request", connection={}, input=input)
    assert pointer in [error["pointer"] for error in caught.value.errors]
    assert server.requests == []


def test_loopback_is_refused_by_default_even_by_name(server):
    server.reply("GET", "/", json={})
    for url in (server.url + "/", server.url.replace("127.0.0.1", "localhost") + "/"):
        with pytest.raises(BlockedDestinationError, match="does not allow"):
            run_action(connector, "request", connection={}, input={"method": "GET", "url": url})
    assert server.requests == []


def test_each_redirect_is_checked_again():
    with LocalServer("127.0.0.1") as allowed, LocalServer("127.0.0.2") as private:
        allowed.reply("GET", "/hop", status=302, headers={"Location": f"{private.url}/secret"})
        private.reply("GET", "/secret", json={"secret": True})
        only_first = NetworkPolicy.from_strings(allow_private=False, allowlist=["127.0.0.1/32"])
        with pytest.raises(BlockedDestinationError, match="127.0.0.2"):
            run_action(connector, "request", connection={}, input={"method": "GET", "url": f"{allowed.url}/hop"},
                       network=only_first)  # fmt: skip
        assert len(allowed.requests) == 1
        assert private.requests == []


def test_secrets_never_come_back_in_errors_or_outputs(server):
    server.reply("GET", "/x", status=403, body="forbidden")
    server.reply("GET", "/y", json={"echo": "key is SECRETQ"})
    key = {"auth_type": "api_key_query", "api_key_name": "key", "api_key": "SECRETQ"}
    with pytest.raises(PermanentError) as caught:
        call(server, {"method": "GET", "url": "/x"}, **key)
    assert "SECRETQ" not in caught.value.message
    output = call(server, {"method": "GET", "url": "/y"}, **key)
    assert "SECRETQ" not in str(output)
    assert server.requests[1].query == {"key": "SECRETQ"}


def test_credentials_go_only_to_the_connections_own_site(server):
    with LocalServer("127.0.0.2") as elsewhere:
        elsewhere.reply("GET", "/steal", json={})
        call(server, {"method": "GET", "url": f"{elsewhere.url}/steal"}, auth_type="bearer", token="t0k")
        assert "authorization" not in elsewhere.requests[0].headers


def test_an_api_key_header_is_dropped_on_a_redirect_to_another_host(server):
    with LocalServer("127.0.0.2") as elsewhere:
        elsewhere.reply("GET", "/landing", json={})
        server.reply("GET", "/hop", status=302, headers={"Location": f"{elsewhere.url}/landing"})
        call(server, {"method": "GET", "url": "/hop"}, auth_type="api_key_header", api_key_name="X-Key",
             api_key="SECRETH")  # fmt: skip
    assert server.requests[0].headers["x-key"] == "SECRETH"
    assert "x-key" not in elsewhere.requests[0].headers


@pytest.mark.parametrize(("url", "error"), [("http:///x", PermanentError), ("http://a..b/", PermanentError)])
def test_malformed_urls_are_typed_errors(url, error):
    with pytest.raises(error):
        run(connector, "request", connection={}, input={"method": "GET", "url": url})


def test_a_redirect_loop_is_a_permanent_error(server):
    server.reply("GET", "/loop", status=302, headers={"Location": "/loop"})
    with pytest.raises(PermanentError, match="redirected too many times"):
        call(server, {"method": "GET", "url": "/loop"})


@pytest.mark.parametrize("address", ["64:ff9b::a9fe:a9fe", "2002:7f00:1::", "::ffff:127.0.0.1", "::ffff:7f00:1"])
def test_ipv6_addresses_that_embed_a_private_ipv4_are_refused(address):
    import ipaddress

    assert not NetworkPolicy().permits(ipaddress.ip_address(address))


def test_a_trickling_answer_cannot_outlast_the_deadline(server):
    server.reply("GET", "/drip", body="x" * 20, trickle=0.05)
    with pytest.raises(RetryableError, match="ran out of time"):
        run(connector, "request", connection={"base_url": server.url}, input={"method": "GET", "url": "/drip"},
            seconds=0.3)  # fmt: skip
