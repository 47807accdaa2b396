"""/api/calls/: the gateway's call log, newest first in keyset pages, and /api/calls/export/ as CSV."""

import csv

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import BaseContentNegotiation

from builder.api.inputs import DateTimeText, id_field, padded, read_query
from builder.apiplatform.models import ApiCall
from builder.apiplatform.selectors import calls_csv_rows, calls_filtered, queue_ms


class CallSerializer(serializers.ModelSerializer):
    time = serializers.DateTimeField(source="created_at", read_only=True)
    queue_ms = serializers.SerializerMethodField(help_text="How long an async call's job waited for a worker.")
    endpoint_name = serializers.CharField(source="endpoint.name", default=None, read_only=True)
    client_name = serializers.CharField(source="client.name", default=None, read_only=True)

    class Meta:
        model = ApiCall
        fields = ["id", "time", "request_id", "method", "path", "status", "detail", "latency_ms", "queue_ms",
                  "collection", "endpoint", "endpoint_name", "client", "client_name", "key_prefix", "caller_ip",
                  "job"]  # fmt: skip
        read_only_fields = fields

    def get_queue_ms(self, call) -> float | None:
        return queue_ms(call)


class CallFilters(serializers.Serializer):
    """Checked here, then applied by calls_filtered (which the console's looser form shares)."""

    workspace = id_field()
    collection = id_field()
    endpoint = id_field()
    client = id_field()
    status = serializers.RegexField(
        padded("error|[1-5]xx|[1-5][0-9][0-9]"),
        required=False,
        help_text="A code (404), a class (2xx…5xx), or error (400 and up).",
    )
    since = DateTimeText(required=False, help_text="At or after; ISO 8601.")
    until = DateTimeText(required=False, help_text="Before; ISO 8601.")


class FirstRenderer(BaseContentNegotiation):
    """The export streams CSV whatever the Accept header says; its errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class _Line:
    """What csv.writer writes to: it hands each line back instead of keeping it."""

    def write(self, line: str) -> str:
        return line


class CallViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Calls of your workspaces' APIs, as the gateway logged them. Never holds a key, only its prefix."""

    serializer_class = CallSerializer
    queryset = ApiCall.objects.none()

    @extend_schema(parameters=[CallFilters])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        workspaces = list(self.request.user.memberships.values_list("workspace_id", flat=True))
        calls = ApiCall.objects.filter(workspace_id__in=workspaces).select_related("endpoint", "client", "job")
        filters = read_query(CallFilters, self.request)
        if "workspace" in filters:
            calls = calls.filter(workspace_id=filters["workspace"])
        return calls_filtered(calls, self.request.query_params)

    @extend_schema(
        operation_id="calls_export", parameters=[CallFilters], responses={(200, "text/csv"): OpenApiTypes.STR}
    )
    @action(detail=False, methods=["get"], pagination_class=None, content_negotiation_class=FirstRenderer)
    def export(self, request):
        """The calls the same filters select, as CSV, newest first."""
        rows = calls_csv_rows(self.get_queryset())  # the filters are checked here, before the answer starts
        writer = csv.writer(_Line())
        response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="api-calls.csv"'
        return response
