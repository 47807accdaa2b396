"""/api/jobs/: filter by recipe, status and time; a job with its steps; cancel; re-run."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from builder.api.inputs import DateTimeText, id_field, read_query
from builder.api.openapi import errors
from builder.datetimes import parse_instant
from builder.jobs import services
from builder.jobs.access import access_job
from builder.jobs.models import Job, JobStatus, JobStep
from builder.jobs.selectors import jobs_list
from builder.workspaces.models import Role


class JobStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobStep
        fields = ["step_id", "path", "kind", "status", "pinned", "input", "output", "error", "started_at",
                  "finished_at"]  # fmt: skip


class JobSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(
        source="version.number", default=None, read_only=True, help_text="null for a test run of a draft"
    )

    class Meta:
        model = Job
        fields = ["id", "recipe", "version", "trigger_kind", "status", "attempt", "error", "rerun_of",
                  "created_at", "started_at", "finished_at", "duration_ms"]  # fmt: skip


class JobDetailSerializer(JobSerializer):
    steps = JobStepSerializer(many=True, read_only=True)

    class Meta(JobSerializer.Meta):
        fields = JobSerializer.Meta.fields + ["trigger", "response", "steps"]


class JobFilters(serializers.Serializer):
    recipe = id_field()
    status = serializers.ChoiceField(choices=JobStatus.choices, required=False)
    since = DateTimeText(required=False, help_text="Created at or after; ISO 8601.")
    until = DateTimeText(required=False, help_text="Created before; ISO 8601.")


def _time(filters: dict, name: str):
    raw = filters.get(name)
    if raw is None:
        return None
    parsed = parse_instant(raw)
    if parsed is None:
        raise ValidationError({name: "Use an ISO 8601 date and time, e.g. 2026-11-28T10:00:00Z."})
    return parsed


class JobViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Jobs of your workspaces' recipes, newest first, in keyset pages."""

    serializer_class = JobSerializer
    queryset = Job.objects.none()

    @extend_schema(parameters=[JobFilters])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        filters = read_query(JobFilters, self.request)
        return jobs_list(workspace_ids=self.request.user.memberships.values_list("workspace_id", flat=True),
                         recipe_id=filters.get("recipe"), status=filters.get("status"),
                         since=_time(filters, "since"), until=_time(filters, "until"))  # fmt: skip

    @extend_schema(responses=JobDetailSerializer)
    def retrieve(self, request, pk=None):
        return Response(JobDetailSerializer(access_job(request.user, pk)).data)

    @extend_schema(request=None, responses={202: JobSerializer, **errors(409)})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """A queued job is cancelled at once; a running one stops before its next step."""
        job = services.job_cancel(job=access_job(request.user, pk, role=Role.BUILDER))
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: JobSerializer})
    @action(detail=True, methods=["post"])
    def rerun(self, request, pk=None):
        """A new job with the same trigger payload and recipe version, pointing to this one."""
        job = services.job_rerun(job=access_job(request.user, pk, role=Role.BUILDER))
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
