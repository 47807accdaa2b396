import json

from connectors.sdk import Action, Context, PermanentError, read_json

MAX_TEXT = 5_000_000


def parse(ctx: Context, input: dict) -> dict:
    try:
        return {"value": read_json(input["text"])}
    except ValueError as exc:
        raise PermanentError(f"The text is not valid JSON: {exc}.") from None


def stringify(ctx: Context, input: dict) -> dict:
    indent = input.get("indent") or None
    return {
        "text": json.dumps(input["value"], indent=indent, ensure_ascii=False, sort_keys=input.get("sort_keys", False))
    }


parse_action = Action(
    key="json_parse",
    title="Parse JSON",
    description="Turns JSON text into data.",
    input_schema={
        "type": "object",
        "required": ["text"],
        "additionalProperties": False,
        "properties": {"text": {"type": "string", "maxLength": MAX_TEXT}},
    },
    output_schema={"type": "object", "required": ["value"], "properties": {"value": {}}},
    run=parse,
    repeatable=True,
)

stringify_action = Action(
    key="json_stringify",
    title="Write JSON",
    description="Turns data into JSON text.",
    input_schema={
        "type": "object",
        "required": ["value"],
        "additionalProperties": False,
        "properties": {
            "value": {},
            "indent": {"type": "integer", "minimum": 0, "maximum": 8},
            "sort_keys": {"type": "boolean"},
        },
    },
    output_schema={"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
    run=stringify,
    repeatable=True,
)
