"""POST /api/recipes/schedule-preview/: a schedule in words and its next five runs, before it is
saved; the words are the recipe page's, the times those beat would fire."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/recipes/schedule-preview/"


def weekday_mornings(zone: ZoneInfo, after: datetime, count: int) -> list[datetime]:
    """09:30 on weekdays in `zone`, counted day by day: no cron library involved."""
    found, day = [], after.astimezone(zone).date()
    while len(found) < count:
        moment = datetime(day.year, day.month, day.day, 9, 30, tzinfo=zone)
        if day.weekday() < 5 and moment > after:
            found.append(moment)
        day += timedelta(days=1)
    return found


def test_a_cron_in_a_time_zone(personas, api_as):
    before = datetime.now(ZoneInfo("UTC"))
    response = api_as(personas.viewer).post(URL, {"cron": "30 9 * * 1-5", "timezone": "Europe/Paris"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["description"] == "At 09:30, Monday through Friday (Europe/Paris)"
    runs = [datetime.fromisoformat(text) for text in body["next_runs"]]
    paris = ZoneInfo("Europe/Paris")
    assert runs == weekday_mornings(paris, before, 5)
    # Written in Paris time: 09:30 with Paris' offset of that day (+01:00 or +02:00).
    for text, moment in zip(body["next_runs"], runs, strict=True):
        assert text.startswith(moment.astimezone(paris).strftime("%Y-%m-%dT09:30:00")), text
        assert moment.utcoffset() == moment.astimezone(paris).utcoffset()
        assert text.endswith(("+01:00", "+02:00")), text


def test_a_cron_without_a_time_zone_is_in_utc(personas, api_as):
    body = api_as(personas.owner).post(URL, {"cron": "0 * * * *"}).json()
    assert body["description"] == "Every hour (UTC)"
    assert all(text[13:] == ":00:00Z" for text in body["next_runs"]), body  # on the hour; UTC is written Z


def test_an_interval(personas, api_as):
    before = datetime.now(ZoneInfo("UTC"))
    body = api_as(personas.owner).post(URL, {"every_seconds": 300}).json()
    assert body["description"] == "Every 5 minutes"
    runs = [datetime.fromisoformat(text) for text in body["next_runs"]]
    assert len(runs) == 5
    assert before + timedelta(seconds=300) <= runs[0] <= datetime.now(ZoneInfo("UTC")) + timedelta(seconds=300)
    assert [later - earlier for earlier, later in zip(runs, runs[1:], strict=False)] == [timedelta(seconds=300)] * 4
    assert all(text.endswith("Z") for text in body["next_runs"])


def test_an_interval_in_a_time_zone_is_written_in_it(personas, api_as):
    body = api_as(personas.owner).post(URL, {"every_seconds": 3600, "timezone": "Asia/Kolkata"}).json()
    assert body["description"] == "Every hour"
    assert all(text.endswith("+05:30") for text in body["next_runs"]), body


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"cron": "61 * * * *"}, "cron", "not a valid cron"),
        ({"cron": "* * * *"}, "cron", "five fields"),
        ({"cron": "0 0 30 2 *"}, "cron", "never fires"),
        ({"cron": "0 9 * * *", "timezone": "Europe/Nowhere"}, "timezone", "not a time zone"),
        ({"every_seconds": 5}, "every_seconds", "greater than or equal to 10"),
        ({"every_seconds": 31 * 24 * 3600 + 1}, "every_seconds", "less than or equal to 2678400"),
        ({"every_seconds": "300"}, "every_seconds", "whole number"),
        ({}, "cron", "cron or every_seconds"),
        ({"cron": "0 9 * * *", "every_seconds": 300}, "cron", "not both"),
        ({"every_seconds": 300, "timezone": "Mars/Base"}, "timezone", "not a time zone"),
    ],
)
def test_a_bad_schedule_is_a_400_naming_the_field(personas, api_as, body, field, words):
    response = api_as(personas.owner).post(URL, body)
    assert response.status_code == 400, response.json()
    fields = response.json()["error"]["fields"]
    assert list(fields) == [field], fields
    assert words in " ".join(fields[field]).lower(), fields


def test_any_signed_in_user_may_ask_and_no_one_else(personas, api_as):
    assert api_as(personas.outsider).post(URL, {"every_seconds": 60}).status_code == 200
    assert api_as(None).post(URL, {"every_seconds": 60}).status_code in (401, 403)
