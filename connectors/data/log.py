from connectors.sdk import Action, Context

LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40}


def run(ctx: Context, input: dict) -> dict:
    level = input.get("level", "info")
    ctx.logger.log(LEVELS[level], "%s", input["message"])
    return {"message": input["message"], "level": level}


action = Action(
    key="log",
    title="Log a message",
    description="Writes a message to the job's log; handy to mark a branch or record a value.",
    input_schema={
        "type": "object",
        "required": ["message"],
        "additionalProperties": False,
        "properties": {
            "message": {"type": "string", "maxLength": 10000},
            "level": {"enum": list(LEVELS), "default": "info"},
        },
    },
    output_schema={
        "type": "object",
        "required": ["message", "level"],
        "properties": {"message": {"type": "string"}, "level": {"type": "string"}},
    },
    run=run,
    repeatable=True,
)
