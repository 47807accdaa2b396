"""slack.send_webhook: a message through an incoming webhook URL."""

from connectors.sdk import Action, Context, PermanentError, error_for_status, read_body

INPUT = {
    "type": "object",
    "required": ["text"],
    "additionalProperties": False,
    "properties": {
        "text": {"type": "string", "minLength": 1, "maxLength": 40000},
        "blocks": {"type": "array", "items": {"type": "object"}, "maxItems": 50},
    },
}

OUTPUT = {"type": "object", "required": ["sent"], "properties": {"sent": {"const": True}}}


def run(ctx: Context, input: dict) -> dict:
    url = ctx.connection.get("webhook_url")
    if not url:
        raise PermanentError("The Slack connection has no incoming webhook URL.")
    response = ctx.http.post(url, json=input, timeout=ctx.timeout(15), stream=True)
    text = read_body(ctx, response)
    if response.status_code != 200:
        # Slack names the problem in the body: invalid_payload, no_text, channel_is_archived…
        raise error_for_status("The Slack webhook", response.status_code, text,
                               response.headers.get("Retry-After"))  # fmt: skip
    return {"sent": True}


action = Action(
    key="send_webhook",
    title="Send through an incoming webhook",
    description="Posts a message to the channel the incoming webhook belongs to.",
    input_schema=INPUT,
    output_schema=OUTPUT,
    run=run,
)
