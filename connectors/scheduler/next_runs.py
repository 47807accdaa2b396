"""scheduler.next_runs: the next times a schedule fires, for previews and for recipes."""

from datetime import UTC, datetime

from connectors.scheduler.schedules import CRON_INPUT, cron_runs
from connectors.sdk import Action, Context

INPUT = {
    **CRON_INPUT,
    "properties": {**CRON_INPUT["properties"], "count": {"type": "integer", "minimum": 1, "maximum": 50, "default": 5}},
}

OUTPUT = {
    "type": "object",
    "required": ["runs"],
    "properties": {"runs": {"type": "array", "items": {"type": "string", "format": "date-time"}}},
}


def run(ctx: Context, input: dict) -> dict:
    runs = cron_runs(input, datetime.now(UTC), input.get("count", 5))
    return {"runs": [moment.isoformat() for moment in runs]}


action = Action(
    key="next_runs",
    title="List the next run times",
    description="The next times a cron schedule fires in its time zone.",
    input_schema=INPUT,
    output_schema=OUTPUT,
    run=run,
)
