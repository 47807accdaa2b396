"""A recipe runs on the real worker through the real broker, and reaches a stand-in Moveworks;
a job whose worker process is killed resumes at the step it was running."""

import json
import os
import signal
import time
from pathlib import Path

import pytest

from connectors.testkit import LocalServer
from tests.jobs.test_resume import FIVE_STEPS
from tests.stack import api_login, http

pytestmark = pytest.mark.stack

EXAMPLE = json.loads((Path(__file__).parents[1] / "engine" / "golden" / "greet_new_hire.json").read_text())


def wait_for_job(stack, headers, job_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, job = http("GET", f"{stack.base_url}/api/jobs/{job_id}/", headers=headers)
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish: {job}\n{stack.log_tail()}")


def test_the_design_example_runs_on_the_worker_and_messages_the_employee(stack):
    headers, workspace = api_login(stack)
    with LocalServer() as moveworks:
        moveworks.reply("POST", "/rest/v1/events/evt-1/messages/send", json={"ok": True})
        status, connection = http("POST", f"{stack.base_url}/api/connections/", {
            "workspace": workspace, "connector": "moveworks", "name": f"Stand-in {time.time()}",
            "fields": {"base_url": moveworks.url, "event_id": "evt-1", "api_key": "k"}}, headers)  # fmt: skip
        assert status == 201, connection
        status, recipe = http(
            "POST",
            f"{stack.base_url}/api/recipes/import/",
            {"workspace": workspace, "definition": EXAMPLE["definition"], "bindings": {"chat": connection["id"]}},
            headers,
        )
        assert status == 201, recipe
        status, queued = http("POST", f"{stack.base_url}/api/recipes/{recipe['id']}/test/",
                              {"trigger": EXAMPLE["trigger"]}, headers)  # fmt: skip
        assert status == 202, queued
        job = wait_for_job(stack, headers, queued["job_id"])
    assert job["status"] == "succeeded", job
    assert job["response"] == EXAMPLE["expected"]["response"]
    assert [[s["path"], s["status"]] for s in job["steps"]] == EXAMPLE["expected"]["finished"]
    assert moveworks.requests[0].json == EXAMPLE["expected"]["moveworks_request"]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_a_job_whose_worker_process_dies_resumes_at_the_step_it_was_running(stack):
    headers, workspace = api_login(stack)
    with LocalServer() as backend:
        backend.reply("POST", "/step/1", json={"token": "t-1"})
        backend.reply("POST", "/step/2", json={"step": 2})
        backend.reply("POST", "/step/3", json={"step": 3}, delay=60)  # the worker dies while it waits
        backend.reply("POST", "/step/3", json={"step": 3})
        backend.reply("POST", "/step/4", json={"step": 4})
        backend.reply("POST", "/step/5", json={"step": 5})
        backend_connection = {"workspace": workspace, "connector": "http", "name": f"Backend {time.time()}",
                              "fields": {"base_url": backend.url}}  # fmt: skip
        _, connection = http("POST", f"{stack.base_url}/api/connections/", backend_connection, headers)
        definition = {**FIVE_STEPS, "name": f"Five calls {time.time()}"}
        _, recipe = http("POST", f"{stack.base_url}/api/recipes/",
                         {"workspace": workspace, "definition": definition, "bindings": {"api": connection["id"]}},
                         headers)  # fmt: skip
        _, queued = http("POST", f"{stack.base_url}/api/recipes/{recipe['id']}/test/", {"trigger": {}}, headers)
        deadline = time.monotonic() + 30
        while not any(r.path == "/step/3" for r in backend.requests) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [r.path for r in backend.requests] == ["/step/1", "/step/2", "/step/3"], stack.log_tail()
        # Step 3 waits on the backend: SIGKILL the pool process running it, as the OOM
        # killer would. Celery's main process starts another; the reaper requeues the job
        # once its lease runs out.
        pool = children(stack.pid_of("worker"))
        assert pool, stack.log_tail()
        for pid in pool:
            os.kill(pid, signal.SIGKILL)
        job = wait_for_job(stack, headers, queued["job_id"], timeout=90)
    assert job["status"] == "succeeded", job
    assert job["attempt"] == 2
    paths = [r.path for r in backend.requests]
    assert paths == ["/step/1", "/step/2", "/step/3", "/step/3", "/step/4", "/step/5"], paths
    first, again = (r.headers.get("idempotency-key") for r in backend.requests if r.path == "/step/3")
    assert first
    assert first == again
    assert backend.requests[4].json == {"token": "t-1"}  # step 4 read step 1's recorded output
    assert [[s["path"], s["status"]] for s in job["steps"]] == [
        ["s1", "succeeded"], ["s2", "succeeded"], ["s3", "failed"], ["s3", "succeeded"], ["s4", "succeeded"],
        ["s5", "succeeded"],
    ]  # fmt: skip
    assert job["steps"][2]["error"]["type"] == "worker_lost"
