"""Jobs: enqueue (row first, task after commit), execute on a worker under a lease,
cancel, re-run, reap jobs whose worker died (their next attempt resumes: jobs/resume.py),
prune old ones."""

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from builder.connections.models import Connection
from builder.connections.services import connection_values, network_policy
from builder.engine.runner import run
from builder.errors import Conflict
from builder.jobs.bulk import insert_rows
from builder.jobs.models import FINISHED, Job, JobStatus, JobStep
from builder.jobs.payloads import bounded, bounded_trigger, without_nul
from builder.jobs.recorder import JobRecorder
from builder.jobs.resume import job_replay, job_run_key, job_steps_interrupt
from builder.ops.live import live_publish
from builder.recipes.models import Recipe, RecipeVersion
from connectors.errors import PermanentError
from connectors.registry import registry
from connectors.sdk import validate

logger = logging.getLogger(__name__)


def _send(job_id: int, countdown: float | None = None) -> None:
    from builder.jobs.tasks import run_job

    run_job.apply_async((job_id,), countdown=countdown)


@transaction.atomic
def job_enqueue(*, recipe: Recipe, trigger: dict, trigger_kind: str, version: RecipeVersion | None = None,
                rerun_of: Job | None = None) -> Job:  # fmt: skip
    if not isinstance(trigger, dict):
        raise ValidationError({"trigger": "The trigger payload is a JSON object."})
    version = version or recipe.current_version
    job = Job.objects.create(workspace_id=recipe.workspace_id, recipe=recipe, version=version,
                             trigger_kind=trigger_kind, trigger=bounded_trigger(trigger),
                             rerun_of=rerun_of)  # fmt: skip
    # Sent only once the row is committed: a worker never looks for a job that is not there.
    transaction.on_commit(lambda: _send(job.pk))
    return job


def _claim(job_id: int, worker: str) -> Job | None:
    """queued -> running, once: a redelivered task finds the job taken and does nothing."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED, cancel_requested=False).update(
        status=JobStatus.RUNNING, started_at=now, worker=worker[:200], attempt=F("attempt") + 1,
        lease_until=now + timedelta(seconds=settings.JOB_LEASE_SECONDS),
    )  # fmt: skip
    if not claimed:
        return None
    return Job.objects.select_related("recipe", "version").get(pk=job_id)


def _over_concurrency(job: Job) -> bool:
    running = Job.objects.filter(recipe_id=job.recipe_id, status=JobStatus.RUNNING).exclude(pk=job.pk).count()
    return running >= settings.RECIPE_CONCURRENCY


def job_execute(*, job_id: int, worker: str) -> str | None:
    """Runs a queued job to its end on this worker; returns its final status (None if not ours)."""
    job = _claim(job_id, worker)
    if job is None:
        return None
    if _over_concurrency(job):
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.QUEUED, started_at=None, lease_until=None, attempt=F("attempt") - 1
        )  # waiting for a slot is no attempt
        transaction.on_commit(lambda: _send(job.pk, countdown=1.0))
        return JobStatus.QUEUED
    started = time.monotonic()
    recorder = JobRecorder(job)
    # A job a worker died on resumes after the steps that finished; attempt 1 has none.
    replay = job_replay(job) if job.attempt > 1 else None
    with LeaseKeeper(job.pk):
        status, response, error = _run_engine(job, recorder, replay)
    job_finish(job=job, status=status, response=response, error=error, duration=time.monotonic() - started)
    return status


class LeaseKeeper(threading.Thread):
    """Renews a running job's lease in the background, so that one long step (a slow API
    call) never looks like a dead worker to the reaper."""

    def __init__(self, job_id: int):
        super().__init__(name=f"lease-{job_id}", daemon=True)
        self.job_id = job_id
        self.done = threading.Event()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.join(timeout=5)

    def run(self):
        interval = max(1.0, settings.JOB_LEASE_SECONDS / 3)
        try:
            while not self.done.wait(interval):
                lease = timezone.now() + timedelta(seconds=settings.JOB_LEASE_SECONDS)
                Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(lease_until=lease)
        finally:
            connection.close()


MAX_CALL_DEPTH = 5


def function_caller(workspace_id: int, depth: int = 0):
    """What a `call` step uses: runs a recipe of kind `function` of the same workspace in
    process, with its input and output checked against the function's schemas."""

    def call(target: str, input: dict, deadline: float) -> dict:
        if depth >= MAX_CALL_DEPTH:
            raise PermanentError(f"Recipes call each other more than {MAX_CALL_DEPTH} deep.")
        recipes = Recipe.objects.filter(workspace_id=workspace_id, trigger_kind="function")
        callee = (recipes.filter(pk=int(target)) if str(target).isdigit() else recipes.filter(name=target)).first()
        if callee is None or callee.current_version is None:
            raise PermanentError(f"There is no function recipe {target!r} in this workspace.")
        definition = callee.current_version.definition
        spec = definition.get("trigger", {})
        problems = validate(spec.get("input_schema", {}), input)
        if problems:
            raise PermanentError(f"The input for {callee.name} is invalid: " +
                                 "; ".join(f"{p['pointer'] or '/'} {p['message']}" for p in problems[:5]))  # fmt: skip
        nested = function_caller(workspace_id, depth + 1)
        result = run(definition, trigger={"body": input}, registry=registry(), connections=_connections_of(callee),
                     deadline=deadline, network=network_policy(), call_recipe=nested)  # fmt: skip
        if result.status != "succeeded":
            raise PermanentError(f"{callee.name} {result.status}: {(result.error or {}).get('message', '')}")
        output = (result.response or {}).get("body", {})
        problems = validate(spec.get("output_schema", {}), output)
        if problems:
            raise PermanentError(
                f"{callee.name} answered output that breaks its output schema: {problems[0]['message']}"
            )
        return output

    return call


def _connections_of(recipe: Recipe) -> dict:
    bound = Connection.objects.filter(pk__in=recipe.bindings.values(), workspace_id=recipe.workspace_id)
    by_id = {c.pk: c for c in bound}
    return {slot: connection_values(by_id[pk]) for slot, pk in recipe.bindings.items() if pk in by_id}


def _run_engine(job: Job, recorder: JobRecorder, replay: dict | None) -> tuple[str, dict | None, dict | None]:
    live_publish(f"recipe.{job.recipe_id}", {"type": "job.started", "job": job.pk, "recipe": job.recipe_id})
    try:
        result = run(job.version.definition, trigger=job.trigger, registry=registry(),
                     connections=_connections_of(job.recipe), deadline=time.monotonic() + settings.JOB_TIMEOUT_SECONDS,
                     recorder=recorder, network=network_policy(), call_recipe=function_caller(job.recipe.workspace_id),
                     replay=replay, run_key=job_run_key(job))  # fmt: skip
        return result.status, bounded(result.response), result.error
    except Exception as exc:  # an engine bug must end the job, not leave it running
        logger.exception("job %s crashed", job.pk)
        return JobStatus.FAILED, None, {"type": "internal_error", "message": str(exc)[:500]}


def job_finish(*, job: Job, status: str, response=None, error=None, duration: float | None = None) -> None:
    Job.objects.filter(pk=job.pk).exclude(status__in=FINISHED).update(
        status=status, response=without_nul(response), error=bounded(error), finished_at=timezone.now(),
        lease_until=None,
        duration_ms=int(duration * 1000) if duration is not None else None,
    )  # fmt: skip
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
    return job_enqueue(recipe=job.recipe, trigger=job.trigger, trigger_kind=job.trigger_kind, version=job.version,
                       rerun_of=job)  # fmt: skip


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
                transaction.on_commit(lambda pk=pk: _send(pk))
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
    version_id: int
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
