"""The one runtime: runs a version of a recipe (or a test run's draft) on a trigger payload.

Every way a recipe runs comes here: the worker's jobs, the gateway's sync calls and its
hand-overs, a `call` step's function recipe, and, for the connection of their trigger,
polls and webhook intake. It owns what a run needs: the bound connections' decrypted
values, the network policy, the recipes a `call` step may reach, the engine call and, for a
job, its lease, its recorder and its finish."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.db import connection as db_connection
from django.db.models import F
from django.utils import timezone

from builder.connections.models import Connection
from builder.connections.services import connection_values, network_policy
from builder.engine.runner import Result, run
from builder.jobs import services, statements
from builder.jobs.models import Job, JobStatus
from builder.jobs.payloads import bounded
from builder.jobs.recorder import JobRecorder
from builder.jobs.resume import job_replay, job_run_key
from builder.ops.live import live_publish
from builder.recipes.definitions import trigger_of
from builder.recipes.models import Recipe, RecipeVersion
from connectors.errors import PermanentError
from connectors.registry import registry
from connectors.sdk import validate

logger = logging.getLogger(__name__)

MAX_CALL_DEPTH = 5


@dataclass(frozen=True)
class Runnable:
    """A definition ready to run as a recipe: a version (`version_id`), or a test run's draft."""

    recipe_id: int
    workspace_id: int
    version_id: int | None
    definition: dict
    bindings: Mapping[str, int]

    @property
    def trigger(self) -> dict:
        return trigger_of(self.definition)


def live_runnable(recipe: Recipe) -> Runnable | None:
    """The recipe's live version, or None before its first publish."""
    if recipe.live_version_id is None:
        return None
    return Runnable(recipe.pk, recipe.workspace_id, recipe.live_version_id, recipe.live_version.definition,
                    dict(recipe.bindings))  # fmt: skip


def draft_runnable(recipe: Recipe) -> Runnable:
    return Runnable(recipe.pk, recipe.workspace_id, None, recipe.draft, dict(recipe.bindings))


def job_runnable(job: Job) -> Runnable:
    """What the job runs from its start to its end: the version it records (or its draft)."""
    definition = job.version.definition if job.version_id else job.draft
    return Runnable(job.recipe_id, job.workspace_id, job.version_id, definition or {}, dict(job.recipe.bindings))


def claimed_runnable(claim: statements.Claim) -> Runnable:
    """job_runnable of a job just claimed, its version's definition read once a process."""
    job = claim.job
    definition = version_definition(job.version_id, claim.version_digest) if job.version_id else job.draft
    return Runnable(job.recipe_id, job.workspace_id, job.version_id, definition or {}, dict(claim.bindings))


@lru_cache(maxsize=64)
def version_definition(version_id: int, digest: str | None) -> dict:
    """A version's definition: versions never change, and the engine only reads a definition
    (what it renders is new), so each process reads one once. Never change what this answers."""
    return RecipeVersion.objects.values_list("definition", flat=True).get(pk=version_id)


def connections_of(runnable: Runnable, slots: list[str] | None = None) -> dict[str, dict]:
    """Each bound slot's connection values, secrets decrypted: never serialize this."""
    wanted = {slot: pk for slot, pk in runnable.bindings.items() if slots is None or slot in slots}
    if not wanted:
        return {}
    bound = Connection.objects.filter(pk__in=list(wanted.values()), workspace_id=runnable.workspace_id)
    by_id = {c.pk: c for c in bound}
    return {slot: connection_values(by_id[pk]) for slot, pk in wanted.items() if pk in by_id}


def slot_connection(runnable: Runnable, slot: str | None) -> dict | None:
    """The values of one slot's connection ({} when `slot` is empty), None when it is unbound."""
    if not slot:
        return {}
    return connections_of(runnable, [slot]).get(slot)


def run_recipe(runnable: Runnable, *, trigger: dict, deadline: float, recorder=None, replay=None,
               run_key: str | None = None, connections: Mapping[str, Mapping] | None = None, depth: int = 0,
               pins: Mapping | None = None) -> Result:  # fmt: skip
    """Runs the definition once on `trigger` until `deadline` (time.monotonic()). The caller
    may pass `connections` it keeps (the gateway does, per cache generation); `pins` are a
    test run's (engine.runner.run)."""
    return run(runnable.definition, trigger=trigger, registry=registry(),
               connections=connections_of(runnable) if connections is None else connections, deadline=deadline,
               recorder=recorder, network=network_policy(), call_recipe=function_caller(runnable.workspace_id, depth),
               replay=replay, run_key=run_key, pins=pins)  # fmt: skip


def _callee(workspace_id: int, target: str) -> Recipe:
    """The function recipe a `call` step names: by id, or by the name of what runs (its live
    version's, so that renaming a draft redirects no caller)."""
    recipes = Recipe.objects.filter(workspace_id=workspace_id, trigger_kind="function").select_related("live_version")
    if str(target).isdigit():
        found = recipes.filter(pk=int(target)).first()
    else:
        found = (recipes.filter(live_version__name=target).first()
                 or recipes.filter(live_version__isnull=True, name=target).first())  # to say "publish it"  # fmt: skip
    if found is None:
        raise PermanentError(f"There is no function recipe {target!r} in this workspace.")
    if found.live_version_id is None:
        raise PermanentError(f"The function recipe {found.name} is not published yet; publish it first.")
    return found


def _problems_text(problems: list[dict]) -> str:
    return "; ".join(f"{p['pointer'] or '/'} {p['message']}" for p in problems[:5])


def function_caller(workspace_id: int, depth: int = 0) -> Callable[[str, dict, float], dict]:
    """What a `call` step uses: runs the live version of a recipe of kind `function` of the same
    workspace in this process, its input and output checked against the function's schemas."""

    def call(target: str, input: dict, deadline: float) -> dict:
        if depth >= MAX_CALL_DEPTH:
            raise PermanentError(f"Recipes call each other more than {MAX_CALL_DEPTH} deep.")
        callee = _callee(workspace_id, target)
        runnable = live_runnable(callee)
        spec = runnable.trigger
        problems = validate(spec.get("input_schema", {}), input)
        if problems:
            raise PermanentError(f"The input for {callee.name} is invalid: {_problems_text(problems)}")
        result = run_recipe(runnable, trigger={"body": input}, deadline=deadline, depth=depth + 1)
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


# --- jobs ------------------------------------------------------------------------------


class LeaseKeeper(threading.Thread):
    """Renews the leases of the jobs this process runs, in the background, so that one long
    step (a slow API call) never looks like a dead worker to the reaper. One thread a process
    for all its jobs (a thread a job cost a short job more than its steps), started with the
    first job and again in a forked child: threads do not survive fork."""

    def __init__(self):
        super().__init__(name="lease-keeper", daemon=True)
        self.pid = os.getpid()
        self.held: set[int] = set()
        self.lock = threading.Lock()

    @contextmanager
    def holding(self, job_id: int):
        with self.lock:
            self.held.add(job_id)
        try:
            yield
        finally:
            with self.lock:
                self.held.discard(job_id)

    def run(self):
        interval = max(1.0, settings.JOB_LEASE_SECONDS / 3)
        while True:
            time.sleep(interval)
            with self.lock:
                held = list(self.held)
            if not held:
                continue
            lease = timezone.now() + timedelta(seconds=settings.JOB_LEASE_SECONDS)
            try:
                Job.objects.filter(pk__in=held, status=JobStatus.RUNNING).update(lease_until=lease)
            except Exception:  # the database away for a moment: the next round tries again
                logger.warning("could not renew the lease of jobs %s", held, exc_info=True)
                db_connection.close()


_lease_keeper: LeaseKeeper | None = None
_lease_keeper_lock = threading.Lock()


def lease_keeper() -> LeaseKeeper:
    """This process's lease keeper, started on first use."""
    global _lease_keeper
    with _lease_keeper_lock:
        if _lease_keeper is None or _lease_keeper.pid != os.getpid():
            _lease_keeper = LeaseKeeper()
            _lease_keeper.start()
        return _lease_keeper


def _over_concurrency(job: Job) -> bool:
    return statements.jobs_running_besides(job) >= settings.RECIPE_CONCURRENCY


def job_execute(*, job_id: int, worker: str) -> str | None:
    """Runs a queued job to its end on this worker; returns its final status (None if not ours)."""
    now = timezone.now()
    claimed = statements.job_claim(job_id, worker=worker, now=now,
                                   lease_until=now + timedelta(seconds=settings.JOB_LEASE_SECONDS))  # fmt: skip
    if claimed is None:
        return None
    job = claimed.job
    if _over_concurrency(job):
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.QUEUED, started_at=None, lease_until=None, attempt=F("attempt") - 1
        )  # waiting for a slot is no attempt
        services.job_send(job.pk, countdown=1.0)
        return JobStatus.QUEUED
    return job_run(job, claimed_runnable(claimed)).status


def job_run(job: Job, runnable: Runnable | None = None, *, connections=None, judge=None):
    """Runs a job this process holds (claimed, or started here by the gateway's hand-over)
    to its end: resumes after the steps an earlier attempt finished, renews the lease, records
    every step, and finishes the job with what `judge` makes of the engine's result (the
    gateway checks its contract). Answers that verdict (the Result itself without a judge)."""
    runnable = runnable or job_runnable(job)
    started = time.monotonic()
    live_publish(f"recipe.{job.recipe_id}", {"type": "job.started", "job": job.pk, "recipe": job.recipe_id})
    # A job a worker died on resumes after the steps that finished; attempt 1 has none.
    replay = job_replay(job) if job.attempt > 1 else None
    recorder = JobRecorder(job)
    with lease_keeper().holding(job.pk):
        try:
            result = run_recipe(runnable, trigger=job.trigger, deadline=started + settings.JOB_TIMEOUT_SECONDS,
                                recorder=recorder, replay=replay, run_key=job_run_key(job),
                                connections=connections, pins=job.pins)  # fmt: skip
            verdict = judge(result) if judge else result
        except Exception as exc:  # an engine bug must end the job, not leave it running
            logger.exception("job %s crashed", job.pk)
            crashed = Result(JobStatus.FAILED, None, {"type": "internal_error", "message": str(exc)[:500]})
            verdict = judge(crashed) if judge else crashed  # a failure without a response: judged as such
    services.job_finish(job=job, status=verdict.status, response=bounded(verdict.response), error=verdict.error,
                        duration=time.monotonic() - started, steps=recorder.unwritten())  # fmt: skip
    return verdict
