"""The gateway's sync hot path against a bare Django view, measured in one run.

Starts the web side the way `make run` does (the buffering front on the public port, gunicorn
behind it with gunicorn_conf's sync workers, one more than the cores) with a published sync
endpoint (the recipe checks {name, email} against its request schema and answers a greeting)
and, on the same server, a bare view that parses the same JSON, checks it with jsonschema and
answers the same. Then the same gunicorn without the front (STEPWISE_FRONT=false), which is
what the front costs; then gunicorn with 2 sync workers serving the bare view: the reference
of the issue. wrk -t2 -c16 drives each in turn. Loopback only, bounded in time; `make bench`
runs it.

The call log and the sync jobs are written behind the answer by a thread of each web
process; before the bare view is measured on the same server, that thread is given time to
write what the gateway run left queued, so that it does not slow the bare view down.
"""

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.report import figure  # noqa: E402
from bench.serving import BIN, PORT, ROOT, environment, wait_until_up  # noqa: E402

DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
BODY = '{"name": "Ada", "email": "ada@example.com"}'
GATEWAY, BARE = "/apim/bench/v1/greet", "/bench/bare-greet/"
SHAPE = ("WEB_CONCURRENCY", "WEB_THREADS", "STEPWISE_GATEWAY_WRITE_BEHIND")
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
                                                      "recipe": recipe.pk, "mode": "sync"})
client = services.client_create(workspace=workspace, data={"name": "wrk"})
profile = services.profile_create(client=client, data={"name": "bench", "collections": [collection.pk]})
assert profile.rate_limit_per_minute is None and profile.quota_per_day is None  # no limit is measured
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
    sent = re.search(r"(\d+) requests in", output)
    errors = re.search(r"Socket errors:.*", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "rps": float(rate.group(1)) if rate else 0.0,
        "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan"),
        "bad": int(bad.group(1)) if bad else 0,
        "requests": int(sent.group(1)) if sent else 0,
        "errors": errors.group(0).strip() if errors else "",
    }


def cpu_seconds(group: int) -> tuple[float, float]:
    """User plus system CPU time of the live processes of a process group (the server's): in
    all, and of the front alone."""
    total = front = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            is_front = b"builder.front" in (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue  # gone meanwhile
        if int(fields[2]) == group:  # fields from the state on: state ppid pgrp ... utime(11) stime(12)
            total += int(fields[11]) + int(fields[12])
            front += (int(fields[11]) + int(fields[12])) if is_front else 0
    return total / os.sysconf("SC_CLK_TCK"), front / os.sysconf("SC_CLK_TCK")


def measure(server: subprocess.Popen, url: str, script: str, settle=lambda found: None) -> dict:
    """wrk's figures, and the server's CPU time per answered request (µs), counted until
    `settle` returns (the call log written): what the server spends on a request, which
    other load on the machine changes far less than requests/s."""
    before = cpu_seconds(server.pid)
    found = wrk(url, script)
    settle(found)
    after, count = cpu_seconds(server.pid), max(1, found["requests"])
    found["cpu_us"], found["front_us"] = ((end - start) / count * 1e6 for start, end in zip(before, after, strict=True))
    return found


def answer(url: str, key: str | None) -> tuple[int, object]:
    headers = {"Content-Type": "application/json", **({"API-Token": key} if key else {})}
    request = urllib.request.Request(url, data=BODY.encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def logged_calls(data_dir: str) -> int:
    with sqlite3.connect(f"file:{Path(data_dir) / 'stepwise.sqlite3'}?mode=ro", uri=True, timeout=30) as db:
        return db.execute("SELECT COUNT(*) FROM apiplatform_apicall").fetchone()[0]


def catch_up(data_dir: str, expected: int, timeout: float = 60) -> tuple[int, int, float]:
    """Waits until the web processes have written every call (or the count stops moving);
    answers how many were written when wrk stopped, then in all, and how long that took."""
    started, at_end = time.monotonic(), logged_calls(data_dir)
    count, still = at_end, 0
    while count < expected and still < 6 and time.monotonic() - started < timeout:
        time.sleep(0.25)
        now = logged_calls(data_dir)
        still = still + 1 if now == count else 0
        count = now
    return at_end, count, time.monotonic() - started


def serve(env: dict, log: Path) -> subprocess.Popen:
    """gunicorn, and the front before it unless STEPWISE_FRONT=false, in one process group
    (whose CPU time `measure` counts)."""
    command = f"exec {BIN / 'gunicorn'} builder.wsgi:application -c python:builder.gunicorn_conf"
    if env.get("STEPWISE_FRONT", "true") != "false":
        command = f"{sys.executable} -m builder.front & {command}"
    with log.open("wb") as out:
        server = subprocess.Popen(["/bin/sh", "-c", command], cwd=ROOT, env=env, stdout=out, stderr=out,
                                  start_new_session=True)  # fmt: skip
    try:
        wait_until_up(f"http://127.0.0.1:{PORT}/bench/django/")
    except RuntimeError:
        stop(server)
        print(log.read_text(errors="replace")[-2000:])
        raise
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
    load_before = os.getloadavg()[0]
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
        results, logs = {}, {}
        # The shape `make run` serves (the front, gunicorn_conf's defaults), unless BENCH_<NAME> says
        # otherwise; then the same gunicorn on the public port itself.
        made_by_make_run = environment(data_dir, {})
        for name in ("WEB_CONCURRENCY", "STEPWISE_FRONT"):
            made_by_make_run.pop(name)
        made_by_make_run.update({name: os.environ[f"BENCH_{name}"] for name in SHAPE if f"BENCH_{name}" in os.environ})
        shapes = [("", made_by_make_run), (", no front", {**made_by_make_run, "STEPWISE_FRONT": "false"})]
        for index, (suffix, shape) in enumerate(shapes):
            server = serve(shape, Path(data_dir) / f"make-run-{index}.log")
            try:
                if not same_answers(base, key):
                    return 1
                log = logs[suffix] = {"before": logged_calls(data_dir)}
                warm = wrk(base + GATEWAY, keyed, "2s")  # warm-up: every worker and thread has loaded what it needs

                def written(found: dict, log=log, warm=warm) -> None:
                    log["expected"] = log["before"] + 1 + warm["requests"] + found["requests"]
                    log["at_end"], log["written"], log["waited"] = catch_up(data_dir, log["expected"])

                results[f"gateway sync endpoint{suffix}"] = measure(server, base + GATEWAY, keyed, written)
                wrk(base + BARE, bare, "2s")
                results[f"bare view, same server{suffix}"] = measure(server, base + BARE, bare)
            finally:
                stop(server)
            time.sleep(1)
        server = serve(environment(data_dir, {"WEB_THREADS": "1"}), Path(data_dir) / "sync.log")
        try:
            wrk(base + BARE, bare, "2s")
            results["bare view, gunicorn sync x2"] = measure(server, base + BARE, bare)
        finally:
            stop(server)
    return report(results, logs[""], load_before)


def same_answers(base: str, key: str) -> bool:
    answers = {(status, json.dumps(body, sort_keys=True))
               for status, body in (answer(base + GATEWAY, key), answer(base + BARE, None))}  # fmt: skip
    if len(answers) != 1 or next(iter(answers))[0] != 200:
        print(f"the gateway and the bare view do not give the same answer: {answers}")
        return False
    return True


def report(results: dict, log: dict, load_before: float) -> int:
    print(f"wrk -t2 -c{CONNECTIONS} -d{DURATION} --latency on {os.cpu_count()} cores "
          f"(load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after)\n")  # fmt: skip
    print(f"{'':<36}{'requests/s':>12}{'p99 ms':>10}{'non-2xx':>10}{'server CPU us/request':>24}{'of which front':>16}")
    for name, found in results.items():
        print(f"{name:<36}{found['rps']:>12.0f}{found['p99_ms']:>10.1f}{found['bad']:>10}{found['cpu_us']:>24.0f}"
              f"{found['front_us']:>16.0f}")  # fmt: skip
    gateway, same = results["gateway sync endpoint"], results["bare view, same server"]
    direct, reference = results["gateway sync endpoint, no front"], results["bare view, gunicorn sync x2"]
    print(f"\ngateway / bare view on gunicorn sync x2: {gateway['rps'] / reference['rps']:.2f}  (target 0.6 or more)")
    print(f"gateway / bare view on the same server:  {gateway['rps'] / same['rps']:.2f}")
    print(f"bare view, same server / sync x2:        {same['rps'] / reference['rps']:.2f}  (the server's shape alone)")
    print(f"server CPU per request, bare view on sync x2 / gateway: {reference['cpu_us'] / gateway['cpu_us']:.2f}"
          "  (less noisy)")  # fmt: skip
    print(f"gateway p99: {gateway['p99_ms']:.1f} ms  (target under 25)")
    print(f"the front: gateway requests/s {gateway['rps'] / direct['rps']:.2f} of gunicorn's alone, "
          f"p99 {gateway['p99_ms']:.1f} against {direct['p99_ms']:.1f} ms, "
          f"CPU per call {gateway['cpu_us'] - direct['cpu_us']:+.0f} us")  # fmt: skip
    print(f"call log: {log['at_end']} of about {log['expected']} calls written when wrk stopped, "
          f"{log['written']} {log['waited']:.1f} s later")  # fmt: skip
    problems = [f"  {name}: {found['bad']} non-2xx answers. {found['errors']}".rstrip()
                for name, found in results.items() if found["bad"] or found["errors"]]  # fmt: skip
    shape = ", ".join(f"{name}={os.environ[f'BENCH_{name}']}" for name in SHAPE if f"BENCH_{name}" in os.environ)
    name = f"gateway sync endpoint, {CONNECTIONS} connections ({shape or 'make run'})"
    ratio = gateway["rps"] / reference["rps"]
    said = f"of the bare view on gunicorn sync x2 ({gateway['rps']:.0f} against {reference['rps']:.0f} requests/s)"
    figure(name, ratio, said, "0.6 or more", not problems and ratio >= 0.6)
    figure(f"{name} p99", gateway["p99_ms"], "ms", "under 25", not problems and gateway["p99_ms"] < 25, digits=1)
    cpu = gateway["cpu_us"] / 1000
    figure(f"{name} server CPU a call", cpu, "ms", "under 0.5", not problems and cpu < 0.5)
    if problems:
        print("\n".join(["wrk saw errors: the figures above are not comparable", *problems]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
