"""The engine's recorder for a job: JobStep rows, live events, the lease and cancellation."""

import time

from django.utils import timezone

from builder.jobs.models import Job, JobStatus, JobStep
from builder.jobs.payloads import bounded
from builder.ops.live import live_publish


class JobRecorder:
    def __init__(self, job: Job):
        self.job = job
        self.open: dict[str, JobStep] = {}
        self.next_check = 0.0
        self.cancelled = False
        self.groups = [f"job.{job.pk}", f"recipe.{job.recipe_id}"]

    def _publish(self, event: dict) -> None:
        event = {**event, "job": self.job.pk, "recipe": self.job.recipe_id}
        for group in self.groups:
            live_publish(group, event)

    def step_started(self, step_id, path, kind, input, pinned=False):
        now = timezone.now()
        self.open[path] = JobStep.objects.create(
            job=self.job,
            step_id=step_id,
            path=path,
            kind=kind,
            status=JobStatus.RUNNING,
            input=bounded(input),
            pinned=pinned,
            started_at=now,
        )
        self._publish({"type": "step.started", "step": step_id, "path": path, "kind": kind, "pinned": pinned,
                       "at": now.isoformat()})  # fmt: skip

    def step_finished(self, step_id, path, status, output=None, error=None):
        now = timezone.now()
        step = self.open.pop(path, None)
        if step is not None:
            step.status, step.output, step.error, step.finished_at = status, bounded(output), bounded(error), now
            step.save(update_fields=["status", "output", "error", "finished_at"])
        self._publish({"type": "step.finished", "step": step_id, "path": path, "status": status,
                       "error": error, "at": now.isoformat()})  # fmt: skip

    def should_cancel(self) -> bool:
        # Checked before every step; the database is asked at most once a second. (The
        # lease is renewed by runtime.LeaseKeeper, also during one long step.)
        if self.cancelled:
            return True
        if time.monotonic() < self.next_check:
            return False
        self.next_check = time.monotonic() + 1.0
        self.cancelled = Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists()
        return self.cancelled


class MemoryRecorder:
    """Keeps the steps of a run in memory as plain dicts, made into JobSteps and written later
    in one batch (`jobs_record`): what a sync endpoint uses, so that a call costs no write
    (and no model instance) per step on its hot path."""

    def __init__(self):
        self.steps: list[dict] = []
        self.open: dict[str, dict] = {}

    def step_started(self, step_id, path, kind, input, pinned=False):
        step = {"step_id": step_id, "path": path, "kind": kind, "status": JobStatus.RUNNING, "input": input,
                "pinned": pinned, "started_at": timezone.now()}  # fmt: skip
        self.steps.append(step)
        self.open[path] = step

    def step_finished(self, step_id, path, status, output=None, error=None):
        step = self.open.pop(path, None)
        if step is not None:
            step.update(status=status, output=output, error=error, finished_at=timezone.now())

    def should_cancel(self) -> bool:
        return False
