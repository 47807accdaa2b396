"""A pip-installable connector, as a third party would write one."""

from connectors.sdk import Action, Connector, Context, Field


def run(ctx: Context, input: dict) -> dict:
    return {"echo": input["text"], "prefix": ctx.connection.get("prefix", "")}


connector = Connector(
    name="echo",
    title="Echo",
    description="Answers with what it was given.",
    category="developer",
    fields=(Field("prefix", "Prefix"),),
    actions=(
        Action(
            key="say",
            title="Say it back",
            description="Returns the text.",
            input_schema={"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
            output_schema={"type": "object", "required": ["echo"], "properties": {"echo": {"type": "string"}}},
            run=run,
        ),
    ),
)
