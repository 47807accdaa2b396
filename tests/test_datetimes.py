"""builder/datetimes.py: every date-time typed as text is read one way, into UTC."""

from datetime import UTC, datetime

import pytest

from builder.datetimes import parse_instant


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2026-11-28T10:00:00Z", datetime(2026, 11, 28, 10, tzinfo=UTC)),
        ("2026-11-28T10:00:00+02:00", datetime(2026, 11, 28, 8, tzinfo=UTC)),
        ("2026-11-28T10:00:00 02:00", datetime(2026, 11, 28, 8, tzinfo=UTC)),  # "+" sent unencoded
        ("2026-11-28T10:00:00", datetime(2026, 11, 28, 10, tzinfo=UTC)),  # the current time zone: UTC
        # PostgreSQL refused an offset over 15:59 (a 500 on every list filtered so); in UTC it is fine.
        ("2000-01-01T00:00:00+16:00", datetime(1999, 12, 31, 8, tzinfo=UTC)),
    ],
)
def test_a_date_time_is_read_into_utc(text, instant):
    parsed = parse_instant(text)
    assert parsed == instant
    assert parsed.utcoffset().total_seconds() == 0


@pytest.mark.parametrize(
    "text", ["yesterday", "2026-13-40T00:00:00Z", "", "0001-01-01T00:00:00+16:00", "9999-12-31T23:59:59-16:00"]
)
def test_what_names_no_instant_is_none(text):
    assert parse_instant(text) is None
