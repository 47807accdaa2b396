"""A recipe runs on the real worker through the real broker, and reaches a stand-in Moveworks."""

import json
import time
from pathlib import Path

import pytest

from connectors.testkit import LocalServer
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


def test_a_job_whose_worker_process_dies_is_run_again_not_left_running(stack):
    import os
    import signal

    headers, workspace = api_login(stack)
    call = {"id": "call", "action": "http.request", "connection": "api", "input": {"method": "GET", "url": ""}}
    slow = {"format": "stepwise.recipe/1", "name": f"Slow {time.time()}", "connections": {"api": {"connector": "http"}},
            "trigger": {"kind": "manual"}, "steps": [call]}  # fmt: skip
    with LocalServer() as backend:
        backend.reply("GET", "/slow", json={"ok": True}, delay=6)
        backend.reply("GET", "/slow", json={"ok": True})
        slow["steps"][0]["input"]["url"] = f"{backend.url}/slow"
        backend_connection = {
            "workspace": workspace,
            "connector": "http",
            "name": f"Backend {time.time()}",
            "fields": {},
        }
        _, connection = http("POST", f"{stack.base_url}/api/connections/", backend_connection, headers)
        _, recipe = http(
            "POST",
            f"{stack.base_url}/api/recipes/",
            {"workspace": workspace, "definition": slow, "bindings": {"api": connection["id"]}},
            headers,
        )
        _, queued = http("POST", f"{stack.base_url}/api/recipes/{recipe['id']}/test/", {"trigger": {}}, headers)
        deadline = time.monotonic() + 30
        while not backend.requests and time.monotonic() < deadline:
            time.sleep(0.1)
        assert backend.requests, stack.log_tail()
        # The step is waiting on the slow backend: kill the pool process that runs it.
        for pid in children(stack.pid_of("worker")):
            os.kill(pid, signal.SIGKILL)
        job = wait_for_job(stack, headers, queued["job_id"], timeout=90)
    assert job["status"] == "succeeded", job
    assert job["attempt"] >= 2
    assert len(backend.requests) >= 2
