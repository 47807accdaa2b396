"""Running an endpoint's recipe: in the web process under the endpoint's deadline (sync),
on a worker (async), or in the web process with a hand-over to a job when the deadline
passes (sync with on_timeout=handover)."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from builder.apiplatform.contract import ContractViolation, check_response
from builder.apiplatform.routing import Route, Snapshot
from builder.engine.runner import Result
from builder.jobs.models import Job, JobStatus
from builder.jobs.payloads import bounded_trigger
from builder.jobs.recorder import MemoryRecorder
from builder.jobs.runtime import connections_of, job_run, run_recipe
from builder.jobs.services import FinishedRun, job_enqueue
from builder.recipes.models import Recipe, RecipeVersion

# Threads for hand-over runs, which may outlive the call that started them.
_handover_pool = ThreadPoolExecutor(max_workers=settings.GATEWAY_HANDOVER_THREADS, thread_name_prefix="apim-handover")


@dataclass
class Outcome:
    """How a sync run ended, for the gateway to answer."""

    status: str  # succeeded, failed, cancelled
    response: dict | None
    error: dict | None
    timed_out: bool = False
    answer: tuple[int, dict, object] | None = None  # (status, headers, body) once checked
    violation: str | None = None


def _connections(snapshot: Snapshot, route: Route) -> dict:
    """The route's connection values, decrypted once per cache generation."""
    if not route.runnable.bindings:
        return {}
    return snapshot.kept(f"connections:{route.recipe_id}", lambda: connections_of(route.runnable))


def _judge(route: Route, result: Result, timed_out: bool) -> Outcome:
    outcome = Outcome(result.status, result.response, result.error, timed_out=timed_out)
    if result.response is None and result.status != "succeeded":
        return outcome  # failed or timed out before answering
    try:
        outcome.answer = check_response(route.responses, result.response)
    except ContractViolation as exc:
        outcome.violation = str(exc)
        outcome.status = "failed"
        outcome.error = {"type": "contract_violation", "message": str(exc)}
    return outcome


def run_sync(route: Route, snapshot: Snapshot, workspace_id: int, trigger: dict) -> tuple[Outcome, FinishedRun]:
    """Runs in this thread; the steps stay in memory and are written with the call log."""
    recorder, started = MemoryRecorder(), timezone.now()
    deadline = time.monotonic() + route.timeout
    result = run_recipe(route.runnable, trigger=trigger, deadline=deadline, recorder=recorder,
                        connections=_connections(snapshot, route))  # fmt: skip
    timed_out = result.status == "failed" and time.monotonic() >= deadline - 0.01
    outcome = _judge(route, result, timed_out)
    finished = FinishedRun(recipe_id=route.recipe_id, version_id=route.runnable.version_id, workspace_id=workspace_id,
                           trigger_kind="api_request", trigger=trigger, status=outcome.status,
                           response=outcome.response, error=outcome.error, started_at=started,
                           finished_at=timezone.now(), steps=recorder.steps)  # fmt: skip
    return outcome, finished


def enqueue_async(route: Route, workspace_id: int, trigger: dict) -> Job:
    recipe = Recipe(pk=route.recipe_id, workspace_id=workspace_id)
    return job_enqueue(recipe=recipe, version=RecipeVersion(pk=route.runnable.version_id), trigger=trigger,
                       trigger_kind="api_request")  # fmt: skip


def run_with_handover(route: Route, snapshot: Snapshot, workspace_id: int, trigger: dict) -> tuple[Job, Outcome | None]:
    """Starts the run as a job leased by this process and waits up to the endpoint's timeout.
    None means the deadline passed: the run goes on in the background under the job's own
    timeout, and if this process dies the reaper hands the job to a worker."""
    now = timezone.now()
    job = Job.objects.create(
        workspace_id=workspace_id, recipe_id=route.recipe_id, version_id=route.runnable.version_id,
        trigger_kind="api_request",
        trigger=bounded_trigger(trigger), status=JobStatus.RUNNING, attempt=1, started_at=now,
        worker=f"web:{os.getpid()}"[:200], lease_until=now + timedelta(seconds=settings.JOB_LEASE_SECONDS),
    )  # fmt: skip
    future = _handover_pool.submit(_run_job_here, route, snapshot, job)
    try:
        return job, future.result(timeout=route.timeout)
    except FutureTimeout:
        return job, None


def _run_job_here(route: Route, snapshot: Snapshot, job: Job) -> Outcome:
    try:
        return job_run(job, route.runnable, connections=_connections(snapshot, route),
                       judge=lambda result: _judge(route, result, timed_out=False))  # fmt: skip
    finally:
        connection.close()
