"""The gateway's sync hot path against a bare Django view, measured in one run.

Starts the web server the way `make run` does (gunicorn, 2 gthread workers x 4 threads)
with a published sync endpoint (the recipe checks {name, email} against its request
schema and answers a greeting) and, on the same server, a bare view that parses the same
JSON, checks it with jsonschema and answers the same. Then gunicorn with 2 sync workers
serving the bare view: the reference of the issue. wrk -t2 -c16 drives each in turn.
Loopback only, bounded in time; `make bench` runs it.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.serving import BIN, PORT, ROOT, environment, wait_until_up  # noqa: E402

DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
BODY = '{"name": "Ada", "email": "ada@example.com"}'
PUBLISH = """
from builder.apiplatform import services
from builder.recipes.services import recipe_create, recipe_start
from builder.workspaces.models import Workspace
from tests.apiplatform.conftest import GREET

workspace = Workspace.objects.first()
recipe = recipe_create(workspace=workspace, definition=GREET)
recipe_start(recipe=recipe)
collection = services.collection_create(workspace=workspace, data={"name": "Bench", "slug": "bench"})
services.endpoint_create(collection=collection, data={"name": "Greet", "method": "POST", "path": "/greet",
                                                      "recipe": recipe.pk})
client = services.client_create(workspace=workspace, data={"name": "wrk"})
profile = services.profile_create(client=client, data={"name": "bench", "collections": [collection.pk]})
print(services.key_create(profile=profile)[1])
"""


def lua(data_dir: str, key: str | None) -> str:
    path = Path(data_dir) / f"post-{'key' if key else 'bare'}.lua"
    lines = ['wrk.method = "POST"', f"wrk.body = '{BODY}'", 'wrk.headers["Content-Type"] = "application/json"']
    if key:
        lines.append(f'wrk.headers["API-Token"] = "{key}"')
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def wrk(url: str, script: str, duration: str = DURATION) -> dict:
    output = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{duration}", "--latency", "-s", script, url],
                            capture_output=True, text=True, timeout=120).stdout  # fmt: skip
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "rps": float(rate.group(1)) if rate else 0.0,
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan"),
        "bad": int(bad.group(1)) if bad else 0,
    }


def serve(env: dict, log: Path) -> subprocess.Popen:
    command = [str(BIN / "gunicorn"), "builder.wsgi:application", "-c", "python:builder.gunicorn_conf"]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True)
    wait_until_up(f"http://127.0.0.1:{PORT}/bench/django/")
    return server


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def main() -> int:
    base = f"http://127.0.0.1:{PORT}"
    with tempfile.TemporaryDirectory(prefix="stepwise-bench-gateway-") as data_dir:
        env = environment(data_dir, {})
        for args in (["stepwise_setup", "--no-static"], ["shell", "--no-imports", "-c", PUBLISH]):
            done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                                  text=True, timeout=180)  # fmt: skip
            if done.returncode:
                print(done.stdout, done.stderr)
                return 1
        key = done.stdout.strip().splitlines()[-1]
        keyed, bare = lua(data_dir, key), lua(data_dir, None)
        results = {}
        made_by_make_run = {name: os.environ[f"BENCH_{name}"] for name in ("WEB_THREADS", "WEB_CONCURRENCY")
                            if f"BENCH_{name}" in os.environ}  # fmt: skip
        server = serve(environment(data_dir, made_by_make_run), Path(data_dir) / "make-run.log")
        try:
            for name, path, script in (("gateway sync endpoint", "/apim/bench/v1/greet", keyed),
                                       ("bare view, same server", "/bench/bare-greet/", bare)):  # fmt: skip
                wrk(base + path, script, "2s")  # warm-up: every worker and thread has loaded what it needs
                results[name] = wrk(base + path, script)
        finally:
            stop(server)
        time.sleep(1)
        server = serve(environment(data_dir, {"WEB_THREADS": "1"}), Path(data_dir) / "sync.log")
        try:
            wrk(base + "/bench/bare-greet/", bare, "2s")
            results["bare view, gunicorn sync x2"] = wrk(base + "/bench/bare-greet/", bare)
        finally:
            stop(server)
    print(f"wrk -t2 -c{CONNECTIONS} -d{DURATION} --latency on {os.cpu_count()} cores\n")
    print(f"{'':<30}{'requests/s':>12}{'p99 ms':>10}{'non-2xx':>10}")
    for name, found in results.items():
        print(f"{name:<30}{found['rps']:>12.0f}{found['p99_ms']:>10.1f}{found['bad']:>10}")
    gateway, same, reference = (results[k]["rps"] for k in results)
    print(f"\ngateway / bare view on gunicorn sync x2: {gateway / reference:.2f}  (target 0.6 or more)")
    print(f"gateway / bare view on the same server:  {gateway / same:.2f}")
    print(f"gateway p99: {results['gateway sync endpoint']['p99_ms']:.1f} ms  (target under 25)")
    if any(found["bad"] for found in results.values()):
        print("some answers were not 2xx: the figures above are not comparable")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
