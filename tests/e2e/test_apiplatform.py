"""The API platform on the real stack: an async endpoint whose recipe messages the employee
through a stand-in Moveworks, and a rate limit shared by the two web processes."""

import copy
import json
import re
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from connectors.testkit import LocalServer
from tests.stack import api_login, http

pytestmark = pytest.mark.stack

EXAMPLE = json.loads((Path(__file__).parents[1] / "engine" / "golden" / "greet_new_hire.json").read_text())


def publish(stack, headers, workspace, definition, *, bindings=None, mode="sync", profile=None):
    """A started recipe behind POST /hires of a new collection, and a key that may call it."""
    base = stack.base_url
    imported = {"workspace": workspace, "definition": definition, "bindings": bindings or {}}
    status, recipe = http("POST", f"{base}/api/recipes/import/", imported, headers)
    assert status == 201, recipe
    status, started = http("POST", f"{base}/api/recipes/{recipe['id']}/start/", {}, headers)
    assert status == 200, started
    slug = f"hr-{time.time_ns()}"
    status, collection = http("POST", f"{base}/api/collections/",
                              {"workspace": workspace, "name": "HR", "slug": slug}, headers)  # fmt: skip
    assert status == 201, collection
    endpoint = {"collection": collection["id"], "name": "Hire", "method": "POST", "path": "/hires",
                "recipe": recipe["id"], "mode": mode}  # fmt: skip
    status, endpoint = http("POST", f"{base}/api/endpoints/", endpoint, headers)
    assert status == 201, endpoint
    status, client = http("POST", f"{base}/api/clients/", {"workspace": workspace, "name": "Assistant"}, headers)
    assert status == 201, client
    profile = {"name": "Default", "collections": [collection["id"]], **(profile or {})}
    status, created = http("POST", f"{base}/api/clients/{client['id']}/profiles/", profile, headers)
    assert status == 201, created
    status, key = http("POST", f"{base}/api/clients/{client['id']}/keys/", {"name": "e2e"}, headers)
    assert status == 201, key
    return f"{base}/apim/{slug}/v1", key["secret"], collection


def test_an_async_endpoint_queues_the_recipe_which_messages_the_employee(stack):
    headers, workspace = api_login(stack)
    definition = copy.deepcopy(EXAMPLE["definition"])
    definition["trigger"]["mode"] = "async"
    with LocalServer() as moveworks:
        moveworks.reply("POST", "/rest/v1/events/evt-1/messages/send", json={"ok": True})
        status, connection = http("POST", f"{stack.base_url}/api/connections/", {
            "workspace": workspace, "connector": "moveworks", "name": f"Moveworks {time.time_ns()}",
            "fields": {"base_url": moveworks.url, "event_id": "evt-1", "api_key": "k"}}, headers)  # fmt: skip
        assert status == 201, connection
        url, secret, collection = publish(stack, headers, workspace, definition, bindings={"chat": connection["id"]},
                                          mode="async")  # fmt: skip
        status, accepted = http("POST", f"{url}/hires", EXAMPLE["trigger"]["body"], {"API-Token": secret})
        assert status == 202, accepted
        assert accepted["status_url"].endswith(f"/_jobs/{accepted['job_id']}")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status, job = http("GET", stack.base_url + accepted["status_url"], headers={"API-Token": secret})
            if job.get("status") in ("succeeded", "failed"):
                break
            time.sleep(0.2)
        assert job["status"] == "succeeded", f"{job}\n{stack.log_tail()}"
        assert job["response"] == EXAMPLE["expected"]["response"]
        assert moveworks.requests[0].json == EXAMPLE["expected"]["moveworks_request"]
    for _ in range(50):  # the call log is written behind the answer
        _, calls = http("GET", f"{stack.base_url}/api/calls/?collection={collection['id']}", headers=headers)
        if calls["results"]:
            break
        time.sleep(0.1)
    call = next(c for c in calls["results"] if c["method"] == "POST")  # the status checks are logged too
    assert (call["status"], call["job"]) == (202, accepted["job_id"])
    assert call["queue_ms"] is not None
    assert secret not in json.dumps(calls)


def _call(url: str, secret: str) -> tuple[int, str]:
    request = urllib.request.Request(url, data=b'{"name": "Ada", "email": "ada@example.com"}', method="POST",
                                     headers={"API-Token": secret, "Content-Type": "application/json",
                                              "Connection": "close"})  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.headers["X-Request-Id"]
    except urllib.error.HTTPError as error:
        return error.code, error.headers["X-Request-Id"]


def test_the_rate_limit_is_shared_by_both_web_processes(stack):
    headers, workspace = api_login(stack)
    definition = copy.deepcopy(EXAMPLE["definition"])
    definition["connections"], definition["steps"] = {}, [definition["steps"][-1]]
    for _ in range(5):  # until both web processes have answered calls of one round
        url, secret, _ = publish(stack, headers, workspace, definition, profile={"rate_limit_per_minute": 6})
        if time.time() % 60 > 50:
            time.sleep(61 - time.time() % 60)  # all calls of a round fall in one minute window
        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(lambda _, u=f"{url}/hires", s=secret: _call(u, s), range(16)))
        statuses = sorted(status for status, _ in answers)
        assert statuses == [200] * 6 + [429] * 10, statuses
        ids = {request_id for _, request_id in answers}
        time.sleep(0.5)
        served_by = {m.group(1) for line in stack.log_path.read_text(errors="replace").splitlines()
                     if urlsplit(url).path in line and (m := re.search(r"<(\d+)> ", line))}  # fmt: skip
        if len(served_by) >= 2 and ids:
            return
    pytest.fail(f"one web process answered every call of five rounds: {served_by}")
