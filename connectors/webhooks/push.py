"""webhooks.push: verifies an event's HMAC signature and finds its event id."""

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from urllib.parse import parse_qs

from connectors.sdk import IncomingRequest, Item, PermanentError, Trigger

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
    text = request.body.decode("utf-8", errors="replace")
    if "json" in request.content_type or (not request.content_type and text.lstrip()[:1] in "{["):
        try:
            return json.loads(text) if text.strip() else {}
        except ValueError as exc:
            raise PermanentError(f"The event body is not valid JSON: {exc}.") from None
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


def event_id(config: Mapping, request: IncomingRequest, body) -> str:
    if config.get("event_id_header"):
        found = request.headers.get(config["event_id_header"].lower())
        if found:
            return found
    if config.get("event_id_field"):
        found = _dig(body, config["event_id_field"])
        if found is not None:
            return str(found)
    # Without an id the content is the identity: a byte-identical redelivery runs once.
    return "sha256:" + hashlib.sha256(request.body).hexdigest()


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
