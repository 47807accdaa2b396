"""Slack's Web API answers 200 with {"ok": false, "error": ...} for most failures."""

from connectors.sdk import Context, PermanentError, RetryableError, error_for_status, parse_json, read_body

RETRYABLE_ERRORS = {"ratelimited", "service_unavailable", "fatal_error", "internal_error", "request_timeout"}


def call(ctx: Context, method: str, payload: dict) -> dict:
    token = ctx.connection.get("bot_token")
    if not token:
        raise PermanentError("The Slack connection has no bot token.")
    base = (ctx.connection.get("api_base_url") or "https://slack.com/api").rstrip("/")
    response = ctx.http.post(
        f"{base}/{method}",
        json=payload,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json; charset=utf-8"},
        timeout=ctx.timeout(15),
        stream=True,
    )
    text = read_body(ctx, response)
    if response.status_code != 200:
        raise error_for_status("Slack", response.status_code, text, response.headers.get("Retry-After"))
    body = parse_json(text, "Slack")
    if not isinstance(body, dict):
        raise PermanentError(f"Slack answered {method} with something other than an object.")
    if not body.get("ok"):
        error = body.get("error", "unknown_error")
        if error in RETRYABLE_ERRORS:
            raise RetryableError(f"Slack could not do {method} right now: {error}.")
        raise PermanentError(f"Slack refused {method}: {error}.")
    return body
