"""Which server setup to put the hot path behind, measured in one run on this machine.

Starts each setup in turn on 127.0.0.1, drives it with wrk, prints requests/s and the
ratio of each setup to gunicorn sync workers, and of our /healthz to the bare view.
Bounded in time; only loopback traffic. `make bench` runs it.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

from bench.report import figure  # noqa: E402

PORT = 18150
DURATION = os.environ.get("BENCH_DURATION", "5s")
POST_LUA = 'wrk.method = "POST"\nwrk.body = \'{"name": "Ada"}\'\nwrk.headers["Content-Type"] = "application/json"\n'

SETUPS = [
    (
        "gunicorn sync x2",
        [str(BIN / "gunicorn"), "builder.wsgi:application", "-c", "python:builder.gunicorn_conf"],
        {"WEB_THREADS": "1"},
    ),
    (
        "gunicorn gthread 2x4",
        [str(BIN / "gunicorn"), "builder.wsgi:application", "-c", "python:builder.gunicorn_conf"],
        {"WEB_THREADS": "4"},
    ),
    (
        # --http h11: uvicorn would pick up httptools (the front's parser) once installed; h11
        # keeps these figures comparable with the earlier ones.
        "uvicorn x2",
        [
            str(BIN / "uvicorn"),
            "builder.asgi:application",
            "--workers",
            "2",
            "--port",
            str(PORT),
            "--no-access-log",
            "--http",
            "h11",
        ],
        {},
    ),
    ("daphne x1", [str(BIN / "daphne"), "--port", str(PORT), "builder.asgi:application"], {}),
]
FAKE_HEARTBEAT = (
    "from datetime import timedelta; from django.utils import timezone; "
    "from builder.ops.models import WorkerHeartbeat as W; "
    "W.objects.create(hostname='bench', pid=1, started_at=timezone.now(), "
    "last_seen=timezone.now() + timedelta(hours=1))"
)
# Settings read from the environment that must not leak from the caller's shell into the
# bench: a DATABASE_URL would point stepwise_setup and the fake heartbeat at a real database.
APP_VARIABLES = {
    "ALLOWED_HOSTS",
    "BEHIND_TLS_PROXY",
    "CELERY_BROKER_URL",
    "CONN_MAX_AGE",
    "CSRF_COOKIE_SECURE",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DEBUG",
    "REDIS_URL",
    "SECRET_KEY",
    "SESSION_COOKIE_SECURE",
}
TARGETS = [
    ("bare DRF POST", "/bench/bare/", True),
    ("plain Django GET", "/bench/django/", False),
    ("/healthz", "/healthz", False),
]


def environment(data_dir: str, extra: dict) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in APP_VARIABLES and not k.startswith(("STEPWISE_", "WEB_", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings_bench",
        STEPWISE_DATA_DIR=data_dir,
        STEPWISE_PORT=str(PORT),
        STEPWISE_ACCESS_LOG="false",
        # The servers themselves on PORT; bench/gateway.py also measures make run's front before gunicorn.
        STEPWISE_FRONT="false",
        WEB_CONCURRENCY="2",
        LOG_LEVEL="WARNING",
        PATH=f"{BIN}:{os.environ.get('PATH', '')}",
    )
    env.update(extra)
    return env


def wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


def wrk(url: str, post: bool, script: str) -> tuple[float, int, str]:
    """Requests/s, the count of non-2xx/3xx answers, and wrk's socket-error line if any."""
    command = ["wrk", "-t2", "-c20", f"-d{DURATION}", url]
    if post:
        command[1:1] = ["-s", script]
    output = subprocess.run(command, capture_output=True, text=True, timeout=60).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*", output)
    return (
        float(rate.group(1)) if rate else 0.0,
        int(bad.group(1)) if bad else 0,
        errors.group(0).strip() if errors else "",
    )


def measure(name: str, command: list[str], env: dict, script: str, log: Path) -> dict[str, tuple[float, int, str]]:
    if not shutil.which(command[0]):
        print(f"  {name}: {Path(command[0]).name} is not installed; skipped")
        return {}
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{PORT}"
        try:
            wait_until_up(f"{base}/bench/django/")
        except RuntimeError as exc:
            tail = "\n    ".join(log.read_text(errors="replace").splitlines()[-10:])
            print(f"  {name}: {exc}; skipped. Its last output:\n    {tail}")
            return {}
        for _, path, post in TARGETS:  # every worker loads the view once before the clock starts
            subprocess.run(
                ["wrk", "-t1", "-c4", "-d1s", *(["-s", script] if post else []), base + path],
                capture_output=True,
                timeout=30,
            )
        return {label: wrk(base + path, post, script) for label, path, post in TARGETS}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            # daphne does not exit on SIGTERM while requests' sync threads are pending; do not wait long.
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def main() -> int:
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk)")
        return 1
    with tempfile.TemporaryDirectory(prefix="stepwise-bench-") as data_dir:
        script = str(Path(data_dir) / "post.lua")
        Path(script).write_text(POST_LUA)
        setup = subprocess.run(
            [sys.executable, "manage.py", "stepwise_setup", "--no-static"],
            cwd=ROOT,
            env=environment(data_dir, {}),
            capture_output=True,
            text=True,
            timeout=180,
        )
        if setup.returncode:
            print(setup.stderr)
            return 1
        # /healthz answers 200 only with a live worker; a heartbeat dated ahead stands in for one.
        subprocess.run(
            [sys.executable, "manage.py", "shell", "--no-imports", "-c", FAKE_HEARTBEAT],
            cwd=ROOT,
            env=environment(data_dir, {}),
            check=True,
            timeout=60,
        )
        print(f"wrk -t2 -c20 -d{DURATION} on {os.cpu_count()} cores; requests/s (non-2xx in brackets when any)\n")
        results = {
            name: measure(name, command, environment(data_dir, extra), script, Path(data_dir) / f"server-{i}.log")
            for i, (name, command, extra) in enumerate(SETUPS)
        }
    report(results)
    return 0


def report(results: dict) -> None:
    labels = [label for label, _, _ in TARGETS]
    header = (
        f"{'setup':<22}" + "".join(f"{label:>18}" for label in labels) + f"{'vs gunicorn sync':>18}{'healthz/bare':>14}"
    )
    print(header)
    print("-" * len(header))
    reference = results.get("gunicorn sync x2", {}).get("bare DRF POST", (0, 0))[0]
    for name, rates in results.items():
        if not rates:
            continue
        cells = "".join(
            f"{rates[label][0]:>12.0f}{f' [{rates[label][1]}]' if rates[label][1] else '':>6}" for label in labels
        )
        bare = rates["bare DRF POST"][0]
        ratio = f"{bare / reference:.2f}x" if reference else "-"
        healthz = f"{rates['/healthz'][0] / bare:.2f}x" if bare else "-"
        print(f"{name:<22}{cells}{ratio:>18}{healthz:>14}")
    if reference:
        figure("serving: gunicorn sync x2, bare DRF POST", reference, "requests/s", digits=0)
    for name, rates in results.items():
        if rates and reference and name != "gunicorn sync x2":
            ratio = rates["bare DRF POST"][0] / reference
            figure(f"serving: {name}, bare DRF POST against gunicorn sync x2", ratio, "x")
    problems = [
        f"  {name}, {label}: {bad} non-2xx/3xx answers. {errors}".rstrip()
        for name, rates in results.items()
        for label, (_, bad, errors) in rates.items()
        if bad or errors
    ]
    print(
        "\n".join(["", "Problems seen by wrk:", *problems])
        if problems
        else "\nwrk saw no errors and no non-2xx answers."
    )


if __name__ == "__main__":
    sys.exit(main())
