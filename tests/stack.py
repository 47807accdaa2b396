"""The real platform as subprocesses: `python -m builder.serve` (front, web, websocket,
worker, beat), exactly what `make run` starts, on free ports and a data folder of its own.

In the scaled configuration (DATABASE_URL / REDIS_URL set for the test run) the stack
gets a PostgreSQL database and a Redis key prefix of its own, dropped afterwards.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_USER = "admin"
ADMIN_PASSWORD = "stack-admin-password"


def with_database(url: str, name: str) -> str:
    return urllib.parse.urlsplit(url)._replace(path=f"/{name}").geturl()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(method: str, url: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, dict | str]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def api_login(stack) -> tuple[dict, int]:
    """Token headers for the admin, and the id of the admin's own workspace (other tests
    may have given the admin more workspaces). One token per stack: the token endpoint allows
    only a few password attempts a minute from one address."""
    if stack.admin_token is None:
        url = f"{stack.base_url}/api/auth/token/"
        status, token = http("POST", url, {"username": ADMIN_USER, "password": ADMIN_PASSWORD})
        assert status == 201, (status, token)
        stack.admin_token = token["token"]
    headers = {"Authorization": f"Token {stack.admin_token}"}
    _, me = http("GET", f"{stack.base_url}/api/me/", headers=headers)
    workspace = next(w["id"] for w in me["workspaces"] if w["name"] == f"{ADMIN_USER}'s workspace")
    return headers, workspace


class Stack:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.port, self.ws_port = free_port(), free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "stack.log"
        self.process: subprocess.Popen | None = None
        self.database_name: str | None = None
        self.redis_prefix: str | None = None
        self.admin_token: str | None = None
        self.env = self._environment()

    def _environment(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("STEPWISE_", "PYTEST_"))}
        env.update(
            STEPWISE_ENV="development",
            STEPWISE_DATA_DIR=str(self.data_dir),
            STEPWISE_PORT=str(self.port),
            STEPWISE_WS_PORT=str(self.ws_port),
            STEPWISE_ADMIN_USER=ADMIN_USER,
            STEPWISE_ADMIN_PASSWORD=ADMIN_PASSWORD,
            STEPWISE_WORKER_HEARTBEAT_SECONDS="2",
            # Recipes in these tests call stand-in servers on 127.0.0.1.
            STEPWISE_ALLOW_PRIVATE_NETWORKS="true",
            # Short leases so that the test of a dying worker ends in seconds.
            STEPWISE_JOB_LEASE_SECONDS="4",
            STEPWISE_REAPER_SECONDS="2",
            # A poll that died frees its recipe quickly, for the test that kills one.
            STEPWISE_POLL_TIMEOUT_SECONDS="6",
            STEPWISE_WORKER_CONCURRENCY="1",
            WEB_CONCURRENCY="2",
            PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
        )
        if env.get("DATABASE_URL"):
            self.database_name = f"stepwise_stack_{uuid.uuid4().hex[:8]}"
            env["DATABASE_URL"] = with_database(env["DATABASE_URL"], self.database_name)
        if env.get("REDIS_URL") or env.get("CELERY_BROKER_URL", "").startswith("redis"):
            self.redis_prefix = f"stepwise-stack-{uuid.uuid4().hex[:8]}"
            env["STEPWISE_REDIS_PREFIX"] = self.redis_prefix
        return env

    def _postgres(self, sql: str) -> None:
        import psycopg

        server = with_database(self.env["DATABASE_URL"], "postgres")
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(sql)

    def manage(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start(self) -> None:
        if self.database_name:
            self._postgres(f'CREATE DATABASE "{self.database_name}"')
        setup = self.manage("stepwise_setup")
        if setup.returncode != 0:
            raise RuntimeError(f"stepwise_setup failed:\n{setup.stdout}\n{setup.stderr}")
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "builder.serve"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_healthy(self, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the stack exited early:\n{self.log_tail()}")
            try:
                status, body = http("GET", f"{self.base_url}/healthz")
            except OSError as error:
                status, body = None, str(error)
            if status == 200:
                return body
            last = (status, body)
            time.sleep(0.5)
        raise RuntimeError(f"/healthz never answered 200 (last: {last}):\n{self.log_tail()}")

    def pid_of(self, name: str) -> int:
        """The pid of one Procfile process, from the supervisor's own log line."""
        for line in self.log_path.read_text(errors="replace").splitlines():
            if f"| {name} started (pid " in line:
                return int(line.rsplit("pid ", 1)[1].rstrip(")"))
        raise LookupError(f"{name} is not in the stack's log")

    def log_tail(self, lines: int = 80) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if getattr(self, "log", None):
            self.log.close()
        self._clean_up()

    def _clean_up(self) -> None:
        if self.database_name:
            self._postgres(f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')
        if self.redis_prefix:
            import redis

            url = self.env.get("REDIS_URL") or self.env["CELERY_BROKER_URL"]
            client = redis.Redis.from_url(url)
            for key in client.scan_iter(match=f"{self.redis_prefix}*", count=500):
                client.delete(key)


@contextlib.contextmanager
def running_stack(data_dir: Path):
    """The platform started in data_dir, healthy, and stopped afterwards whatever happens."""
    running = Stack(data_dir)
    try:
        running.start()
        running.wait_healthy()
        yield running
    finally:
        running.stop()
