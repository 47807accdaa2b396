from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from connectors.sdk import Action, Context, PermanentError


def _parse(value) -> datetime:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise PermanentError(f"{value!r} is not an ISO 8601 date-time or a Unix timestamp.") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def run(ctx: Context, input: dict) -> dict:
    moment = _parse(input["value"]).astimezone(ZoneInfo(input.get("timezone", "UTC")))
    text = moment.strftime(input["format"]) if input.get("format") else moment.isoformat()
    return {"text": text, "iso": moment.isoformat(), "timestamp": moment.timestamp()}


action = Action(
    key="format_datetime",
    title="Format a date and time",
    description="Reads an ISO 8601 date-time or a Unix timestamp and writes it in a time zone and format.",
    input_schema={
        "type": "object",
        "required": ["value"],
        "additionalProperties": False,
        "properties": {
            "value": {"type": ["string", "number"]},
            "format": {"type": "string", "description": "strftime, e.g. %A %d %B %Y, %H:%M"},
            "timezone": {"type": "string", "format": "timezone", "default": "UTC"},
        },
    },
    output_schema={
        "type": "object",
        "required": ["text", "iso", "timestamp"],
        "properties": {"text": {"type": "string"}, "iso": {"type": "string"}, "timestamp": {"type": "number"}},
    },
    run=run,
    repeatable=True,
)
