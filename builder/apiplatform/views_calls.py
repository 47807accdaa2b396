"""The call log page: filters, a chart of the last 24 hours drawn server-side as SVG bars, a
keyset-paged table, and the same filters exported as CSV."""

import csv
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from builder.apiplatform.forms import field_errors
from builder.apiplatform.models import ApiCall, ApiClient, ApiCollection, ApiEndpoint
from builder.apiplatform.selectors import CALL_FILTERS, calls_chart, calls_csv_rows, calls_filtered
from builder.workspaces.access import parse_id
from builder.workspaces.current import current_membership

PAGE = 50
STATUS_CLASSES = [("2xx", "2xx success"), ("4xx", "4xx refused"), ("5xx", "5xx failed"), ("error", "any error")]
# The chart's drawing area in SVG units; the SVG scales to the page's width.
CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 720, 120, 4


def chart(buckets: list[dict]) -> dict:
    """Bars for calls_chart's buckets: each bar the hour's calls, its error part drawn over it."""
    top = max([b["calls"] for b in buckets] + [1])
    step = CHART_WIDTH / max(len(buckets), 1)
    bars = []
    for n, bucket in enumerate(buckets):
        calls = bucket["calls"] / top * CHART_HEIGHT
        errors = bucket["errors"] / top * CHART_HEIGHT
        bars.append({**bucket, "x": f"{n * step + BAR_GAP / 2:.1f}", "width": f"{step - BAR_GAP:.1f}",
                     "y": f"{CHART_HEIGHT - calls:.1f}", "height": f"{calls:.1f}",
                     "error_y": f"{CHART_HEIGHT - errors:.1f}", "error_height": f"{errors:.1f}",
                     "label_x": f"{n * step + step / 2:.1f}", "labelled": n % 6 == 0})  # fmt: skip
    return {"bars": bars, "top": top, "width": CHART_WIDTH, "height": CHART_HEIGHT,
            "total": sum(b["calls"] for b in buckets), "errors": sum(b["errors"] for b in buckets)}  # fmt: skip


def _filters(request) -> dict:
    return {name: request.GET.get(name, "").strip() for name in CALL_FILTERS}


@login_required
def call_log(request):
    membership = current_membership(request)
    if membership is None:
        return redirect("workspace_new")
    workspace_id = membership.workspace_id
    filters, errors = _filters(request), {}
    try:
        calls = calls_filtered(ApiCall.objects.filter(workspace_id=workspace_id), filters)
    except ValidationError as exc:
        calls, errors = ApiCall.objects.none(), field_errors(exc)
    page_calls = calls.select_related("collection", "endpoint", "client")
    if request.GET.get("before"):
        page_calls = page_calls.filter(pk__lt=parse_id(request.GET["before"]))  # keyset: fast at any depth
    page = list(page_calls.order_by("-id")[: PAGE + 1])
    for call in page:  # shown under its collection's name, so the base path need not repeat
        base = call.collection.base_path if call.collection else ""
        call.short_path = call.path.removeprefix(base) if base and call.path.startswith(base + "/") else call.path
    context = {
        "calls": page[:PAGE],
        "next_before": page[PAGE - 1].pk if len(page) > PAGE else None,
        "chart": chart(calls_chart(calls, hours=24)),
        "filters": filters,
        "errors": errors,
        "query": urlencode({name: value for name, value in filters.items() if value}),
        "collections": ApiCollection.objects.filter(workspace_id=workspace_id),
        "endpoints": ApiEndpoint.objects.filter(collection__workspace_id=workspace_id).select_related("collection"),
        "clients": ApiClient.objects.filter(workspace_id=workspace_id),
        "status_classes": STATUS_CLASSES,
        "membership": membership,
        "tab": "calls",
    }
    return render(request, "apiplatform/calls.html", context, status=400 if errors else 200)


class _Echo:
    """csv.writer writes into this, and the response streams what it returns."""

    def write(self, value: str) -> str:
        return value


@login_required
def call_log_csv(request):
    membership = current_membership(request)
    if membership is None:
        return redirect("workspace_new")
    filters = _filters(request)
    try:
        calls = calls_filtered(ApiCall.objects.filter(workspace_id=membership.workspace_id), filters)
    except ValidationError:
        # The log page says which filter is wrong.
        query = urlencode({name: value for name, value in filters.items() if value})
        return redirect(f"{reverse('apiplatform_calls')}?{query}")
    writer = csv.writer(_Echo())
    # calls_csv_rows prefixes a cell that a spreadsheet would run as a formula with an apostrophe.
    response = StreamingHttpResponse((writer.writerow(row) for row in calls_csv_rows(calls)),
                                     content_type="text/csv; charset=utf-8")  # fmt: skip
    response["Content-Disposition"] = 'attachment; filename="api-calls.csv"'
    return response
