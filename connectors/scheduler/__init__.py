from connectors.scheduler import next_runs, schedules
from connectors.sdk import Connector

connector = Connector(
    name="scheduler",
    title="Scheduler",
    description="Start a recipe on a cron schedule in a time zone, or every N seconds.",
    category="trigger",
    icon="clock",
    actions=(next_runs.action,),
    triggers=(schedules.cron_trigger, schedules.interval_trigger),
)
