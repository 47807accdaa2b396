"""Reads of jobs: the lists of the jobs page and of /api/jobs/, newest first, each one index
range scan (workspace, status, -id) at any size; pages go by keyset (`before` an id)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from builder.jobs.models import Job


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
