"""Jobs: enqueue (row first, task after commit), cancel, re-run, reap jobs whose worker
died (their next attempt resumes: jobs/resume.py), record runs made outside a worker, prune
old ones. A job runs in runtime.py."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from builder.errors import Conflict
from builder.jobs.bulk import insert_rows
from builder.jobs.models import FINISHED, Job, JobStatus, JobStep
from builder.jobs.payloads import bounded, bounded_trigger, without_nul
from builder.jobs.resume import job_steps_interrupt
from builder.jobs.statements import job_end
from builder.ops.live import live_publish
from builder.recipes.models import Recipe, RecipeVersion

RUN_TASK = "jobs.run"  # builder/jobs/tasks.py, sent by name: the tasks module calls this one


def job_send(job_id: int, countdown: float | None = None) -> None:
    current_app.send_task(RUN_TASK, args=(job_id,), countdown=countdown)


@transaction.atomic
def job_enqueue(*, recipe: Recipe, trigger: dict, trigger_kind: str, version: RecipeVersion | None = None,
                draft: dict | None = None, pins: dict | None = None, rerun_of: Job | None = None) -> Job:  # fmt: skip
    """A queued job of `version` (the recipe's live version by default), or of a test run's
    `draft`, with a test run's `pins`; its task is sent once the row is committed."""
    if not isinstance(trigger, dict):
        raise ValidationError({"trigger": "The trigger payload is a JSON object."})
    if version is None and draft is None:
        version = recipe.live_version
        if version is None:
            raise Conflict({"recipe": f"{recipe.name} is not published yet: there is no live version to run."})
    job = Job.objects.create(workspace_id=recipe.workspace_id, recipe=recipe, version=version,
                             draft=draft if version is None else None, pins=pins or None, trigger_kind=trigger_kind,
                             trigger=bounded_trigger(trigger), rerun_of=rerun_of)  # fmt: skip
    # Sent only once the row is committed: a worker never looks for a job that is not there.
    transaction.on_commit(lambda: job_send(job.pk))
    return job


def job_finish(*, job: Job, status: str, response=None, error=None, duration: float | None = None,
               steps: list[dict] = ()) -> None:  # fmt: skip
    """Ends the job (unless it has ended), with the `steps` its recorder kept (JobStep fields),
    in one transaction."""
    with transaction.atomic():
        insert_rows(JobStep, list(steps))
        job_end(job.pk, status=status, response=without_nul(response), error=bounded(error), finished_at=timezone.now(),
                duration_ms=None if duration is None else int(duration * 1000))  # fmt: skip
    event = {"type": "job.finished", "job": job.pk, "recipe": job.recipe_id, "status": status, "error": error}
    for group in (f"job.{job.pk}", f"recipe.{job.recipe_id}"):
        live_publish(group, event)


@transaction.atomic
def job_cancel(*, job: Job) -> Job:
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.status == JobStatus.QUEUED:
        job.status, job.finished_at = JobStatus.CANCELLED, timezone.now()
        job.error = {"type": "cancelled", "message": "Cancelled before it started."}
    elif job.status == JobStatus.RUNNING:
        job.cancel_requested = True  # the worker stops before the next step
    else:
        raise Conflict({"status": f"The job has already {job.status}."})
    job.save()
    return job


def job_rerun(*, job: Job) -> Job:
    """The same trigger payload on the same version (or the same test-run draft and pins)."""
    return job_enqueue(recipe=job.recipe, trigger=job.trigger, trigger_kind=job.trigger_kind, version=job.version,
                       draft=job.draft, pins=job.pins, rerun_of=job)  # fmt: skip


def jobs_reap() -> dict:
    """Jobs whose worker stopped renewing the lease: queued again (to resume after the steps
    that finished), or failed after the last attempt; the step in flight is closed either way."""
    counts = {"requeued": 0, "failed": 0, "cancelled": 0}
    expired = Job.objects.filter(status=JobStatus.RUNNING, lease_until__lt=timezone.now()).values_list("pk", flat=True)
    for pk in list(expired[:500]):
        with transaction.atomic():
            job = Job.objects.select_for_update().filter(pk=pk, status=JobStatus.RUNNING,
                                                         lease_until__lt=timezone.now()).first()  # fmt: skip
            if job is None:
                continue  # finished or renewed meanwhile: a live worker's job is never taken
            retried = job.attempt < settings.JOB_MAX_ATTEMPTS and not job.cancel_requested
            job_steps_interrupt(job=job, retried=retried)
            if job.cancel_requested:  # a worker never claims a job someone asked to cancel
                job.status, job.finished_at, job.lease_until = JobStatus.CANCELLED, timezone.now(), None
                job.error = {"type": "cancelled", "message": "Cancelled; its worker stopped before it could finish."}
                job.save(update_fields=["status", "finished_at", "lease_until", "error"])
                counts["cancelled"] += 1
            elif job.attempt < settings.JOB_MAX_ATTEMPTS:
                job.status, job.lease_until, job.started_at = JobStatus.QUEUED, None, None
                job.save(update_fields=["status", "lease_until", "started_at"])
                transaction.on_commit(lambda pk=pk: job_send(pk))
                counts["requeued"] += 1
            else:
                job.status, job.finished_at, job.lease_until = JobStatus.FAILED, timezone.now(), None
                message = f"The worker running this job stopped {job.attempt} times; it was not retried again."
                job.error = {"type": "worker_lost", "message": message}
                job.save(update_fields=["status", "finished_at", "lease_until", "error"])
                counts["failed"] += 1
    return counts


@dataclass
class FinishedRun:
    """A run that happened outside a worker (a sync endpoint), to be recorded as a job."""

    recipe_id: int
    version_id: int | None
    workspace_id: int
    trigger_kind: str
    trigger: dict
    status: str
    response: dict | None
    error: dict | None
    started_at: datetime
    finished_at: datetime
    steps: list[dict] = field(default_factory=list)  # MemoryRecorder's


def _milliseconds(elapsed: timedelta) -> int:
    return max(0, round(elapsed.total_seconds() * 1000))


def jobs_record(runs: list[FinishedRun]) -> list[int]:
    """Writes finished runs and their steps in a few statements, whatever their number;
    answers the new jobs' ids, in order."""
    ids = insert_rows(Job, [
        {"workspace_id": r.workspace_id, "recipe_id": r.recipe_id, "version_id": r.version_id,
         "trigger_kind": r.trigger_kind, "trigger": bounded_trigger(r.trigger), "status": r.status,
         "response": bounded(r.response), "error": bounded(r.error), "attempt": 1, "worker": "web",
         "started_at": r.started_at, "finished_at": r.finished_at,
         "duration_ms": _milliseconds(r.finished_at - r.started_at)}
        for r in runs
    ], returning_ids=True)  # fmt: skip
    steps = [{**step, "job_id": job_id, "input": bounded(step["input"]), "output": bounded(step.get("output")),
              "error": bounded(step.get("error"))}
             for job_id, run_ in zip(ids, runs, strict=True) for step in run_.steps]  # fmt: skip
    insert_rows(JobStep, steps)
    return ids


def jobs_prune(*, batch: int = 1000) -> int:
    """Deletes finished jobs older than the retention, in batches; returns how many."""
    cutoff = timezone.now() - timedelta(days=settings.JOB_RETENTION_DAYS)
    deleted = 0
    while True:
        ids = list(Job.objects.filter(created_at__lt=cutoff, status__in=FINISHED).values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        Job.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
