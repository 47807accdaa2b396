import base64
import hashlib
import hmac
import json

import pytest

from connectors.sdk import IncomingRequest, PermanentError
from connectors.webhooks import connector
from connectors.webhooks.push import SignatureError

SECRET = "whsec_test"
BODY = json.dumps({"event": {"id": "evt_1", "type": "ticket.created"}}).encode()
GITHUB_STYLE = {"signing_secret": SECRET, "signature_header": "X-Hub-Signature-256", "algorithm": "sha256",
                "signature_prefix": "sha256=", "encoding": "hex"}  # fmt: skip


def parse(connection, body=BODY, headers=None, config=None, content_type="application/json"):
    request = IncomingRequest(body=body, headers={k.lower(): v for k, v in (headers or {}).items()}, query={"a": "1"},
                              content_type=content_type)  # fmt: skip
    return connector.trigger("push").parse(connection, config or {}, request)


def signed(body=BODY, secret=SECRET, algorithm="sha256"):
    return "sha256=" + hmac.new(secret.encode(), body, algorithm).hexdigest()


def test_a_good_signature_is_accepted_and_the_event_parsed():
    [item] = parse(GITHUB_STYLE, headers={"X-Hub-Signature-256": signed()}, config={"event_id_field": "event.id"})
    assert item.id == "evt_1"
    assert item.data["body"]["event"]["type"] == "ticket.created"
    assert item.data["query"] == {"a": "1"}


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Hub-Signature-256": signed(secret="other")}, {"X-Hub-Signature-256": signed(body=b"tampered")}],
    ids=["missing", "wrong secret", "other body"],
)
def test_a_bad_or_missing_signature_is_refused(headers):
    with pytest.raises(SignatureError):
        parse(GITHUB_STYLE, headers=headers)


def test_base64_sha1_without_prefix():
    connection = {"signing_secret": SECRET, "signature_header": "X-Signature", "algorithm": "sha1",
                  "signature_prefix": "", "encoding": "base64"}  # fmt: skip
    signature = base64.b64encode(hmac.new(SECRET.encode(), BODY, hashlib.sha1).digest()).decode()
    assert parse(connection, headers={"X-Signature": signature})


def test_unsigned_events_pass_when_no_secret_is_set():
    assert parse({}, headers={})[0].data["body"]["event"]["id"] == "evt_1"


def test_event_id_from_a_header_wins():
    [item] = parse({}, headers={"X-Delivery": "d-9"}, config={"event_id_header": "X-Delivery", "event_id_field": "x"})
    assert item.id == "d-9"


def test_without_an_id_the_content_identifies_the_event():
    first, second = parse({})[0], parse({})[0]
    assert first.id == second.id == "sha256:" + hashlib.sha256(BODY).hexdigest()


def test_form_and_text_bodies():
    form = parse({}, body=b"name=Ada&tag=a&tag=b", content_type="application/x-www-form-urlencoded")[0]
    assert form.data["body"] == {"name": "Ada", "tag": ["a", "b"]}
    assert parse({}, body=b"plain words", content_type="text/plain")[0].data["body"] == "plain words"


def test_broken_json_is_a_clear_error():
    with pytest.raises(PermanentError, match="not valid JSON"):
        parse({}, body=b'{"open": ')
