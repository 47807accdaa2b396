"""The statements every job runs on a worker, written once as SQL.

Django compiles a queryset's SQL anew each time it runs it. For a job's claim (the job, its
recipe and its version) that was 1.3 ms of CPU on a 2-core machine against 0.17 ms to run
it; a three-step job ran six statements like it, and they were most of its CPU. Here each
statement is one string, its values are parameters adapted as Django adapts them
(bulk.adapter), and the SQL is the same on SQLite (3.35+: RETURNING) and PostgreSQL.
Everything else about jobs stays in the ORM."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from builder.jobs.bulk import adapter
from builder.jobs.models import FINISHED, Job, JobStatus, JobStep
from builder.recipes.models import Recipe

# What a claimed job's run reads: runtime.job_run, runtime.job_runnable, the recorder.
CLAIMED = ("id", "workspace_id", "recipe_id", "version_id", "draft", "pins", "trigger_kind", "trigger", "attempt")

CLAIM = f"""
UPDATE "jobs_job" SET "status" = %s, "started_at" = %s, "worker" = %s, "attempt" = "attempt" + 1,
                      "lease_until" = %s
 WHERE "id" = %s AND "status" = %s AND NOT "cancel_requested"
 RETURNING {", ".join(f'"{name}"' for name in CLAIMED)},
           (SELECT "bindings" FROM "recipes_recipe" WHERE "id" = "jobs_job"."recipe_id"),
           (SELECT "digest" FROM "recipes_recipeversion" WHERE "id" = "jobs_job"."version_id")
"""  # noqa: S608 - the column names are this module's own

RUNNING_BESIDES = """
SELECT COUNT(*) FROM "jobs_job" WHERE "recipe_id" = %s AND "status" = %s AND "id" <> %s
"""

END = f"""
UPDATE "jobs_job" SET "status" = %s, "response" = %s, "error" = %s, "finished_at" = %s, "lease_until" = NULL,
                      "duration_ms" = %s
 WHERE "id" = %s AND "status" NOT IN ({", ".join(["%s"] * len(FINISHED))})
"""  # noqa: S608 - placeholders only

STEP_END = """
UPDATE "jobs_jobstep" SET "status" = %s, "output" = %s, "error" = %s, "finished_at" = %s WHERE "id" = %s
"""


def _json(model, name: str):
    return adapter(model._meta.get_field(name))


def _decoded(model, name: str, value):
    field = model._meta.get_field(name)
    return field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value


@dataclass(frozen=True)
class Claim:
    """A job just claimed, with the fields its run reads (the others deferred), its recipe's
    bindings and its version's digest (a definition's cache key: runtime.version_definition)."""

    job: Job
    bindings: dict
    version_digest: str | None


def job_claim(job_id: int, *, worker: str, now: datetime, lease_until: datetime) -> Claim | None:
    """queued -> running, once (a redelivered task finds the job taken); None when it was not
    there to take."""
    when = adapter(Job._meta.get_field("started_at"))
    with connection.cursor() as cursor:
        cursor.execute(CLAIM, [JobStatus.RUNNING, when(now), worker[:200], when(lease_until), job_id, JobStatus.QUEUED])
        row = cursor.fetchone()
    if row is None:
        return None
    *values, bindings, digest = row
    job = Job.from_db(connection.alias, CLAIMED,
                      [_decoded(Job, name, value) for name, value in zip(CLAIMED, values, strict=True)])  # fmt: skip
    return Claim(job, _decoded(Recipe, "bindings", bindings) or {}, digest)


def jobs_running_besides(job: Job) -> int:
    """How many other jobs of the job's recipe are running."""
    with connection.cursor() as cursor:
        cursor.execute(RUNNING_BESIDES, [job.recipe_id, JobStatus.RUNNING, job.pk])
        return cursor.fetchone()[0]


def job_end(job_id: int, *, status: str, response, error, finished_at: datetime, duration_ms: int | None) -> None:
    """Ends the job unless it has ended."""
    with connection.cursor() as cursor:
        cursor.execute(END, [status, _json(Job, "response")(response), _json(Job, "error")(error),
                             adapter(Job._meta.get_field("finished_at"))(finished_at), duration_ms, job_id,
                             *FINISHED])  # fmt: skip


def step_end(step_id: int, *, status: str, output, error, finished_at: datetime) -> None:
    with connection.cursor() as cursor:
        cursor.execute(STEP_END, [status, _json(JobStep, "output")(output), _json(JobStep, "error")(error),
                                  adapter(JobStep._meta.get_field("finished_at"))(finished_at), step_id])  # fmt: skip
