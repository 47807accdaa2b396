"""Every seed template, cloned through the API with each slot bound to a connection that points
at a stand-in of its app, runs each case of its self-test on the real worker with no app step
pinned (only a step that calls no app, such as the time now, keeps its pin): the run ends as
the self-test expects, answers what it expects, and each app receives exactly what the pinned
steps would have sent."""

import json
import time

import pytest

from builder.library.services import SEED_DIR
from tests.e2e.test_jobs import wait_for_job
from tests.library.standins import Apps
from tests.stack import api_login, http

pytestmark = pytest.mark.stack

SEEDS = sorted(SEED_DIR.glob("*.json"))


@pytest.fixture(scope="module")
def library(stack) -> dict[str, int]:
    """slug -> template id, as the stack's setup loaded the seed."""
    headers, _workspace = api_login(stack)
    found, cursor = {}, ""
    while True:
        status, page = http("GET", f"{stack.base_url}/api/templates/?page_size=100&sort=name{cursor}", headers=headers)
        assert status == 200, page
        found.update({t["slug"]: t["id"] for t in page["results"]})
        if not page["next"]:
            return found
        cursor = f"&cursor={page['next']}"


def bind(stack, headers, workspace: int, apps: Apps, definition: dict) -> dict[str, int]:
    """A new connection per slot, to that slot's stand-in."""
    bindings = {}
    for slot, spec in (definition.get("connections") or {}).items():
        body = {"workspace": workspace, "connector": spec["connector"], "name": f"{slot} {time.time_ns()}",
                "fields": apps.connection_fields(slot, spec["connector"])}  # fmt: skip
        status, connection = http("POST", f"{stack.base_url}/api/connections/", body, headers)
        assert status == 201, connection
        bindings[slot] = connection["id"]
    return bindings


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem for p in SEEDS])
def test_a_seed_template_runs_on_the_worker_against_its_apps(stack, library, path):
    document = json.loads(path.read_text())
    headers, workspace = api_login(stack)
    definition, template = document["recipe"], library[document["slug"]]
    for n, case in enumerate(document["self_test"]["cases"]):
        with Apps(definition, case) as apps:
            bindings = bind(stack, headers, workspace, apps, definition)
            status, recipe = http("POST", f"{stack.base_url}/api/templates/{template}/clone/",
                                  {"workspace": workspace, "bindings": bindings}, headers)  # fmt: skip
            assert status == 201, recipe
            status, queued = http("POST", f"{stack.base_url}/api/recipes/{recipe['id']}/test/",
                                  {"trigger": case["trigger"], "pins": apps.pins}, headers)  # fmt: skip
            assert status == 202, queued
            job = wait_for_job(stack, headers, queued["job_id"])
            expect = case["expect"]
            assert job["status"] == expect.get("status", "succeeded"), (n, job["error"], job["steps"])
            if expect.get("response") is not None:
                assert {key: job["response"].get(key) for key in expect["response"]} == expect["response"], n
            assert apps.mismatches() == [], n
