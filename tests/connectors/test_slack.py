import pytest

from connectors.sdk import InvalidInputError, PermanentError, RetryableError, make_context
from connectors.slack import connector
from connectors.testkit import LOOPBACK, LocalServer, run


@pytest.fixture
def server():
    with LocalServer() as running:
        yield running


def post(server, input):
    settings = {"bot_token": "xoxb-1", "api_base_url": server.url}
    return run(connector, "post_message", connection=settings, input=input)


def test_post_message_sends_the_exact_request(server):
    server.reply("POST", "/chat.postMessage", json={"ok": True, "channel": "C1", "ts": "1700000000.0001"})
    output = post(server, {"channel": "C1", "text": "Deploy done", "thread_ts": "1699.1"})
    sent = server.requests[0]
    assert sent.headers["authorization"] == "Bearer xoxb-1"
    assert sent.json == {"channel": "C1", "text": "Deploy done", "thread_ts": "1699.1"}
    assert output == {"channel": "C1", "ts": "1700000000.0001"}


def test_slack_refusal_in_a_200_is_permanent(server):
    server.reply("POST", "/chat.postMessage", json={"ok": False, "error": "channel_not_found"})
    with pytest.raises(PermanentError, match="channel_not_found"):
        post(server, {"channel": "C404", "text": "hi"})


def test_rate_limits_are_retryable(server):
    server.reply("POST", "/chat.postMessage", status=429, headers={"Retry-After": "3"})
    with pytest.raises(RetryableError) as caught:
        post(server, {"channel": "C1", "text": "hi"})
    assert caught.value.retry_after == 3


def test_a_missing_text_is_bad_input(server):
    with pytest.raises(InvalidInputError):
        post(server, {"channel": "C1"})
    assert server.requests == []


def test_incoming_webhook(server):
    server.reply("POST", "/services/T/B/X", body="ok")
    settings = {"webhook_url": f"{server.url}/services/T/B/X"}
    assert run(connector, "send_webhook", connection=settings, input={"text": "Hello"}) == {"sent": True}
    assert server.requests[0].json == {"text": "Hello"}


@pytest.mark.parametrize(("status", "error"), [(400, PermanentError), (404, PermanentError), (500, RetryableError)])
def test_incoming_webhook_errors(server, status, error):
    server.reply("POST", "/services/T/B/X", status=status, body="invalid_payload")
    with pytest.raises(error, match=str(status)):
        run(connector, "send_webhook", connection={"webhook_url": f"{server.url}/services/T/B/X"}, input={"text": "x"})


def test_connection_test_calls_auth_test(server):
    server.reply("POST", "/auth.test", json={"ok": True, "team": "Acme", "user": "stepwise"})
    server.reply("POST", "/auth.test", json={"ok": False, "error": "invalid_auth"})
    ctx = make_context({"bot_token": "xoxb-1", "api_base_url": server.url}, network=LOOPBACK)
    assert connector.test(ctx) == "Connected to Acme as stepwise."
    with pytest.raises(PermanentError, match="invalid_auth"):
        connector.test(make_context({"bot_token": "bad", "api_base_url": server.url}, network=LOOPBACK))
