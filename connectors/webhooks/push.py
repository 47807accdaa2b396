"""webhooks.push: verifies an event's HMAC signature and finds its event id."""

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from urllib.parse import parse_qs

from connectors.sdk import IncomingRequest, Item, JSONBodyError, PermanentError, Trigger, read_json

INPUT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "event_id_header": {"type": "string", "description": "Header holding the event id, e.g. X-GitHub-Delivery."},
        "event_id_field": {"type": "string", "description": "Dotted path of the id in a JSON body, e.g. event.id."},
    },
}

ITEM = {
    "type": "object",
    "required": ["body", "headers", "query"],
    "properties": {"body": {}, "headers": {"type": "object"}, "query": {"type": "object"}},
}


# Longer ids are kept as their digest: the event table's key has a bound, and an index with it.
MAX_EVENT_ID = 200


class SignatureError(PermanentError):
    """The event is not signed with the shared secret."""


def expected_signature(connection: Mapping, body: bytes) -> str:
    digest = hmac.new(connection["signing_secret"].encode(), body, connection.get("algorithm") or "sha256").digest()
    encoded = base64.b64encode(digest).decode() if connection.get("encoding") == "base64" else digest.hex()
    return (connection.get("signature_prefix") or "") + encoded


def verify(connection: Mapping, request: IncomingRequest) -> None:
    if not connection.get("signing_secret"):
        return
    header = (connection.get("signature_header") or "X-Hub-Signature-256").lower()
    given = request.headers.get(header, "")
    if not given:
        raise SignatureError(f"The event has no {header} header; it must be signed.")
    if not hmac.compare_digest(given.strip().encode(), expected_signature(connection, request.body).encode()):
        raise SignatureError("The event's signature does not match the signing secret.")


def parse_body(request: IncomingRequest):
    if not request.body.strip() and ("json" in request.content_type or not request.content_type):
        return {}  # a ping: an empty JSON event
    looks_like_json = not request.content_type and request.body.lstrip()[:1] in (b"{", b"[")
    if "json" in request.content_type or looks_like_json:
        try:
            return read_json(request.body, "The event body")
        except JSONBodyError as exc:
            raise PermanentError(exc.message) from None
    text = request.body.decode("utf-8", errors="replace")
    if "x-www-form-urlencoded" in request.content_type:
        return {key: values[0] if len(values) == 1 else values for key, values in parse_qs(text).items()}
    return text


def _dig(data, path: str):
    for part in path.split("."):
        if isinstance(data, Mapping) and part in data:
            data = data[part]
        else:
            return None
    return data


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _as_id(value) -> str | None:
    """An id as text: strings and numbers as they are, anything else (an object, a list, a
    boolean) by the digest of its canonical JSON; longer than MAX_EVENT_ID, its digest."""
    if value is None or value == "":
        return None
    if isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool)):
        text = str(value)
    else:
        text = _digest(json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
    return text if len(text) <= MAX_EVENT_ID else _digest(text.encode())


def event_id(config: Mapping, request: IncomingRequest, body) -> str:
    if config.get("event_id_header"):
        found = _as_id(request.headers.get(config["event_id_header"].lower()))
        if found:
            return found
    if config.get("event_id_field"):
        found = _as_id(_dig(body, config["event_id_field"]))
        if found:
            return found
    # Without an id the content is the identity: a byte-identical redelivery runs once.
    return _digest(request.body)


def parse(connection: Mapping, config: Mapping, request: IncomingRequest) -> list[Item]:
    verify(connection, request)
    body = parse_body(request)
    data = {"body": body, "headers": dict(request.headers), "query": dict(request.query)}
    return [Item(id=event_id(config, request, body), data=data)]


trigger = Trigger(
    key="push",
    kind="webhook",
    title="When an app pushes an event",
    description="Accepts JSON, form or text events on the recipe's secret URL; duplicates by event id run once.",
    input_schema=INPUT,
    item_schema=ITEM,
    parse=parse,
)
