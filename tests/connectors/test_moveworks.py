import base64

import pytest

from connectors.moveworks import auth, connector
from connectors.sdk import InvalidInputError, PermanentError, RetryableError, make_context
from connectors.testkit import LOOPBACK, LocalServer, run

MESSAGE = {"recipients": ["ada@example.com", "grace@example.com"], "message": "<p>Your laptop is <b>ready</b>.</p>"}


@pytest.fixture
def server():
    auth._tokens.clear()
    with LocalServer() as running:
        yield running


def send(server, input=MESSAGE, **connection):
    settings = {"base_url": server.url, "event_id": "evt-42", "api_key": "mw-key", **connection}
    return run(connector, "send_message", connection=settings, input=input)


def test_sends_to_the_event_with_the_api_key(server):
    server.reply("POST", "/rest/v1/events/evt-42/messages/send", json={"message_id": "m-1"})
    output = send(server, {**MESSAGE, "context": {"ticket": "INC-1"}})
    sent = server.requests[0]
    assert sent.headers["authorization"] == "Bearer mw-key"
    assert sent.json == {**MESSAGE, "context": {"ticket": "INC-1"}}
    assert output == {"status": 200, "endpoint": f"{server.url}/rest/v1/events/evt-42/messages/send",
                      "response": {"message_id": "m-1"}}  # fmt: skip


def test_a_step_may_name_another_event(server):
    server.reply("POST", "/rest/v1/events/evt-7/messages/send", json={})
    send(server, {**MESSAGE, "event_id": "evt-7"})
    assert server.requests[0].path == "/rest/v1/events/evt-7/messages/send"


def test_without_an_event_the_older_api_is_used(server):
    server.reply("POST", "/rest/v1/messages/send", json={})
    send(server, event_id="")
    assert server.requests[0].path == "/rest/v1/messages/send"
    assert server.requests[0].json == MESSAGE


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_permanent_and_carry_moveworks_message(server, status):
    reply = {"error": {"code": "INVALID", "message": "recipient ada@example.com is not an employee"}}
    server.reply("POST", "/rest/v1/events/evt-42/messages/send", status=status, json=reply)
    with pytest.raises(PermanentError) as caught:
        send(server)
    assert caught.value.status == status
    assert "recipient ada@example.com is not an employee" in caught.value.message


def test_429_is_retryable_after_what_moveworks_says(server):
    server.reply("POST", "/rest/v1/events/evt-42/messages/send", status=429, headers={"Retry-After": "30"})
    with pytest.raises(RetryableError) as caught:
        send(server)
    assert caught.value.retry_after == 30


def test_5xx_is_retryable(server):
    server.reply("POST", "/rest/v1/events/evt-42/messages/send", status=503, body="maintenance")
    with pytest.raises(RetryableError, match="503"):
        send(server)


def test_a_slow_moveworks_is_a_retryable_timeout(server):
    server.reply("POST", "/rest/v1/events/evt-42/messages/send", json={}, delay=2)
    settings = {"base_url": server.url, "event_id": "evt-42", "api_key": "k"}
    with pytest.raises(RetryableError, match="did not answer in time"):
        run(connector, "send_message", connection=settings, input=MESSAGE, seconds=0.4)


@pytest.mark.parametrize(
    ("input", "pointer"),
    [
        ({"recipients": [], "message": "hi"}, "/recipients"),
        ({"recipients": [f"p{n}@example.com" for n in range(501)], "message": "hi"}, "/recipients"),
        ({"recipients": ["not-an-email"], "message": "hi"}, "/recipients/0"),
        ({"recipients": ["ada@example.com"], "message": ""}, "/message"),
        ({"recipients": ["ada@example.com"], "message": "x" * 20001}, "/message"),
        ({"recipients": ["ada@example.com"]}, ""),
    ],
)
def test_recipients_and_message_are_checked_before_sending(server, input, pointer):
    with pytest.raises(InvalidInputError) as caught:
        send(server, input)
    assert pointer in [error["pointer"] for error in caught.value.errors]
    assert server.requests == []


def oauth(server):
    return {"auth_method": "oauth2", "api_key": "", "token_url": f"{server.url}/oauth/token",
            "client_id": "stepwise", "client_secret": "shh"}  # fmt: skip


def test_oauth2_token_is_fetched_once_and_reused(server):
    server.reply("POST", "/oauth/token", json={"access_token": "tok-1", "expires_in": 3600})
    server.reply("POST", "/rest/v1/events/evt-42/messages/send", json={})
    send(server, **oauth(server))
    send(server, **oauth(server))
    token_calls = [r for r in server.requests if r.path == "/oauth/token"]
    assert len(token_calls) == 1
    assert token_calls[0].form == {"grant_type": "client_credentials"}
    assert token_calls[0].headers["authorization"] == "Basic " + base64.b64encode(b"stepwise:shh").decode()
    sends = [r for r in server.requests if r.path.endswith("/send")]
    assert [r.headers["authorization"] for r in sends] == ["Bearer tok-1", "Bearer tok-1"]


def test_an_expiring_token_is_renewed(server):
    server.reply("POST", "/oauth/token", json={"access_token": "short", "expires_in": 30})
    server.reply("POST", "/rest/v1/events/evt-42/messages/send", json={})
    send(server, **oauth(server))
    send(server, **oauth(server))
    assert len([r for r in server.requests if r.path == "/oauth/token"]) == 2


def test_a_rejected_cached_token_is_replaced_once(server):
    server.reply("POST", "/oauth/token", json={"access_token": "old", "expires_in": 3600})
    server.reply("POST", "/oauth/token", json={"access_token": "new", "expires_in": 3600})
    server.reply("POST", "/rest/v1/events/evt-42/messages/send", status=401, json={"error": "expired"})
    server.reply("POST", "/rest/v1/events/evt-42/messages/send", json={"ok": True})
    assert send(server, **oauth(server))["response"] == {"ok": True}
    sends = [r.headers["authorization"] for r in server.requests if r.path.endswith("/send")]
    assert sends == ["Bearer old", "Bearer new"]


def test_bad_client_credentials_are_permanent(server):
    server.reply("POST", "/oauth/token", status=401, json={"error": "invalid_client"})
    with pytest.raises(PermanentError, match="token endpoint answered 401"):
        send(server, **oauth(server))


def test_connection_test_fetches_a_token(server):
    server.reply("POST", "/oauth/token", json={"access_token": "t", "expires_in": 60})
    ctx = make_context({"base_url": server.url, **oauth(server)}, network=LOOPBACK)
    assert "issued an access token" in connector.test(ctx)


def test_a_trickling_answer_cannot_outlast_the_deadline(server):
    server.reply("POST", "/rest/v1/events/evt-42/messages/send", json={"padding": "x" * 10}, trickle=0.05)
    settings = {"base_url": server.url, "event_id": "evt-42", "api_key": "k"}
    with pytest.raises(RetryableError, match="ran out of time"):
        run(connector, "send_message", connection=settings, input=MESSAGE, seconds=0.3)
