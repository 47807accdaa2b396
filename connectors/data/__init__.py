from connectors.data import csv_tools, datetime_tools, json_tools, log, records
from connectors.sdk import Connector

connector = Connector(
    name="data",
    title="Data tools",
    description="Parse and write JSON and CSV, pick and rename fields, look values up, log, format dates.",
    category="tools",
    icon="tool",
    actions=(
        json_tools.parse_action,
        json_tools.stringify_action,
        csv_tools.parse_action,
        csv_tools.generate_action,
        records.pick_action,
        records.lookup_action,
        log.action,
        datetime_tools.action,
    ),
)
