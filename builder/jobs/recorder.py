"""The engine's recorder for a job: JobStep rows, live events, the lease and cancellation."""

import time

from django.utils import timezone

from builder.jobs import statements
from builder.jobs.bulk import insert_rows
from builder.jobs.models import Job, JobStatus, JobStep
from builder.jobs.payloads import bounded
from builder.ops.live import live_publish


class JobRecorder:
    """Writes a job's steps as JobSteps and publishes each start and end live.

    A step that may reach outside the run (an app call, a `call`) is written when it starts
    and again when it ends: a resumed attempt must find what it sent on record, and the reaper
    closes a step a dead worker left running. The steps that may run again
    (recorder.Recorder.step_started: an if, a set, a respond, data.log) are kept in memory and
    written in one statement with the next step that is not, every FLUSH_ROWS of them or
    FLUSH_SECONDS, and with the job's finish (`unwritten`). So what is on record is always the
    start of the run, and a worker that dies loses only steps that are safe to run again."""

    FLUSH_ROWS = 100
    FLUSH_SECONDS = 1.0

    def __init__(self, job: Job):
        self.job = job
        self.open: dict[str, dict] = {}  # JobStep fields by path; "id" once written
        self.kept: list[dict] = []  # not written yet, in the order they started
        self.kept_since = 0.0
        # The claim checked the cancel flag a moment ago (statements.job_claim): the next look is in a second.
        self.next_check = time.monotonic() + 1.0
        self.cancelled = False
        self.groups = [f"job.{job.pk}", f"recipe.{job.recipe_id}"]

    def _publish(self, event: dict) -> None:
        event = {**event, "job": self.job.pk, "recipe": self.job.recipe_id}
        for group in self.groups:
            live_publish(group, event)

    def step_started(self, step_id, path, kind, input, pinned=False, repeatable=False):
        now = timezone.now()
        step = {"job_id": self.job.pk, "step_id": step_id, "path": path, "kind": kind, "status": JobStatus.RUNNING,
                "input": bounded(input), "pinned": pinned, "started_at": now}  # fmt: skip
        self.open[path] = step
        if repeatable:
            if not self.kept:
                self.kept_since = time.monotonic()
            self.kept.append(step)
        else:
            self._write(step)
        self._publish({"type": "step.started", "step": step_id, "path": path, "kind": kind, "pinned": pinned,
                       "at": now.isoformat()})  # fmt: skip

    def step_finished(self, step_id, path, status, output=None, error=None):
        now = timezone.now()
        step = self.open.pop(path, None)
        if step is not None:
            step.update(status=status, output=bounded(output), error=bounded(error), finished_at=now)
            if "id" in step:
                statements.step_end(step["id"], status=status, output=step["output"], error=step["error"],
                                    finished_at=now)  # fmt: skip
            elif len(self.kept) >= self.FLUSH_ROWS or time.monotonic() - self.kept_since >= self.FLUSH_SECONDS:
                self._write()
        self._publish({"type": "step.finished", "step": step_id, "path": path, "status": status,
                       "error": error, "at": now.isoformat()})  # fmt: skip

    def _write(self, running: dict | None = None) -> None:
        """The kept steps, then `running` (a step that is not repeatable, just started), in one
        statement; `running` learns its id, for its end."""
        rows, self.kept = self.kept + ([running] if running is not None else []), []
        ids = insert_rows(JobStep, rows, returning_ids=running is not None)
        if running is not None:
            running["id"] = ids[-1]

    def unwritten(self) -> list[dict]:
        """The kept steps, for the job's finish to write with it (services.job_finish). One
        still running (the engine itself failed in it) is closed as failed."""
        rows, self.kept = self.kept, []
        for step in rows:
            if step["status"] == JobStatus.RUNNING:
                error = {"type": "internal_error", "message": "The run stopped during this step."}
                step.update(status=JobStatus.FAILED, finished_at=timezone.now(), error=error)
        return rows

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

    def step_started(self, step_id, path, kind, input, pinned=False, repeatable=False):
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
