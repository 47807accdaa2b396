"""The issue's "done when": a newcomer builds DESIGN.md's example recipe from an empty recipe
in the browser alone (schemas in the designer, a Moveworks step whose recipients and message
are pills, an if block, a respond step), tests it against a stand-in Moveworks, pins the
Moveworks step and tests again without a message sent, publishes, makes it an endpoint,
calls it, and finds it in the list. Each stage is checked through the API."""

import re
import time

import pytest
from playwright.sync_api import expect

from connectors.testkit import LocalServer
from tests.browser.conftest import screenshot
from tests.browser.test_editor import draft, saved_when
from tests.stack import api_login, http

pytestmark = [pytest.mark.browser, pytest.mark.stack]

SEND = "/rest/v1/events/evt-1/messages/send"


def add_field(dialog, name: str, *, required: bool) -> None:
    dialog.get_by_role("button", name="Add a field", exact=True).click()
    named = dialog.get_by_label("Name of field field", exact=True)
    named.fill(name)
    named.press("Enter")
    if required:
        dialog.get_by_label(f"{name} is required", exact=True).check()


def design(page, button: str, fields: list[tuple[str, bool]]) -> None:
    page.get_by_test_id(button).click()
    dialog = page.locator("dialog[open]")
    for name, required in fields:
        add_field(dialog, name, required=required)
    dialog.get_by_role("button", name="Done").click()
    expect(page.locator("dialog[open]")).to_have_count(0)


def insert_pill(page, expression: str) -> None:
    """Open the data tree down to `expression` and click it: its pill goes to the caret."""
    parts = expression.split(".")
    tree = page.locator(".data-tree")
    for depth in range(1, len(parts)):
        toggle = tree.get_by_role("button", name=f"Open {parts[depth - 1] if depth > 1 else 'Trigger'}", exact=True)
        if toggle.count():
            toggle.first.click()
    tree.get_by_role("button", name=f"Insert {expression}", exact=True).click()


def wait_job(url: str, headers: dict, job_id: int) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        _status, job = http("GET", f"{url}/api/jobs/{job_id}/", headers=headers)
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(job)


def test_a_newcomer_builds_tests_pins_publishes_and_calls_the_example(signed_in, stack):
    page = signed_in
    headers, _workspace = api_login(stack)
    name = f"Greet a new hire {time.time_ns() % 10**8}"
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Recipes").click()
    page.get_by_label("New recipe").fill(name)
    page.get_by_label("What starts it").select_option("api_request")
    page.get_by_role("button", name="Create and edit").click()
    recipe_id = page.url.rstrip("/").split("/")[-2]
    url = f"{stack.base_url}/api/recipes/{recipe_id}/"

    # The trigger: request and response schemas made in the designer.
    page.locator(".card-recipe .card-main").click()
    design(page, "edit-request_schema", [("name", True), ("email", True)])
    design(page, "edit-response_schema", [("greeting", True)])
    # An autosave may land between adding the field and ticking "required": wait for the last edit.
    saved = saved_when(page, url, headers, lambda d: (d["trigger"].get("response_schema") or {}).get("required"))
    trigger = saved["definition"]["trigger"]
    assert trigger["request_schema"] == {"type": "object", "properties": {"name": {"type": "string"},
                                         "email": {"type": "string"}}, "required": ["name", "email"]}  # fmt: skip
    assert trigger["response_schema"]["required"] == ["greeting"]
    screenshot(page, "build-trigger")

    with LocalServer() as moveworks:
        moveworks.reply("POST", SEND, json={"ok": True, "sent": 1})

        # A Moveworks step: a new slot, a connection made on the spot, pills for its fields.
        page.get_by_test_id("open-add-step").click()
        page.get_by_label("Find an action").fill("chat message")
        page.get_by_role("radio", name=re.compile("Send a chat message")).check()
        page.get_by_role("button", name="Add", exact=True).click()
        panel = page.get_by_test_id("step-panel")
        expect(panel).to_contain_text("Step 1: Action")
        panel.get_by_label("Connection slot").select_option(label="New Moveworks slot")
        panel.get_by_label("Connection for slot moveworks").select_option(label="Create a connection…")
        panel.get_by_label("Name", exact=True).fill(f"Stand-in Moveworks {time.time_ns()}")
        panel.get_by_label("API base URL").fill(moveworks.url)
        panel.get_by_label("Default event id").fill("evt-1")
        panel.get_by_label("API key").fill("k-secret")
        panel.get_by_role("button", name="Create and bind").click()
        expect(panel.get_by_label("Connection for slot moveworks")).not_to_have_value("")
        panel.get_by_role("button", name="Add recipients item").click()
        panel.get_by_role("textbox", name=re.compile("^recipients item 1")).click()
        insert_pill(page, "trigger.body.email")
        message = panel.get_by_role("textbox", name=re.compile("^message"))
        message.click()
        message.press_sequentially("Welcome, ")
        insert_pill(page, "trigger.body.name")
        message.press("End")
        message.press_sequentially("!")
        expect(panel.locator(".chip").first).to_contain_text("trigger")

        # An if block with a step inside, then the respond step with a pill.
        page.get_by_test_id("open-add-step").click()
        page.select_option("#add-kind", "if")
        page.get_by_role("button", name="Add", exact=True).click()
        page.get_by_role("textbox", name=re.compile("^Condition")).fill(
            "{{ trigger.body.email.endswith('@example.com') }}"
        )
        page.get_by_role("button", name="Add a step to Then of step 2").click()
        page.get_by_label("Find an action").fill("log")
        page.get_by_role("radio", name=re.compile("Log a message")).check()
        page.get_by_role("button", name="Add", exact=True).click()
        page.get_by_test_id("step-panel").get_by_role("textbox", name=re.compile("^message")).fill("internal hire")
        page.get_by_role("button", name=re.compile("^Step 2: If")).click()
        page.get_by_test_id("open-add-step").click()
        page.select_option("#add-kind", "respond")
        page.get_by_role("button", name="Add", exact=True).click()
        greeting = page.get_by_test_id("step-panel").get_by_role("textbox", name=re.compile("^greeting"))
        greeting.click()
        greeting.press_sequentially("Hello ")
        insert_pill(page, "trigger.body.name")

        built = saved_when(page, url, headers, lambda d: len(d["steps"]) == 3
                           and "{{ trigger.body.name }}" in str(d["steps"][2]))["definition"]  # fmt: skip
        assert built["connections"] == {"moveworks": {"connector": "moveworks"}}
        tell, vip, reply = built["steps"]
        assert tell == {"id": "send_message", "action": "moveworks.send_message", "connection": "moveworks",
                        "input": {"recipients": ["{{ trigger.body.email }}"],
                                  "message": "Welcome, {{ trigger.body.name }}!"}}  # fmt: skip
        assert vip["if"] == "{{ trigger.body.email.endswith('@example.com') }}"
        assert vip["then"] == [{"id": "log", "action": "data.log", "input": {"message": "internal hire"}}]
        assert reply["respond"] == {"status": 200, "body": {"greeting": "Hello {{ trigger.body.name }}"}}
        assert draft(url, headers)["problems"] == []
        screenshot(page, "build-chain")

        # Test against the stand-in: every card says how its step went.
        page.get_by_role("button", name="Test", exact=True).click()
        sample = page.get_by_label("Sample trigger data (JSON)")
        sample.fill('{"body": {"name": "Ada", "email": "ada@example.com"}}')
        page.get_by_role("button", name="Run test").click()
        expect(page.get_by_test_id("run-result")).to_have_attribute("data-status", "succeeded", timeout=60_000)
        for step in ("send_message", "if", "log", "respond"):
            expect(page.locator(f"[data-step={step}] .run-mark").first).to_have_text("succeeded")
        assert [r.json for r in moveworks.requests] == [{"recipients": ["ada@example.com"], "message": "Welcome, Ada!"}]
        screenshot(page, "build-tested")

        # Pin the Moveworks step's output and test again: no message is sent.
        first_job = page.get_by_test_id("run-result").get_by_role("link").inner_text()
        page.get_by_role("button", name="Step 1: Send a chat message in Moveworks").click()
        expect(page.locator(".step-run")).to_contain_text('"sent": 1')
        page.get_by_role("button", name="Pin this output").click()
        expect(page.locator("[data-step=send_message] .pin-mark")).to_be_visible()
        page.get_by_role("button", name="Test", exact=True).click()
        page.get_by_role("button", name="Run test").click()
        expect(page.get_by_test_id("run-result").get_by_role("link")).not_to_have_text(first_job)
        expect(page.get_by_test_id("run-result")).to_have_attribute("data-status", "succeeded", timeout=60_000)
        job_id = int(page.get_by_test_id("run-result").get_by_role("link").inner_text().lstrip("#"))
        job = wait_job(stack.base_url, headers, job_id)
        assert {s["step_id"]: s["pinned"] for s in job["steps"]}["send_message"] is True
        assert len(moveworks.requests) == 1
        screenshot(page, "build-pinned")

        # Publish, start, and make it an endpoint of a new collection.
        page.get_by_label("What changed (optional)").fill("first version")
        page.get_by_role("button", name="Publish").click()
        expect(page.locator(".editor-toolbar")).to_contain_text("live: version 1")
        page.get_by_role("button", name="Start").click()
        expect(page.get_by_test_id("editor-state")).to_have_text("running")
        recipe = draft(url, headers)
        assert (recipe["live_version"], recipe["state"]) == (1, "running")

        suffix = time.time_ns() % 10**8
        page.get_by_role("navigation", name="Main").get_by_role("link", name="API platform").click()
        page.fill("#id_name", "People")
        page.fill("#id_slug", f"people-{suffix}")
        page.get_by_role("button", name="Create collection").click()
        page.fill("#ep_name", "Greet")
        page.fill("#ep_path", "/hires")
        page.select_option("#ep_recipe", label=f"{name} (running)")
        page.get_by_role("button", name="Add endpoint").click()
        expect(page.get_by_test_id("endpoints")).to_contain_text("/hires")

        # Call it, as the assistant would, with a key of a client allowed the collection.
        _s, collections = http("GET", f"{stack.base_url}/api/collections/", headers=headers)
        collection = next(c for c in collections if c["slug"] == f"people-{suffix}")
        named = {"workspace": recipe["workspace"], "name": f"Assistant {suffix}"}
        _s, client = http("POST", f"{stack.base_url}/api/clients/", named, headers)
        http("POST", f"{stack.base_url}/api/clients/{client['id']}/profiles/",
             {"name": "Default", "collections": [collection["id"]]}, headers)  # fmt: skip
        _s, key = http("POST", f"{stack.base_url}/api/clients/{client['id']}/keys/", {"name": "e2e"}, headers)
        status, answer = http("POST", f"{stack.base_url}/apim/people-{suffix}/v1/hires",
                              {"name": "Ada", "email": "ada@example.com"}, {"API-Token": key["secret"]})  # fmt: skip
        assert (status, answer) == (200, {"greeting": "Hello Ada"})
        assert len(moveworks.requests) == 2, "a live run never uses a test run's pins"

        page.get_by_role("navigation", name="Main").get_by_role("link", name="Recipes").click()
        expect(page.get_by_role("link", name=name)).to_be_visible()
