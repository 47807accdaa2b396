"""Reads of jobs: the lists of the jobs page and of /api/jobs/, newest first, each one index
range scan (workspace, status, -id) at any size; pages go by keyset (`before` an id)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from builder.jobs.models import TEST_RUN, Job, JobStatus


def jobs_list(*, workspace_ids: Iterable[int], recipe_id: int | None = None, status: str | None = None,
              since: datetime | None = None, until: datetime | None = None,
              before: int | None = None) -> QuerySet[Job]:  # fmt: skip
    jobs = Job.objects.filter(workspace_id__in=list(workspace_ids)).select_related("recipe", "version")
    jobs = jobs.defer("draft", "trigger", "response", "version__definition", "recipe__draft")
    if recipe_id is not None:
        jobs = jobs.filter(recipe_id=recipe_id)
    if status:
        jobs = jobs.filter(status=status)
    if since is not None:
        jobs = jobs.filter(created_at__gte=since)
    if until is not None:
        jobs = jobs.filter(created_at__lt=until)
    if before is not None:
        jobs = jobs.filter(pk__lt=before)
    return jobs.order_by("-id")


# The steps whose output the engine keeps as steps.<id> (engine/runner.py); if, foreach,
# respond and stop keep none.
OUTPUT_KINDS = ("action", "set", "call")


def latest_test_run(recipe_id: int) -> Job | None:
    """The recipe's newest test run (draft_test_run's job, or a rerun of one), whatever its status."""
    return Job.objects.filter(recipe_id=recipe_id, trigger_kind=TEST_RUN).order_by("-id").first()


def job_scope(job: Job) -> dict:
    """The data the job's steps read, rebuilt from its record as the engine held it at the end:
    `trigger`, `steps.<id>` (each step that succeeded, pinned ones too; one that ran in every
    iteration of a loop by its last output) and `vars`. A job does not record its vars, so they
    are rebuilt from its set steps' outputs in the order they ran, as the engine sets them.
    What was clipped for size (payloads.bounded) is read as clipped."""
    steps: dict = {}
    variables: dict = {}
    rows = job.steps.filter(status=JobStatus.SUCCEEDED, kind__in=OUTPUT_KINDS).order_by("id")
    for step_id, kind, output in rows.values_list("step_id", "kind", "output"):
        steps[step_id] = output
        if kind == "set" and isinstance(output, dict):
            variables.update(output)
    return {"trigger": job.trigger, "steps": steps, "vars": variables}
