"""The jobs list and the call log with a million rows each: the first page and a page 90%
deep of each, requested through Django's test client the way a member reads them (the API's
keyset pages, /api/jobs/ and /api/calls/, and the pages, /jobs/ and /api-platform/calls/,
with their `before`), on a throwaway SQLite database, or on PostgreSQL with DATABASE_URL
pointing at a scratch database (it refuses one that already holds jobs or calls). States
each figure through bench/report.py, with the queries of each request and the plan of the
slowest; then times some filters, printed only.

    .venv/bin/python bench/lists.py [rows]

The rows are written as the gateway writes them (builder/jobs/bulk.py's insert_rows): a
million jobs of ten sync API recipes and a million calls of their endpoints, spread evenly
over the call log's 30 days of retention (so the page's chart of the last 24 hours counts
about 33,000), each call answered 2xx or 5xx pointing at its job. The models' own indexes
are made after the fill, in one pass each, rather than kept up row by row. PostgreSQL's
tables are analysed after the fill, as autovacuum soon would; SQLite's are not, as the
platform never does.
"""

import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# A data folder of our own (its database holds about 1 GB at a million rows) is removed at the end.
THROWAWAY = None if "STEPWISE_DATA_DIR" in os.environ else tempfile.mkdtemp(prefix="stepwise-bench-lists-")
os.environ.setdefault("STEPWISE_DATA_DIR", THROWAWAY or "")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "builder.settings")
os.environ["STEPWISE_ENV"] = "test"

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.pagination import Cursor  # noqa: E402

from bench.report import figure  # noqa: E402
from builder.api.pagination import KeysetPagination  # noqa: E402
from builder.apiplatform import services  # noqa: E402
from builder.apiplatform.models import ApiCall  # noqa: E402
from builder.jobs.bulk import insert_rows  # noqa: E402
from builder.jobs.models import Job  # noqa: E402
from builder.recipes.drafts import recipe_publish  # noqa: E402
from builder.recipes.services import recipe_create  # noqa: E402
from builder.workspaces.models import Membership, Role, Workspace  # noqa: E402

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
BATCH = 20_000
RUNS = 5
RETENTION = timedelta(days=30)
RECIPE = {
    "format": "stepwise.recipe/1",
    "name": "Bench",
    "trigger": {"kind": "api_request", "mode": "sync"},
    "steps": [{"id": "reply", "respond": {"status": 200, "body": {"ok": True}}}],
}
# Twenty calls: (the answer's status, its job's status or "" for none, the log's detail).
ANSWERS = [(200, "succeeded", "")] * 17 + [(400, "", "body: 'name' is a required property"),
           (401, "", "no such key"), (500, "failed", "the recipe failed")]  # fmt: skip


def request_id() -> str:
    return str(uuid.UUID(int=random.getrandbits(128), version=4))  # as the gateway makes one


def bench_workspace() -> SimpleNamespace:
    """A workspace, its owner, ten published sync API recipes behind ten endpoints of two
    collections, and four clients: what the rows point at."""
    workspace = Workspace.objects.create(name="Bench", slug=f"bench-{time.time_ns()}")
    owner = User.objects.create_user(f"bench-{time.time_ns()}")
    Membership.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    recipes = [recipe_create(workspace=workspace, definition={**RECIPE, "name": f"Bench {n}"}) for n in range(10)]
    versions = [recipe_publish(recipe=recipe) for recipe in recipes]
    collections = [services.collection_create(workspace=workspace, data={"name": f"Bench {n}"}) for n in range(2)]
    endpoints = [services.endpoint_create(collection=collections[n % 2], data={
        "name": f"Call {n}", "method": "POST", "path": f"/call-{n}", "recipe": recipe.pk})
        for n, recipe in enumerate(recipes)]  # fmt: skip
    clients = [services.client_create(workspace=workspace, data={"name": f"Client {n}"}) for n in range(4)]
    return SimpleNamespace(workspace=workspace, owner=owner, recipes=recipes, versions=versions,
                           collections=collections, endpoints=endpoints, clients=clients)  # fmt: skip


def write(bench: SimpleNamespace, numbers: range, start: datetime) -> None:
    """Jobs and calls number `numbers`, the nth made at `start` + n steps of the retention."""
    step = RETENTION / ROWS
    made = [(n, start + step * n, *ANSWERS[n % len(ANSWERS)]) for n in numbers]
    with transaction.atomic():
        job_ids = insert_rows(Job, [
            {"workspace_id": bench.workspace.pk, "recipe_id": bench.recipes[n % 10].pk,
             "version_id": bench.versions[n % 10].pk, "trigger_kind": "api_request",
             "trigger": {"body": {"name": "Ada", "n": n}}, "status": status or "succeeded",
             "response": {"status": 200, "body": {"ok": True}}, "attempt": 1, "worker": "web",
             "created_at": at, "started_at": at, "finished_at": at, "duration_ms": 3}
            for n, at, _, status, _ in made
        ], returning_ids=True)  # fmt: skip
        insert_rows(ApiCall, [
            {"workspace_id": bench.workspace.pk, "collection_id": bench.endpoints[n % 10].collection_id,
             "endpoint_id": bench.endpoints[n % 10].pk, "client_id": bench.clients[n % 4].pk if code != 401 else None,
             "key_prefix": f"swk_{n % 4:04d}" if code != 401 else "", "request_id": request_id(), "method": "POST",
             "path": f"/apim/bench/v1/call-{n % 10}", "caller_ip": "10.0.0.7", "status": code, "detail": detail,
             "latency_ms": 4.2, "job_id": job_id if status else None, "created_at": at}
            for (n, at, code, status, detail), job_id in zip(made, job_ids, strict=True)
        ])  # fmt: skip


@contextmanager
def indexes_made_after(*models) -> Iterator[None]:
    """Drops the models' own indexes, and makes them again at the end, each in one pass: their
    upkeep over a million inserts is not what this bench measures, and took half the fill."""
    with connection.schema_editor() as editor:
        for model in models:
            for index in model._meta.indexes:
                editor.remove_index(model, index)
    yield
    with connection.schema_editor() as editor:
        for model in models:
            for index in model._meta.indexes:
                editor.add_index(model, index)


def fill() -> tuple[User, dict]:
    """A workspace with ROWS jobs and ROWS calls; answers its owner and ids to filter by."""
    bench, started = bench_workspace(), time.perf_counter()
    with indexes_made_after(Job, ApiCall):
        start = timezone.now() - RETENTION
        for offset in range(0, ROWS, BATCH):
            write(bench, range(offset, min(offset + BATCH, ROWS)), start)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"{ROWS:,} jobs and {ROWS:,} calls written in {time.perf_counter() - started:.0f} s on {connection.vendor}")
    return bench.owner, {"recipe": bench.recipes[8].pk, "collection": bench.collections[1].pk,
                         "endpoint": bench.endpoints[3].pk, "client": bench.clients[2].pk}  # fmt: skip


def plan(sql: str, params: tuple) -> list[str]:
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(explain + sql, params)
        return [str(row[-1]) for row in cursor.fetchall()]


class Queries:
    """Each query a request makes, with its parameters and how long the database took."""

    def __init__(self):
        self.seen: list[tuple[float, str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seen.append((time.perf_counter() - started, sql, tuple(params or ())))


def timed(client: Client, label: str, url: str, runs: int = RUNS) -> float:
    """The best of `runs` requests of `url`, in seconds; prints it with the request's queries
    (counted in one more request) and the plan of the slowest."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        best = min(best, time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code, response.content[:500])
    queries = Queries()
    with connection.execute_wrapper(queries):
        client.get(url)
    took, sql, params = max(queries.seen)
    total = sum(seconds for seconds, _, _ in queries.seen)
    print(f"{label:<48} {best * 1000:7.1f} ms; {len(queries.seen)} queries {total * 1000:.1f} ms, "
          f"the slowest {took * 1000:.1f} ms: {sql[:90]}…")  # fmt: skip
    for line in plan(sql, params):
        print("       ", line)
    return best


def cursor_after(path: str, position: int) -> str:
    """The API's link to the page after the row `position`, as its paginator writes it."""
    paginator = KeysetPagination()
    paginator.base_url = path
    return paginator.encode_cursor(Cursor(offset=0, reverse=False, position=str(position)))


def check_deep(client: Client, url: str, deep: int) -> None:
    """The deep link lists a whole page of the rows just older than `deep`."""
    ids = [row["id"] for row in client.get(url).json()["results"]]
    assert len(ids) == KeysetPagination.page_size, (url, len(ids))
    assert ids[0] < deep, (url, ids[0], deep)


def measure(client: Client, name: str, api: str, page: str, model, rows: str) -> None:
    """The first page and the page 90% deep of a list, by its API and by its page."""
    deep = model.objects.order_by("id").values_list("id", flat=True)[ROWS // 10]  # 90% of the rows are newer
    urls = {
        f"{name} {api} first page": api,
        f"{name} {api} page 90% deep": cursor_after(api, deep),
        f"{name} {page} first page": page,
        f"{name} {page} page 90% deep": f"{page}?before={deep}",
    }
    check_deep(client, urls[f"{name} {api} page 90% deep"], deep)
    for label, url in urls.items():
        best = timed(client, label, url)
        figure(f"{label} ({rows})", best * 1000, "ms", "under 100", best < 0.1)


def main() -> None:
    begun, load = time.perf_counter(), os.getloadavg()[0]
    # Before migrating anything: the fill drops and remakes these tables' indexes.
    tables = connection.introspection.table_names()
    if any(model._meta.db_table in tables and model.objects.exists() for model in (Job, ApiCall)):
        name = connection.settings_dict["NAME"]
        raise SystemExit(f"bench/lists.py fills a database of its own; {name} already holds jobs or calls.")
    call_command("migrate", verbosity=0)
    owner, ids = fill()
    client = Client(HTTP_HOST="localhost")  # one of ALLOWED_HOSTS
    client.force_login(owner)
    vendor = connection.vendor
    measure(client, "jobs list", "/api/jobs/", "/jobs/", Job, f"{ROWS:,} jobs, {vendor}")
    measure(client, "call log", "/api/calls/", "/api-platform/calls/", ApiCall, f"{ROWS:,} calls, {vendor}")
    print("\nfilters of each list (printed only; no target):")
    week = (timezone.now() - timedelta(days=7)).isoformat().replace("+", "%2B")
    for label, url in [
        ("jobs, one recipe, failed only", f"/api/jobs/?recipe={ids['recipe']}&status=failed"),
        ("jobs, status cancelled (none)", "/api/jobs/?status=cancelled"),
        ("jobs page, failed only", "/jobs/?status=failed"),
        ("calls, status error", "/api/calls/?status=error"),
        ("calls, status 5xx", "/api/calls/?status=5xx"),
        ("calls, one collection", f"/api/calls/?collection={ids['collection']}"),
        ("calls, one endpoint", f"/api/calls/?endpoint={ids['endpoint']}"),
        ("calls, one client", f"/api/calls/?client={ids['client']}"),
        ("calls, the last 7 days", f"/api/calls/?since={week}"),
        ("calls page, one collection, 4xx", f"/api-platform/calls/?collection={ids['collection']}&status=4xx"),
    ]:
        timed(client, label, url, runs=3)
    print(f"\nbench/lists.py took {time.perf_counter() - begun:.0f} s on {os.cpu_count()} cores "
          f"(load average {load:.1f} before, {os.getloadavg()[0]:.1f} after)")  # fmt: skip


if __name__ == "__main__":
    try:
        main()
    finally:
        connection.close()
        if THROWAWAY:
            shutil.rmtree(THROWAWAY, ignore_errors=True)
