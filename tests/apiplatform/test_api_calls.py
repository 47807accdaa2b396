"""/api/calls/: the call log in keyset pages, its filters, and its CSV export."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from builder.apiplatform.models import ApiCall

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(api):
    """Three calls of A's API: a 200, a 400 (no name) and a 401 (a wrong key); newest first."""
    statuses = [api.call(body={"name": "Ada"}).status_code, api.call(body={}).status_code,
                api.call(body={"name": "Ada"}, secret="swk_wrong").status_code]  # fmt: skip
    assert statuses == [200, 400, 401]
    return list(ApiCall.objects.order_by("-id"))


def listed(client, query=""):
    response = client.get(f"/api/calls/?{query}")
    assert response.status_code == 200, response.json()
    return [call["status"] for call in response.json()["results"]]


def test_the_log_lists_each_call_newest_first(api, calls, personas, api_as):
    body = api_as(personas.owner).get("/api/calls/").json()
    assert [c["status"] for c in body["results"]] == [401, 400, 200]
    ok = body["results"][2]
    assert ok["request_id"] == calls[2].request_id
    assert (ok["method"], ok["path"], ok["collection"]) == ("POST", "/apim/people/v1/greetings", api.collection.pk)
    assert (ok["endpoint"], ok["endpoint_name"], ok["client"], ok["client_name"]) == (
        api.endpoint.pk, "Greet", api.client.pk, "Chat assistant")  # fmt: skip
    assert ok["key_prefix"] == api.key.prefix
    assert ok["job"] is not None
    assert ok["latency_ms"] > 0
    assert ok["queue_ms"] is None
    assert ok["time"]
    assert ok["caller_ip"] == "127.0.0.1"
    unknown_key = body["results"][0]
    assert (unknown_key["client"], unknown_key["client_name"], unknown_key["key_prefix"]) == (None, None, "")
    assert api.secret not in str(body)


def test_filters(api, calls, personas, api_as):
    owner = api_as(personas.owner)
    assert listed(owner, "status=2xx") == [200]
    assert listed(owner, "status=4xx") == [401, 400]
    assert listed(owner, "status=error") == [401, 400]
    assert listed(owner, "status=400") == [400]
    assert listed(owner, "status=5xx") == []
    assert listed(owner, f"client={api.client.pk}") == [400, 200]
    assert listed(owner, f"endpoint={api.endpoint.pk}&status=2xx") == [200]
    assert listed(owner, f"collection={api.collection.pk}&workspace={personas.a.pk}") == [401, 400, 200]
    assert listed(owner, f"workspace={personas.b.pk}") == []
    ApiCall.objects.filter(pk=calls[2].pk).update(created_at=timezone.now() - timedelta(days=2))
    yesterday = (timezone.now() - timedelta(days=1)).isoformat()
    assert listed(owner, f"since={yesterday.replace('+', '%2B')}") == [401, 400]
    assert listed(owner, f"until={yesterday}") == [200]  # an unencoded + arrives as a space


def test_keyset_pages(api, calls, personas, api_as):
    owner = api_as(personas.owner)
    first = owner.get("/api/calls/?page_size=2").json()
    assert [c["status"] for c in first["results"]] == [401, 400]
    second = owner.get(first["next"]).json()
    assert [c["status"] for c in second["results"]] == [200]
    assert second["next"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [("endpoint=abc", "endpoint"), ("client=-1", "client"), ("collection=99999999999999999999999", "collection"),
     ("client=%C2%B2", "client"), ("status=6xx", "status"), ("status=99", "status"), ("status=ok", "status"),
     ("since=yesterday", "since"), ("until=2026-13-99T00:00", "until"), ("workspace=acme", "workspace")],
)  # fmt: skip
def test_bad_filters_name_the_field(calls, personas, api_as, query, field):
    owner = api_as(personas.owner)
    for url, accept in ((f"/api/calls/?{query}", "application/json"), (f"/api/calls/export/?{query}", "text/csv")):
        response = owner.get(url, HTTP_ACCEPT=accept)
        assert response.status_code == 400, url
        assert response["Content-Type"] == "application/json"
        assert field in response.json()["error"]["fields"]


def test_a_time_with_a_large_offset_filters(calls, personas, api_as):
    # PostgreSQL takes offsets up to 15:59: the filter is applied in UTC (it was a 500 there).
    owner = api_as(personas.owner)
    assert owner.get("/api/calls/?until=2000-01-01T00:00:00%2B16:00").json()["results"] == []
    assert len(owner.get("/api/calls/?since=2000-01-01T00:00:00%2B16:00").json()["results"]) == 3


def test_only_members_see_the_log(calls, personas, api_as):
    assert listed(api_as(personas.viewer)) == [401, 400, 200]
    outsider = api_as(personas.outsider)
    assert listed(outsider) == []
    rows = list(csv.reader(io.StringIO(outsider.get("/api/calls/export/").getvalue().decode())))
    assert rows == [rows[0]]  # the header alone


def export(client, query=""):
    response = client.get(f"/api/calls/export/?{query}", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.getvalue().decode())))


def test_the_export_has_a_header_and_a_row_per_call(api, calls, personas, api_as):
    rows = export(api_as(personas.owner))
    assert rows[0][:6] == ["time", "request_id", "method", "path", "status", "detail"]
    assert [row[1] for row in rows[1:]] == [call.request_id for call in calls]
    ok = dict(zip(rows[0], rows[3], strict=True))
    assert (ok["status"], ok["endpoint"], ok["client"], ok["key_prefix"]) == ("200", "Greet", "Chat assistant",
                                                                           api.key.prefix)  # fmt: skip
    assert [row[4] for row in export(api_as(personas.owner), "status=4xx")[1:]] == ["401", "400"]


def test_the_export_escapes_cells_a_spreadsheet_would_run(calls, personas, api_as):
    for detail in ('=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "plain"):
        ApiCall.objects.create(workspace=personas.a, request_id="r", method="GET", path="/p", status=404,
                               detail=detail, latency_ms=1.0, created_at=timezone.now())  # fmt: skip
    rows = export(api_as(personas.owner), "status=404")
    details = [dict(zip(rows[0], row, strict=True))["detail"] for row in rows[1:]]
    assert details == ["plain", "'@SUM(A1)", "'-2+3", "'+1+1", '\'=HYPERLINK("http://evil")']
