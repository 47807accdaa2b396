"""Schedule triggers. The "cron" and "timezone" formats are checked by the SDK's validator."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter

from connectors.sdk import Trigger

CRON_INPUT = {
    "type": "object",
    "required": ["cron"],
    "additionalProperties": False,
    "properties": {
        "cron": {"type": "string", "format": "cron", "description": "Five fields: minute hour day month weekday."},
        "timezone": {"type": "string", "format": "timezone", "default": "UTC"},
    },
}

INTERVAL_INPUT = {
    "type": "object",
    "required": ["every_seconds"],
    "additionalProperties": False,
    "properties": {"every_seconds": {"type": "integer", "minimum": 10, "maximum": 31 * 24 * 3600}},
}

ITEM = {
    "type": "object",
    "required": ["scheduled_for", "fired_at"],
    "properties": {"scheduled_for": {"type": "string"}, "fired_at": {"type": "string"}},
}


def cron_runs(config: dict, after: datetime, count: int) -> list[datetime]:
    """The next `count` times, as aware datetimes in the schedule's time zone."""
    zone = ZoneInfo(config.get("timezone") or "UTC")
    iterator = croniter(config["cron"], after.astimezone(zone))
    return [iterator.get_next(datetime) for _ in range(count)]


def interval_runs(config: dict, after: datetime, count: int) -> list[datetime]:
    step = timedelta(seconds=config["every_seconds"])
    start = after.astimezone(UTC)
    return [start + step * (n + 1) for n in range(count)]


cron_trigger = Trigger(
    key="cron",
    kind="schedule",
    title="On a cron schedule",
    description="Runs at the times a cron expression names, in a time zone (daylight saving handled).",
    input_schema=CRON_INPUT,
    item_schema=ITEM,
    next_runs=cron_runs,
)

interval_trigger = Trigger(
    key="interval",
    kind="schedule",
    title="Every N seconds",
    description="Runs at a fixed interval of at least ten seconds.",
    input_schema=INTERVAL_INPUT,
    item_schema=ITEM,
    next_runs=interval_runs,
)
