"""/api/jobs/: filter by recipe, status and time; a job with its steps; cancel; re-run."""

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from builder.jobs import services
from builder.jobs.access import access_job
from builder.jobs.models import Job, JobStatus, JobStep
from builder.workspaces.access import parse_id
from builder.workspaces.models import Role


class JobStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = JobStep
        fields = ["step_id", "path", "kind", "status", "input", "output", "error", "started_at", "finished_at"]


class JobSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number", read_only=True)

    class Meta:
        model = Job
        fields = ["id", "recipe", "version", "trigger_kind", "status", "attempt", "error", "rerun_of",
                  "created_at", "started_at", "finished_at", "duration_ms"]  # fmt: skip


class JobDetailSerializer(JobSerializer):
    steps = JobStepSerializer(many=True, read_only=True)

    class Meta(JobSerializer.Meta):
        fields = JobSerializer.Meta.fields + ["trigger", "response", "steps"]


def _time(request, name):
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        parsed = parse_datetime(raw.replace(" ", "+"))
    except ValueError:  # well formed, but no such date (month 13)
        parsed = None
    if parsed is None:
        raise ValidationError({name: "Use an ISO 8601 date and time, e.g. 2026-11-28T10:00:00Z."})
    return parsed


class JobViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Jobs of your workspaces' recipes, newest first, in keyset pages."""

    serializer_class = JobSerializer
    queryset = Job.objects.none()

    @extend_schema(parameters=[
        OpenApiParameter("recipe", int), OpenApiParameter("status", str, enum=JobStatus.values),
        OpenApiParameter("since", str, description="ISO 8601"), OpenApiParameter("until", str, description="ISO 8601"),
    ])  # fmt: skip
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        workspaces = self.request.user.memberships.values_list("workspace_id", flat=True)
        jobs = Job.objects.filter(workspace_id__in=list(workspaces)).select_related("version")
        params = self.request.query_params
        if params.get("recipe"):
            jobs = jobs.filter(recipe_id=parse_id(params["recipe"]))
        if params.get("status"):
            if params["status"] not in JobStatus.values:
                raise ValidationError({"status": f"Use one of: {', '.join(JobStatus.values)}."})
            jobs = jobs.filter(status=params["status"])
        if since := _time(self.request, "since"):
            jobs = jobs.filter(created_at__gte=since)
        if until := _time(self.request, "until"):
            jobs = jobs.filter(created_at__lt=until)
        return jobs

    @extend_schema(responses=JobDetailSerializer)
    def retrieve(self, request, pk=None):
        return Response(JobDetailSerializer(access_job(request.user, pk)).data)

    @extend_schema(request=None, responses=JobSerializer)
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
