"""slack.post_message: chat.postMessage with the bot token."""

from connectors.sdk import Action, Context
from connectors.slack import api

INPUT = {
    "type": "object",
    "required": ["channel", "text"],
    "additionalProperties": False,
    "properties": {
        "channel": {"type": "string", "minLength": 1, "description": "Channel id (C…) or name, or a user id for a DM."},
        "text": {"type": "string", "minLength": 1, "maxLength": 40000},
        "blocks": {"type": "array", "items": {"type": "object"}, "maxItems": 50},
        "thread_ts": {"type": "string", "description": "Reply in this thread."},
    },
}

OUTPUT = {
    "type": "object",
    "required": ["channel", "ts"],
    "properties": {"channel": {"type": "string"}, "ts": {"type": "string"}},
}


def run(ctx: Context, input: dict) -> dict:
    body = api.call(ctx, "chat.postMessage", input)
    return {"channel": body["channel"], "ts": body["ts"]}


action = Action(
    key="post_message",
    title="Post a message",
    description="Posts a message to a channel, a DM or a thread with the bot token.",
    input_schema=INPUT,
    output_schema=OUTPUT,
    run=run,
)
