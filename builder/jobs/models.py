from django.db import models

from builder.recipes.models import Recipe, RecipeVersion
from builder.workspaces.models import Workspace


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)

# The trigger_kind of a test run's job (and of its reruns): the editor reads the latest one.
TEST_RUN = "manual"


class Job(models.Model):
    """One run of a recipe version. Written (queued) before its task is sent."""

    # The workspace is the recipe's, kept on the job too so that a workspace's jobs list is
    # one index range scan at any size (no join, no sort).
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="jobs")
    recipe = models.ForeignKey(Recipe, on_delete=models.CASCADE, related_name="jobs")
    # The version the job runs, from its start to its end; none for a test run of a draft
    # that differs from every version, which keeps the draft it ran in `draft`.
    version = models.ForeignKey(RecipeVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="jobs")
    draft = models.JSONField(null=True, blank=True)
    # A test run's pinned outputs, by step id: those action steps answer them and call no app.
    pins = models.JSONField(null=True, blank=True)
    trigger_kind = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    trigger = models.JSONField(default=dict)
    response = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    attempt = models.PositiveSmallIntegerField(default=0)
    rerun_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reruns")
    cancel_requested = models.BooleanField(default=False)
    # The worker running the job renews this; a reaper re-queues jobs whose lease ran out.
    lease_until = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["workspace", "-id"]),
            models.Index(fields=["workspace", "status", "-id"]),
            models.Index(fields=["recipe", "-id"]),
            models.Index(fields=["recipe", "status", "-id"]),
            models.Index(fields=["status", "lease_until"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        return f"job {self.pk} ({self.status})"


class JobStep(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="steps")
    step_id = models.CharField(max_length=64)
    path = models.CharField(max_length=500)
    kind = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=JobStatus.choices)
    input = models.JSONField(null=True, blank=True)
    output = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    pinned = models.BooleanField(default=False)  # its output was the test run's pin; no app was called
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job_id", "id"]
        indexes = [models.Index(fields=["job", "id"])]

    def __str__(self) -> str:
        return f"{self.path} ({self.status})"
