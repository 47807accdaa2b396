from datetime import UTC, datetime

import pytest

from connectors.scheduler import connector
from connectors.sdk import InvalidInputError
from connectors.testkit import run


def runs(trigger, config, after):
    return connector.trigger(trigger).next_runs(config, after, 5)


def test_cron_in_a_time_zone_across_daylight_saving():
    # Europe/Paris leaves summer time on 2026-10-25: 09:00 local is 07:00 UTC before, 08:00 UTC after.
    after = datetime(2026, 10, 23, 12, 0, tzinfo=UTC)
    times = runs("cron", {"cron": "0 9 * * *", "timezone": "Europe/Paris"}, after)
    assert [t.astimezone(UTC).hour for t in times] == [7, 8, 8, 8, 8]  # 24th, then 25th onward
    assert all(t.hour == 9 for t in times)


def test_interval():
    after = datetime(2026, 1, 1, tzinfo=UTC)
    assert [t.second for t in runs("interval", {"every_seconds": 15}, after)] == [15, 30, 45, 0, 15]


def test_next_runs_action_lists_five_times():
    output = run(connector, "next_runs", connection={}, input={"cron": "*/10 * * * *"})
    times = [datetime.fromisoformat(t) for t in output["runs"]]
    assert len(times) == 5
    assert all(t.minute % 10 == 0 for t in times)
    assert times == sorted(times)


@pytest.mark.parametrize(
    ("input", "pointer"),
    [
        ({"cron": "61 * * * *"}, "/cron"),
        ({"cron": "* * *"}, "/cron"),
        ({"cron": "0 9 * * *", "timezone": "Mars/Olympus"}, "/timezone"),
        ({"cron": "0 9 * * *", "count": 0}, "/count"),
    ],
)
def test_bad_schedules_are_named(input, pointer):
    with pytest.raises(InvalidInputError) as caught:
        run(connector, "next_runs", connection={}, input=input)
    assert caught.value.errors[0]["pointer"] == pointer
