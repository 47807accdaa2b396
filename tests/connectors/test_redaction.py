"""Secrets are redacted in every form they travel in: raw, percent-encoded (both ways),
base64 (whole or inside a longer text, as in a Basic header), JSON- and HTML-escaped;
in outputs, errors and logs."""

import base64
import html
import json
import logging
from urllib.parse import quote, quote_plus

import pytest

from connectors.http import connector as http
from connectors.redaction import REDACTED, Redactor
from connectors.sdk import Action, Connector, ConnectorError, Field, PermanentError
from connectors.testkit import LocalServer, run

KEY = 'k3y+with/slash=and "quote" \u00e9'


def forms(secret: str) -> list[str]:
    raw = secret.encode()
    found = [secret, quote(secret, safe=""), quote(secret), quote_plus(secret), quote(secret, safe="").lower(),
             json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1], html.escape(secret),
             base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()]  # fmt: skip
    return found


def leaks(text: str, secret: str) -> list[str]:
    return [form for form in forms(secret) if form in text]


@pytest.mark.parametrize("form", forms(KEY))
def test_each_form_is_redacted(form):
    redact = Redactor([KEY])
    assert redact(f"before {form} after") == f"before {REDACTED} after"


@pytest.mark.parametrize("prefix", ["", "a", "ab", "abc", "user:"])
def test_base64_of_a_text_holding_the_secret_is_redacted_at_any_offset(prefix):
    encoded = base64.b64encode(f"{prefix}{KEY} and more".encode()).decode()
    out = Redactor([KEY])(f"Basic {encoded}")
    assert REDACTED in out
    for cut in range(len(KEY) - 6):
        assert base64.b64encode(KEY[cut:].encode()).decode()[:8] not in out


def test_nested_values_and_keys_are_redacted():
    redact = Redactor(["s3cr3t-value"])
    value = {"a": ["x s3cr3t-value y", {"s3cr3t-value": 1}], "n": 5, "ok": True, "none": None}
    assert redact(value) == {"a": [f"x {REDACTED} y", {REDACTED: 1}], "n": 5, "ok": True, "none": None}


def test_a_json_escaped_slash_is_redacted_too():
    url = "https://hooks.slack.com/services/T000/B000/XXXXSECRET"
    echoed = url.replace("/", "\\/")
    assert Redactor([url])(f"bad url {echoed}") == f"bad url {REDACTED}"


def test_short_or_empty_secrets_are_ignored():
    assert Redactor(["", "abc"])("abc") == "abc"


@pytest.fixture
def server():
    with LocalServer() as running:
        yield running


def test_an_api_key_in_the_query_leaves_no_trace_in_the_output_or_the_error(server):
    server.handle("GET", "/ok", lambda request: {"echo": request.query})
    server.reply("GET", "/fail", status=500, body="boom")
    connection = {"base_url": server.url, "auth_type": "api_key_query", "api_key_name": "key", "api_key": KEY}
    output = run(http, "request", connection=connection, input={"method": "GET", "url": "/ok"})
    assert server.requests[0].query == {"key": KEY}
    assert leaks(json.dumps(output, ensure_ascii=False), KEY) == []
    assert leaks(json.dumps(output), KEY) == []
    assert "key=" in output["url"]  # the parameter is named, its value is not
    with pytest.raises(ConnectorError) as caught:
        run(http, "request", connection=connection, input={"method": "GET", "url": "/fail"})
    assert f"key={REDACTED}" in caught.value.message
    assert leaks(caught.value.message, KEY) == []


def test_an_echoed_basic_authorization_header_is_redacted(server):
    server.handle("GET", "/echo", lambda request: {"headers": request.headers})
    connection = {"base_url": server.url, "auth_type": "basic", "username": "ada", "password": "pa55word!"}
    output = run(http, "request", connection=connection, input={"method": "GET", "url": "/echo"})
    sent = server.requests[0].headers["authorization"]
    assert sent == "Basic " + base64.b64encode(b"ada:pa55word!").decode()
    assert sent not in json.dumps(output)
    assert base64.b64encode(b"ada:pa55word!").decode() not in json.dumps(output)


def chatty(ctx, input):
    ctx.logger.warning("calling with token %s", ctx.connection["token"])
    logging.getLogger("urllib3.connectionpool").debug("GET /x?token=%s", quote_plus(ctx.connection["token"]))
    raise ValueError(f"unexpected: {ctx.connection['token']}")


CHATTY = Connector(
    name="chatty",
    title="Chatty",
    description="logs its secret",
    category="test",
    fields=(Field("token", "Token", secret=True),),
    actions=(Action("go", "Go", "", {"type": "object"}, {"type": "object"}, chatty),),
)


def test_what_a_step_logs_and_what_escapes_it_are_redacted(caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(PermanentError) as caught:
        run(CHATTY, "go", connection={"token": KEY}, input={})
    assert leaks(caught.value.message, KEY) == []
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "calling with token" in logged
    assert leaks(logged, KEY) == []
