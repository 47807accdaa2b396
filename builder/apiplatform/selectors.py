"""Reads for the API platform: what a member may see, the call log with its filters, and the
call log's chart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Func, Q, QuerySet
from django.db.models.functions import Substr, TruncHour
from django.utils import timezone

from builder.apiplatform.models import AccessProfile, ApiCall, ApiClient, ApiCollection, ApiEndpoint, ApiKey
from builder.datetimes import parse_instant
from builder.workspaces.access import MAX_ID


def collections_for_user(user) -> QuerySet[ApiCollection]:
    return ApiCollection.objects.filter(workspace__memberships__user=user)


def endpoints_for_user(user) -> QuerySet[ApiEndpoint]:
    return ApiEndpoint.objects.filter(collection__workspace__memberships__user=user).select_related(
        "collection", "recipe"
    )


def clients_for_user(user) -> QuerySet[ApiClient]:
    return ApiClient.objects.filter(workspace__memberships__user=user)


def profiles_of(client: ApiClient) -> QuerySet[AccessProfile]:
    return client.profiles.prefetch_related("collections")


def keys_of(client: ApiClient) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(profile__client=client).select_related("profile")


CALL_FILTERS = ("endpoint", "collection", "client", "status", "since", "until")


def _when(value: str, name: str) -> datetime:
    parsed = parse_instant(value)
    if parsed is None:
        raise ValidationError({name: "Give a date and time, as 2026-11-28T15:00:00Z."})
    return parsed


def _number(value) -> int | None:
    text = str(value).strip()
    number = int(text) if text.isascii() and text.isdigit() and len(text) <= 19 else None
    return number if number is not None and number <= MAX_ID else None


def calls_filtered(queryset: QuerySet[ApiCall], params) -> QuerySet[ApiCall]:
    """Applies the call log's filters: endpoint, collection, client (ids), status (a code
    like 404, or a class: 2xx, 4xx, 5xx, error), since and until (ISO date-times)."""
    for name in ("endpoint", "collection", "client"):
        value = params.get(name)
        if value:
            number = _number(value)
            if not number:
                raise ValidationError({name: "Give an id."})
            queryset = queryset.filter(**{f"{name}_id": number})
    status = (params.get("status") or "").strip().lower()
    if status == "error":
        queryset = queryset.filter(status__gte=400)
    elif len(status) == 3 and status[0] in "12345" and status[1:] == "xx":
        low = int(status[0]) * 100
        queryset = queryset.filter(status__gte=low, status__lt=low + 100)
    elif status:
        code = _number(status)
        if code is None or not 100 <= code <= 599:
            raise ValidationError({"status": "Give a status code, a class such as 4xx, or error."})
        queryset = queryset.filter(status=code)
    if params.get("since"):
        queryset = queryset.filter(created_at__gte=_when(params["since"], "since"))
    if params.get("until"):
        queryset = queryset.filter(created_at__lt=_when(params["until"], "until"))
    return queryset


def _hour(field: str) -> Func:
    """The hour of a datetime column, worked out by the database. SQLite's TruncHour calls a
    Python function on every row (django_datetime_trunc): a third of a second or more for a
    day of 32,000 calls. SQLite keeps a datetime as text, "2026-12-01 21:57:03.123456", so
    its first 13 characters are the hour."""
    if connection.vendor == "sqlite":
        return Substr(field, 1, 13)
    return TruncHour(field, tzinfo=UTC)


def _hour_start(hour: datetime | str) -> datetime:
    if isinstance(hour, str):  # SQLite's, from _hour: "2026-12-01 21", in the database's time zone
        return datetime.fromisoformat(f"{hour}:00").replace(tzinfo=connection.timezone)
    return hour


def calls_chart(queryset: QuerySet[ApiCall], *, hours: int = 24) -> list[dict]:
    """Calls and errors per hour over the last `hours`, oldest first, empty hours included."""
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    start, end = now - timedelta(hours=hours - 1), now + timedelta(hours=1)
    # Bounded at both ends, so that SQLite's planner ranges over these hours of the
    # (workspace, created_at) index, not over every call of a status or collection filter.
    rows = (queryset.filter(created_at__gte=start, created_at__lt=end).annotate(hour=_hour("created_at"))
            .values("hour").annotate(calls=Count("id"), errors=Count("id", filter=Q(status__gte=400))))  # fmt: skip
    by_hour = {_hour_start(row["hour"]): row for row in rows}
    buckets = []
    for n in range(hours):
        hour = start + timedelta(hours=n)
        row = by_hour.get(hour, {})
        buckets.append({"hour": hour, "calls": row.get("calls", 0), "errors": row.get("errors", 0)})
    return buckets


CSV_COLUMNS = ["time", "request_id", "method", "path", "status", "detail", "latency_ms", "queue_ms", "collection",
               "endpoint", "client", "key_prefix", "caller_ip", "job"]  # fmt: skip


def queue_ms(call: ApiCall) -> float | None:
    """How long an async call's job waited for a worker."""
    job = call.job
    if job is None or job.started_at is None or job.trigger_kind != "api_request" or job.worker == "web":
        return None
    return round((job.started_at - job.created_at).total_seconds() * 1000, 1)


def _cell(value):
    # A spreadsheet runs a cell that starts like a formula; callers choose paths, names and details.
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


def calls_csv_rows(queryset: QuerySet[ApiCall]):
    """The header, then one row per call, newest first; text cells are safe to open in a spreadsheet."""
    yield CSV_COLUMNS
    calls = queryset.select_related("collection", "endpoint", "client", "job").order_by("-id")
    for call in calls.iterator(chunk_size=2000):
        yield [_cell(value) for value in _csv_row(call)]


def _csv_row(call: ApiCall) -> list:
    return [call.created_at.isoformat(), call.request_id, call.method, call.path, call.status, call.detail,
            call.latency_ms, queue_ms(call), call.collection.name if call.collection else "",
            call.endpoint.name if call.endpoint else "", call.client.name if call.client else "",
            call.key_prefix, call.caller_ip or "", call.job_id or ""]  # fmt: skip
