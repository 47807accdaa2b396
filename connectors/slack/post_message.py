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


def channels(ctx: Context) -> list[dict]:
    """The channels the bot can post to, for the step's channel picker."""
    options, cursor = [], ""
    for _page in range(10):  # at most 10 pages of 200: enough for a picker
        body = api.call(ctx, "conversations.list", {"types": "public_channel,private_channel", "limit": 200,
                                                     "exclude_archived": True, "cursor": cursor})  # fmt: skip
        options += [{"value": c["id"], "label": f"#{c['name']}"} for c in body.get("channels", [])]
        cursor = body.get("response_metadata", {}).get("next_cursor", "")
        if not cursor:
            break
    return sorted(options, key=lambda option: option["label"])


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
    pick_lists={"channel": channels},
)
