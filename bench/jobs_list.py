"""The jobs list with a million rows: time of the first page and of a deep keyset page,
and the query plans, on a throwaway SQLite database (or DATABASE_URL, if you point it
at a scratch PostgreSQL database). Prints; asserts nothing.

    .venv/bin/python bench/jobs_list.py [rows]
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("STEPWISE_DATA_DIR", tempfile.mkdtemp(prefix="stepwise-bench-jobs-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "builder.settings")
os.environ["STEPWISE_ENV"] = "test"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.report import figure  # noqa: E402
from builder.jobs.models import Job  # noqa: E402
from builder.recipes.drafts import recipe_publish  # noqa: E402
from builder.recipes.services import recipe_create  # noqa: E402
from builder.workspaces.models import Workspace  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
BATCH = 20_000
PAGE = 50


def fill() -> tuple[int, int]:
    workspace = Workspace.objects.create(name="Bench", slug=f"bench-{time.time_ns()}")
    definition = {"format": "stepwise.recipe/1", "name": "Bench", "trigger": {"kind": "manual"}, "steps": []}
    recipes = [recipe_create(workspace=workspace, definition=definition) for _ in range(10)]
    versions = [recipe_publish(recipe=recipe) for recipe in recipes]
    statuses = ["succeeded"] * 8 + ["failed", "cancelled"]
    now = timezone.now()
    started = time.perf_counter()
    for offset in range(0, ROWS, BATCH):
        Job.objects.bulk_create(
            Job(workspace=workspace, recipe=recipes[n % 10], version=versions[n % 10],
                trigger_kind="manual", status=statuses[n % 10], trigger={"body": {"n": n}}, created_at=now)
            for n in range(offset, min(offset + BATCH, ROWS))
        )  # fmt: skip
    print(f"inserted {ROWS} jobs in {time.perf_counter() - started:.1f}s")
    return workspace.pk, recipes[8].pk  # the recipe whose jobs failed


def timed(label: str, queryset) -> float:
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        rows = list(queryset.all())  # a fresh query each time, not the cached result
        best = min(best, time.perf_counter() - started)
    print(f"{label:<45} {best * 1000:8.2f} ms  ({len(rows)} rows)")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(explain + sql, params)
        for row in cursor.fetchall():
            print("    ", row[-1])
    return best


def main() -> None:
    call_command("migrate", verbosity=0)
    workspace_id, recipe_id = fill()
    jobs = Job.objects.filter(workspace_id=workspace_id).order_by("-id")
    deep = Job.objects.order_by("id").values_list("id", flat=True)[ROWS // 10]
    first = timed("newest page of the workspace", jobs[:PAGE])
    deepest = timed("a page 90% deep (keyset: id < X)", jobs.filter(pk__lt=deep)[:PAGE])
    rows = f"{ROWS:,} jobs, {connection.vendor}"
    figure(f"jobs list first page ({rows})", first * 1000, "ms", "under 100", first < 0.1)
    figure(f"jobs list page 90% deep ({rows})", deepest * 1000, "ms", "under 100", deepest < 0.1)
    timed("one recipe, failed only", jobs.filter(recipe_id=recipe_id, status="failed")[:PAGE])
    timed("status filter across recipes", jobs.filter(status="cancelled")[:PAGE])
    timed("status filter, 90% deep", jobs.filter(status="succeeded", pk__lt=deep)[:PAGE])


if __name__ == "__main__":
    main()
