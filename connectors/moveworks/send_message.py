"""moveworks.send_message: a chat message to up to 500 employees, by email address."""

from connectors.moveworks import auth
from connectors.sdk import Action, Context, PermanentError, error_for_status, read_body, read_json

INPUT = {
    "type": "object",
    "required": ["recipients", "message"],
    "additionalProperties": False,
    "properties": {
        "recipients": {
            "type": "array",
            "minItems": 1,
            "maxItems": 500,
            "uniqueItems": True,
            "items": {"type": "string", "format": "email"},
            "description": "Employees' email addresses.",
        },
        "message": {
            "type": "string",
            "minLength": 1,
            "maxLength": 20000,
            "description": "Moveworks HTML: <p>, <b>, <i>, <a>, <ul>, <li>, <br>…",
        },
        "event_id": {"type": "string", "minLength": 1, "description": "Overrides the connection's default event."},
        "context": {"type": "object", "description": "Optional context passed to Moveworks with the message."},
    },
}

OUTPUT = {
    "type": "object",
    "required": ["status", "endpoint", "response"],
    "properties": {"status": {"type": "integer"}, "endpoint": {"type": "string"}, "response": {}},
}


def _endpoint(ctx: Context, input: dict) -> str:
    base = (ctx.connection.get("base_url") or "https://api.moveworks.ai").rstrip("/")
    event_id = input.get("event_id") or ctx.connection.get("event_id")
    if event_id:
        return f"{base}/rest/v1/events/{event_id}/messages/send"
    return f"{base}/rest/v1/messages/send"  # the older API, for connections without an event


def _moveworks_message(text: str) -> str:
    try:
        body = read_json(text)
    except ValueError:
        return text
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return error.get("message") or error.get("code") or str(error)
        return body.get("message") or body.get("detail") or (error if isinstance(error, str) else str(body))
    return str(body)


def _send(ctx: Context, url: str, payload: dict, token: str) -> tuple[int, str, str | None]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    response = ctx.http.post(url, json=payload, headers=headers, timeout=ctx.timeout(20), stream=True)
    return response.status_code, read_body(ctx, response), response.headers.get("Retry-After")


def run(ctx: Context, input: dict) -> dict:
    url = _endpoint(ctx, input)
    payload = {"message": input["message"], "recipients": input["recipients"]}
    if input.get("context"):
        payload["context"] = input["context"]
    status, text, retry_after = _send(ctx, url, payload, auth.bearer_token(ctx))
    if status == 401 and ctx.connection.get("auth_method") == "oauth2":
        auth.forget(ctx)  # the cached token may have been revoked early: one fresh try
        status, text, retry_after = _send(ctx, url, payload, auth.bearer_token(ctx, force_new=True))
    if not 200 <= status < 300:
        error = error_for_status("Moveworks", status, _moveworks_message(text), retry_after)
        if status == 404:
            error = PermanentError(f"Moveworks answered 404 (is the event id right?): {error.message}", status=404)
        raise error
    try:
        body = read_json(text) if text.strip() else {}
    except ValueError:
        body = text
    return {"status": status, "endpoint": url, "response": body}


action = Action(
    key="send_message",
    title="Send a chat message",
    description="Messages employees in the Moveworks assistant. Moveworks allows about 120 requests a minute.",
    input_schema=INPUT,
    output_schema=OUTPUT,
    run=run,
)
