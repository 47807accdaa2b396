"""Event triggers through the real web, worker and beat processes: a webhook that messages
the employee through a stand-in Moveworks, a schedule that fires, and a poll whose worker
is killed mid-poll, ending with every item run exactly once."""

import copy
import hashlib
import hmac
import json
import os
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from connectors.testkit import LocalServer, Reply
from tests.e2e.test_jobs import children
from tests.stack import api_login, http

pytestmark = pytest.mark.stack

EXAMPLE = json.loads((Path(__file__).parents[1] / "engine" / "golden" / "greet_new_hire.json").read_text())


def create(stack, headers, workspace, definition, bindings=None, start=True, **start_body):
    imported = {"workspace": workspace, "definition": definition, "bindings": bindings or {}}
    status, recipe = http("POST", f"{stack.base_url}/api/recipes/import/", imported, headers)
    assert status == 201, recipe
    if start:
        status, started = http("POST", f"{stack.base_url}/api/recipes/{recipe['id']}/start/", start_body, headers)
        assert status == 200, started
    return recipe


def connection(stack, headers, workspace, connector, fields):
    status, made = http("POST", f"{stack.base_url}/api/connections/", {
        "workspace": workspace, "connector": connector, "name": f"{connector} {time.time_ns()}", "fields": fields,
    }, headers)  # fmt: skip
    assert status == 201, made
    return made["id"]


def jobs_of(stack, headers, recipe_id) -> list[dict]:
    _, page = http("GET", f"{stack.base_url}/api/jobs/?recipe={recipe_id}&page_size=200", headers=headers)
    return page["results"]


def wait_until(check, timeout=60, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def post(url: str, body: bytes, headers: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json",
                                                                            **headers})  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_webhook_recipe_messages_the_employee_once_per_event(stack):
    headers, workspace = api_login(stack)
    definition = copy.deepcopy(EXAMPLE["definition"])
    definition["connections"]["hook"] = {"connector": "webhooks"}
    definition["trigger"] = {"kind": "webhook", "connection": "hook", "input": {"event_id_header": "X-Event-Id"}}
    definition["steps"] = [step for step in definition["steps"] if "respond" not in step]
    with LocalServer() as moveworks:
        moveworks.reply("POST", "/rest/v1/events/evt-1/messages/send", json={"ok": True})
        chat = connection(stack, headers, workspace, "moveworks",
                          {"base_url": moveworks.url, "event_id": "evt-1", "api_key": "k"})  # fmt: skip
        hook = connection(stack, headers, workspace, "webhooks", {"signing_secret": "whsec"})
        recipe = create(stack, headers, workspace, definition, {"chat": chat, "hook": hook})
        _, trigger = http("GET", f"{stack.base_url}/api/recipes/{recipe['id']}/trigger/", headers=headers)
        url = trigger["webhook"]["url"]
        body = json.dumps(EXAMPLE["trigger"]["body"]).encode()
        signature = "sha256=" + hmac.new(b"whsec", body, hashlib.sha256).hexdigest()

        forged = post(url, body, {"X-Hub-Signature-256": "sha256=" + "0" * 64, "X-Event-Id": "e-1"})
        assert forged[0] == 401, forged
        status, taken = post(url, body, {"X-Hub-Signature-256": signature, "X-Event-Id": "e-1"})
        assert status == 202, taken
        status, again = post(url, body, {"X-Hub-Signature-256": signature, "X-Event-Id": "e-1"})
        assert (status, again["job_id"], again["status"]) == (200, taken["job_id"], "duplicate")

        wait_until(lambda: moveworks.requests, what=f"the message to Moveworks\n{stack.log_tail()}")
        job = wait_until(lambda: next((j for j in jobs_of(stack, headers, recipe["id"])
                                       if j["status"] == "succeeded"), None), what="the job")  # fmt: skip
        assert job["id"] == taken["job_id"]
        assert moveworks.requests[0].json == EXAMPLE["expected"]["moveworks_request"]
        time.sleep(1)
        assert len(moveworks.requests) == 1
        assert len(jobs_of(stack, headers, recipe["id"])) == 1

        status, _ = http("POST", f"{stack.base_url}/api/recipes/{recipe['id']}/stop/", {}, headers)
        assert status == 200
        stopped = post(url, body, {"X-Hub-Signature-256": signature, "X-Event-Id": "e-2"})
        assert stopped[0] == 410
        assert len(jobs_of(stack, headers, recipe["id"])) == 1


def test_a_schedule_fires_through_beat(stack):
    headers, workspace = api_login(stack)
    definition = {
        "format": "stepwise.recipe/1",
        "name": "Every ten seconds",
        "trigger": {"kind": "schedule", "every_seconds": 10},
        "steps": [{"id": "note", "action": "data.log", "input": {"message": "{{ trigger.scheduled_for }}"}}],
    }
    recipe = create(stack, headers, workspace, definition)
    job = wait_until(lambda: next((j for j in jobs_of(stack, headers, recipe["id"]) if j["status"] == "succeeded"),
                                  None), timeout=45, what=f"a tick\n{stack.log_tail()}")  # fmt: skip
    _, detail = http("GET", f"{stack.base_url}/api/jobs/{job['id']}/", headers=headers)
    assert detail["trigger_kind"] == "schedule"
    assert set(detail["trigger"]) == {"scheduled_for", "fired_at"}
    http("POST", f"{stack.base_url}/api/recipes/{recipe['id']}/stop/", {}, headers)


def worker_pool_pids(stack) -> list[int]:
    return children(stack.pid_of("worker"))


def test_a_poll_whose_worker_dies_mid_poll_runs_every_item_exactly_once(stack):
    headers, workspace = api_login(stack)
    items = [{"id": n, "title": f"Ticket {n}"} for n in range(1, 7)]
    state = {"slow_once": True}
    with LocalServer() as desk:

        def pages(request):
            start = int(request.query.get("cursor") or 0)
            chunk = items[start : start + 3]
            answer = {"items": chunk, "next_cursor": str(start + len(chunk)), "has_more": start + 3 < len(items)}
            if start == 3 and state.pop("slow_once", False):
                return Reply(json=answer, delay=5)  # the test kills the poll while it waits here
            return answer

        desk.handle("GET", "/items", pages)
        desk_id = connection(stack, headers, workspace, "http", {"base_url": desk.url, "auth_type": "none"})
        definition = {
            "format": "stepwise.recipe/1",
            "name": "New desk tickets",
            "connections": {"desk": {"connector": "http"}},
            "trigger": {"kind": "poll", "poll": "http.new_items", "connection": "desk", "every_seconds": 10,
                        "input": {"url": "/items", "has_more_path": "has_more"}},
            "steps": [{"id": "note", "action": "data.log", "input": {"message": "{{ trigger.body.title }}"}}],
        }  # fmt: skip
        recipe = create(stack, headers, workspace, definition, {"desk": desk_id}, poll_from="now")
        wait_until(lambda: any(r.query.get("cursor") == "3" for r in desk.requests), timeout=45,
                   what=f"the second page's request\n{stack.log_tail()}")  # fmt: skip
        for pid in worker_pool_pids(stack):
            os.kill(pid, signal.SIGKILL)  # after page 1 was committed, before page 2 is
        done = wait_until(lambda: [j for j in jobs_of(stack, headers, recipe["id"]) if j["status"] == "succeeded"]
                          if len(jobs_of(stack, headers, recipe["id"])) >= 6 else None, timeout=90,
                          what=f"six jobs\n{stack.log_tail()}")  # fmt: skip
        http("POST", f"{stack.base_url}/api/recipes/{recipe['id']}/stop/", {}, headers)
    titles = []
    for job in jobs_of(stack, headers, recipe["id"]):
        _, detail = http("GET", f"{stack.base_url}/api/jobs/{job['id']}/", headers=headers)
        titles.append(detail["trigger"]["body"]["title"])
    assert sorted(titles) == [f"Ticket {n}" for n in range(1, 7)]  # each exactly once
    assert done
