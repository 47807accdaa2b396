"""The async path: how fast a worker runs queued jobs, against bare Celery no-op tasks
through the same broker and worker settings, measured in one run.

Starts a Celery worker exactly as the Procfile does (the same app, concurrency, flags and
settings) on a data folder of its own, with a bare no-op task included (`bench.noop`). Then,
from this process: a published recipe of three steps (data.log, set, respond; no network),
BENCH_JOBS jobs enqueued with `job_enqueue` at once (what an async endpoint does after its
checks; the gateway's own cost is bench/gateway.py's), waited for until all have finished;
then BENCH_PACED jobs enqueued at BENCH_RATE a second for the queue delay; then as many
no-op tasks as jobs. Prints jobs/s, the worker's CPU time per job (all of its processes,
from /proc), the queue delay (started_at - created_at) and the ratio to the no-op rate.

The embedded default by default (file-system broker, SQLite, the SQLite channel layer);
with DATABASE_URL, REDIS_URL and CELERY_BROKER_URL set, the scaled setup, on a database and
a Redis key prefix of its own, dropped afterwards. `BENCH_PROFILE=1` records a py-spy
profile (collapsed stacks) of one pool process and of the main process to <data dir>/profile-*.txt.
"""

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from celery import shared_task

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
JOBS = int(os.environ.get("BENCH_JOBS", "2000"))
PACED = int(os.environ.get("BENCH_PACED", "300"))
RATE = float(os.environ.get("BENCH_RATE", "100"))
CONCURRENCY = os.environ.get("STEPWISE_WORKER_CONCURRENCY", "2")
RECIPE = {
    "format": "stepwise.recipe/1",
    "name": "Three steps",
    "trigger": {"kind": "api_request", "mode": "async"},
    "steps": [
        {"id": "log", "action": "data.log", "input": {"message": "{{ trigger.body.name }}"}},
        {"id": "keep", "set": {"name": "{{ trigger.body.name }}"}},
        {"id": "reply", "respond": {"status": 200, "body": {"greeting": "Hello {{ vars.name }}"}}},
    ],
}


@shared_task(name="bench.noop")
def noop(path: str) -> None:
    """Does nothing but leave a byte behind, so that the bench can count the tasks done."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(descriptor, b".")
    os.close(descriptor)


def cpu_seconds(group: int) -> float:
    """User plus system CPU time of the live processes of a process group (the worker's)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def environment(data_dir: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STEPWISE_", "DJANGO_"))}
    env.update(STEPWISE_ENV="development", STEPWISE_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="builder.settings",
               STEPWISE_WORKER_HEARTBEAT_SECONDS="10", PATH=f"{BIN}:{env.get('PATH', '')}")  # fmt: skip
    for name in ("STEPWISE_WORKER_CONCURRENCY", "STEPWISE_REDIS_PREFIX"):
        if name in os.environ:
            env[name] = os.environ[name]
    if env.get("DATABASE_URL"):
        import urllib.parse

        name = f"stepwise_bench_{uuid.uuid4().hex[:8]}"
        env["DATABASE_URL"] = urllib.parse.urlsplit(env["DATABASE_URL"])._replace(path=f"/{name}").geturl()
    if env.get("REDIS_URL") or env.get("CELERY_BROKER_URL", "").startswith("redis"):
        env["STEPWISE_REDIS_PREFIX"] = f"{env.get('STEPWISE_REDIS_PREFIX', 'bench')}-{uuid.uuid4().hex[:8]}"
    return env


def postgres(env: dict, sql: str) -> None:
    import urllib.parse

    import psycopg

    server = urllib.parse.urlsplit(env["DATABASE_URL"])._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql)


def start_worker(env: dict, data_dir: str) -> subprocess.Popen:
    command = [str(BIN / "celery"), "--app", "builder", "worker", "--loglevel", "INFO", "--concurrency", CONCURRENCY,
               "--without-gossip", "--without-mingle", "--hostname", "bench@%h", "--include", "bench.jobs"]  # fmt: skip
    log = open(Path(data_dir) / "worker.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop(worker: subprocess.Popen) -> None:
    """A warm shutdown, as `make run` asks for one; whatever is left after 30 s is killed."""
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.05)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_jobs(recipe, count: int, rate: float | None = None) -> list[int]:
    from builder.jobs.services import job_enqueue

    ids, started = [], time.monotonic()
    for n in range(count):
        if rate:
            time.sleep(max(0.0, started + n / rate - time.monotonic()))
        ids.append(job_enqueue(recipe=recipe, trigger={"body": {"name": f"Ada {n}"}}, trigger_kind="api_request").pk)
    return ids


def finished(ids: list[int]) -> bool:
    from builder.jobs.models import FINISHED, Job

    return Job.objects.filter(pk__in=ids).exclude(status__in=FINISHED).count() == 0


def summary(ids: list[int]) -> dict:
    from django.db.models import Max, Min

    from builder.jobs.models import Job, JobStep

    jobs = Job.objects.filter(pk__in=ids)
    bounds = jobs.aggregate(first=Min("created_at"), last=Max("finished_at"))
    delays = [(s - c).total_seconds() * 1000 for c, s in jobs.values_list("created_at", "started_at")]
    statuses = set(jobs.values_list("status", flat=True))
    steps = JobStep.objects.filter(job__in=ids, status="succeeded").count()
    return {"seconds": (bounds["last"] - bounds["first"]).total_seconds(), "p50": statistics.median(delays),
            "p95": percentile(delays, 0.95), "statuses": statuses, "steps": steps}  # fmt: skip


def profile(worker: subprocess.Popen, data_dir: str) -> list[subprocess.Popen]:
    if not os.environ.get("BENCH_PROFILE"):
        return []
    child = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True).stdout.split()[0]
    spies = []
    for pid, name in ((child, "pool"), (str(worker.pid), "main")):
        out = Path(data_dir) / f"profile-{name}.txt"
        print(f"profiling the {name} process {pid} to {out} (collapsed stacks)")
        command = [str(BIN / "py-spy"), "record", "-o", str(out), "--format", "raw", "--pid", pid, "-r", "250"]
        spies.append(
            subprocess.Popen(command + ["--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )
    return spies


def bench(env: dict, data_dir: str) -> None:
    os.environ.update(env)
    import django

    django.setup()
    import builder.celery  # noqa: F401 - the app job_send sends through
    from bench.report import figure
    from builder.workspaces.models import Workspace
    from tests.factories import published_recipe

    recipe = published_recipe(workspace=Workspace.objects.first(), definition=RECIPE)
    worker = start_worker(env, data_dir)
    try:
        warm = run_jobs(recipe, 20)
        wait_for(lambda: finished(warm), 60, "the worker to start")
        spies = profile(worker, data_dir)
        cpu = cpu_seconds(worker.pid)
        ids = run_jobs(recipe, JOBS)
        wait_for(lambda: finished(ids), 600, f"{JOBS} jobs")
        cpu_ms = (cpu_seconds(worker.pid) - cpu) / JOBS * 1000
        for spy in spies:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=60)
        burst = summary(ids)
        paced = run_jobs(recipe, PACED, RATE)
        wait_for(lambda: finished(paced), 120, "the paced jobs")
        steady = summary(paced)

        counter = Path(data_dir) / "noop.count"
        counter.write_bytes(b"")
        for _ in range(20):
            noop.delay(str(counter))
        wait_for(lambda: counter.stat().st_size >= 20, 60, "no-op warm-up")
        counter.write_bytes(b"")
        cpu = cpu_seconds(worker.pid)
        sent = time.monotonic()
        for _ in range(JOBS):
            noop.delay(str(counter))
        wait_for(lambda: counter.stat().st_size >= JOBS, 600, "no-op tasks")
        noop_rate = JOBS / (time.monotonic() - sent)
        noop_cpu_ms = (cpu_seconds(worker.pid) - cpu) / JOBS * 1000
    finally:
        stop(worker)

    broker = "redis" if env.get("CELERY_BROKER_URL", "").startswith("redis") else "filesystem"
    database = "postgresql" if env.get("DATABASE_URL") else "sqlite"
    setup = f"{broker}, {database}"
    rate = JOBS / burst["seconds"]
    print(f"setup: {broker} broker, {database}, worker --concurrency {CONCURRENCY}; {JOBS} jobs of 3 steps; "
          f"all succeeded: {burst['statuses'] == {'succeeded'}} ({burst['steps']} of {3 * JOBS} steps)")  # fmt: skip
    figure(f"async jobs against no-op tasks ({setup})", rate / noop_rate,
           f"x ({rate:.0f} jobs/s, {noop_rate:.0f} no-op tasks/s)", "0.5 or more", rate >= 0.5 * noop_rate)  # fmt: skip
    figure(f"worker CPU a job ({setup})", cpu_ms, f"ms (a no-op task: {noop_cpu_ms:.1f} ms)", "under 3", cpu_ms < 3,
           digits=1)  # fmt: skip
    figure(f"queue delay p50 at {RATE:.0f} jobs/s ({setup})", steady["p50"], f"ms (p95 {steady['p95']:.0f} ms)",
           "under 50", steady["p50"] < 50, digits=0)  # fmt: skip
    figure(f"queue delay p50 in a burst of {JOBS} ({setup})", burst["p50"], f"ms (p95 {burst['p95']:.0f} ms)",
           digits=0)  # fmt: skip


def main() -> None:
    sys.path.insert(0, str(ROOT))
    data_dir = tempfile.mkdtemp(prefix="stepwise-bench-jobs-")
    env = environment(data_dir)
    if env.get("DATABASE_URL"):
        postgres(env, f'CREATE DATABASE "{env["DATABASE_URL"].rsplit("/", 1)[1]}"')
    try:
        setup = subprocess.run([sys.executable, "manage.py", "stepwise_setup", "--no-static"], cwd=ROOT, env=env,
                               capture_output=True, text=True)  # fmt: skip
        if setup.returncode != 0:
            raise SystemExit(f"stepwise_setup failed:\n{setup.stdout}\n{setup.stderr}")
        bench(env, data_dir)
    finally:
        from django.db import connections

        connections.close_all()
        if env.get("DATABASE_URL"):
            postgres(env, f'DROP DATABASE IF EXISTS "{env["DATABASE_URL"].rsplit("/", 1)[1]}" WITH (FORCE)')
        if env.get("STEPWISE_REDIS_PREFIX") and (env.get("REDIS_URL") or env.get("CELERY_BROKER_URL")):
            import redis

            client = redis.Redis.from_url(env.get("REDIS_URL") or env["CELERY_BROKER_URL"])
            for key in client.scan_iter(match=f"{env['STEPWISE_REDIS_PREFIX']}*", count=500):
                client.delete(key)


if __name__ == "__main__":
    main()
