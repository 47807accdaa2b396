"""The call log's chart: each call in its hour, errors among them, under the log's filters."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from builder.apiplatform.models import ApiCall
from builder.apiplatform.selectors import calls_chart, calls_filtered

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 15, 40, tzinfo=UTC)
THIS_HOUR = NOW.replace(minute=0)


@pytest.fixture(autouse=True)
def now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def log(api, created_at: datetime, status: int = 200) -> None:
    ApiCall.objects.create(workspace=api.workspace, collection=api.collection, endpoint=api.endpoint,
                           client=api.client, request_id="r", method="POST", path="/apim/people/v1/greetings",
                           status=status, latency_ms=1.5, created_at=created_at)  # fmt: skip


def test_the_chart_counts_each_call_in_its_hour(api):
    log(api, THIS_HOUR)
    log(api, NOW - timedelta(minutes=1), status=500)
    log(api, THIS_HOUR - timedelta(microseconds=1), status=404)  # the hour before
    log(api, THIS_HOUR - timedelta(hours=23, minutes=-59))  # the first hour shown
    log(api, THIS_HOUR - timedelta(hours=23, microseconds=1))  # older than the chart
    bars = calls_chart(ApiCall.objects.filter(workspace=api.workspace))
    assert len(bars) == 24
    assert bars[-1] == {"hour": THIS_HOUR, "calls": 2, "errors": 1}
    assert bars[-2] == {"hour": THIS_HOUR - timedelta(hours=1), "calls": 1, "errors": 1}
    assert bars[0] == {"hour": THIS_HOUR - timedelta(hours=23), "calls": 1, "errors": 0}
    assert sum(bar["calls"] for bar in bars) == 4


def test_the_chart_counts_what_the_filters_select(api):
    log(api, NOW, status=503)
    log(api, NOW, status=404)
    log(api, NOW)
    calls = calls_filtered(ApiCall.objects.filter(workspace=api.workspace), {"status": "5xx"})
    assert calls_chart(calls)[-1] == {"hour": THIS_HOUR, "calls": 1, "errors": 1}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the plan of SQLite's planner")
def test_the_chart_reads_its_hours_of_the_time_index_whatever_the_filters(api):
    """A status filter once made SQLite read every call of that status, and each row's hour
    was worked out in Python: half a second for the page with a million calls."""
    calls = calls_filtered(ApiCall.objects.filter(workspace=api.workspace), {"status": "5xx"})
    with CaptureQueriesContext(connection) as queries:
        calls_chart(calls)
    (query,) = queries.captured_queries
    assert "django_" not in query["sql"]  # no Python function a row
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
        plan = " ".join(row[-1] for row in cursor.fetchall())
    assert "created_at>? AND created_at<?" in plan, plan
