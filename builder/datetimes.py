"""Date-times typed as text (list filters, a first poll's start): ISO 8601, read one way."""

from datetime import UTC, datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime


def parse_instant(text: str) -> datetime | None:
    """The instant `text` names, in UTC, or None when it names none. Without an offset it is
    taken in the current time zone. In UTC because ISO 8601 allows offsets up to 23:59 and
    PostgreSQL only up to 15:59 (a query with +16:00 failed there)."""
    text = text.strip()
    # An offset's "+" arrives as a space when the query string was not encoded.
    for candidate in (text, "+".join(text.rsplit(" ", 1))) if " " in text else (text,):
        try:
            parsed = parse_datetime(candidate)
            if parsed is not None:
                return (parsed if parsed.tzinfo else timezone.make_aware(parsed)).astimezone(UTC)
        except ValueError:  # well formed, but no such date (month 13)
            continue
        except OverflowError:  # year 1 or 9999, moved out of range by its offset
            return None
    return None
