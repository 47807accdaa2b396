"""The community library in the browser. The issue's "done when": a builder searches the
library, previews a webhook template, uses it with a Moveworks connection made on the spot,
tests it in the editor with the template's samples (pinned: no message sent), publishes and
starts it, and a real event to its webhook messages the requester. And an owner publishes a
recipe of theirs from its last test run, a token-like sample flagged until it is replaced."""

import copy
import json
import re
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from connectors.testkit import LocalServer
from tests.browser.conftest import screenshot
from tests.browser.test_editor_build import wait_job
from tests.stack import ADMIN_USER, api_login, http

pytestmark = [pytest.mark.browser, pytest.mark.stack]

SEND = "/rest/v1/events/evt-1/messages/send"
TICKET_SLUG = "ticket-resolved-notify-requester"  # from the seed library, which the stack's setup loads
EXAMPLE = json.loads((Path(__file__).parents[1] / "engine" / "golden" / "greet_new_hire.json").read_text())


def ticket_template(stack, headers) -> dict:
    """The seed's ticket-resolved template, as the API finds it by a search."""
    _status, page = http("GET", f"{stack.base_url}/api/templates/?q=ticket+resolved&page_size=50", headers=headers)
    found = next(t for t in page["results"] if t["slug"] == TICKET_SLUG)
    _status, detail = http("GET", f"{stack.base_url}/api/templates/{found['id']}/", headers=headers)
    return detail


def looks_right(page, name: str) -> None:
    """Screenshots at 1280 and 1024 wide, neither with a sideways scroll."""
    for width in (1280, 1024):
        page.set_viewport_size({"width": width, "height": 800})
        wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert wide <= 0, f"{name} scrolls sideways by {wide}px at {width} wide"
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1280, "height": 800})


def moveworks_sent(moveworks, count: int, timeout: float = 60) -> list[dict]:
    deadline = time.monotonic() + timeout
    while len(moveworks.requests) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    return [request.json for request in moveworks.requests]


def moveworks_step(definition: dict) -> dict:
    """The template's Moveworks step, wherever it sits (the seed's file may differ from ours)."""

    def walk(steps):
        for step in steps or []:
            yield step
            for key in ("then", "else", "do", "on_error"):
                yield from walk(step.get(key))
            for branch in step.get("else_if") or []:
                yield from walk(branch.get("then"))

    return next(step for step in walk(definition["steps"]) if step.get("action") == "moveworks.send_message")


def fresh_event(trigger: dict, body: dict) -> tuple[bytes, dict]:
    """A sample event as a new one: its event id (a field or a header) never seen before."""
    body, headers = copy.deepcopy(body), {"Content-Type": "application/json"}
    options, unique = trigger.get("input") or {}, f"evt-{time.time_ns()}"
    if options.get("event_id_field"):
        *path, last = options["event_id_field"].split(".")
        holder = body
        for part in path:
            holder = holder.setdefault(part, {})
        holder[last] = unique
    if options.get("event_id_header"):
        headers[options["event_id_header"]] = unique
    return json.dumps(body).encode(), headers


def test_a_webhook_template_is_found_used_tested_started_and_messages_the_requester(signed_in, stack):
    page = signed_in
    headers, _workspace = api_login(stack)
    template = ticket_template(stack, headers)
    step = moveworks_step(template["recipe"])
    slot, cases = step["connection"], template["self_test"]["cases"]
    messaging = next(case for case in cases if case["expect"].get("calls", {}).get(step["id"]))
    expected = messaging["expect"]["calls"][step["id"]][0]

    # A search that finds nothing, with a filter that is no filter: said so, and undone in one click.
    page.goto("/library/?q=nothing+like+this&category=Gardening")
    expect(page.get_by_test_id("no-templates")).to_contain_text("No template matches these words and filters.")
    expect(page.locator("#error-category")).to_contain_text("Select a valid choice")
    looks_right(page, "library-empty")
    page.get_by_test_id("no-templates").get_by_role("link", name="Clear the filters").click()
    expect(page.get_by_test_id("templates")).to_be_visible()

    # Search the library and open the template's preview.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    page.get_by_label("Search", exact=True).fill("ticket resolved")
    page.get_by_label("Search", exact=True).press("Enter")  # by keys: the search box submits the form
    results = page.get_by_test_id("templates")
    card = results.locator("li", has=page.get_by_role("link", name=template["title"]))
    expect(card).to_contain_text("Moveworks")
    expect(card).to_contain_text(f"Verified on {template['verified_on']}")
    looks_right(page, "library-list")
    card.get_by_role("link", name=template["title"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(template["title"])
    chain = page.get_by_test_id("template-chain")
    tell = chain.get_by_role("button", name=re.compile(r"^Step [\d.]+: Send a chat message in Moveworks"))
    tell.focus()
    page.keyboard.press("Enter")  # a card is selected by keys, as in the editor
    expect(page.get_by_test_id("step-settings")).to_contain_text("moveworks.send_message")
    use = page.get_by_role("link", name="Use this template")
    use.focus()
    assert use.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"  # the focus shows
    expect(page.get_by_test_id("expected-calls").first).to_contain_text(expected["recipients"][0])
    expect(page.get_by_test_id("slots")).to_contain_text(slot)
    looks_right(page, "library-preview")

    with LocalServer() as moveworks:
        moveworks.reply("POST", SEND, json={"ok": True})
        # Use it: the admin's own workspace, and a new connection to the stand-in Moveworks.
        use.press("Enter")
        page.get_by_label("Workspace", exact=True).select_option(label=f"{ADMIN_USER}'s workspace")
        page.get_by_role("button", name="Show its connections").click()
        fields = page.get_by_test_id(f"new-connection-{slot}")
        expect(fields).to_be_hidden()  # until a new connection is chosen
        page.get_by_label(f"Connection for {slot}").select_option(label="Create a new connection…")
        expect(fields).to_be_visible()
        fields.get_by_label("Name", exact=True).fill(f"Stand-in Moveworks {time.time_ns()}")
        fields.get_by_label("API base URL").fill("not a url")
        fields.get_by_label("Default event id").fill("evt-1")
        fields.get_by_label("API key").fill("k-stand-in")
        page.get_by_role("button", name="Create the recipe").click()
        # A bad field: the form again, the message by the field, the fields still open.
        expect(fields.locator("[data-field=base_url]")).to_contain_text("Enter a valid URL")
        expect(page.get_by_label(f"Connection for {slot}")).to_have_value("new")
        looks_right(page, "library-use-error")
        fields.get_by_label("API base URL").fill(moveworks.url)
        fields.get_by_label("API key").fill("k-stand-in")  # a secret is typed again, never shown back
        page.get_by_role("button", name="Create the recipe").click()

        # The editor, with the template's sample and pins: a test runs at once and sends nothing.
        page.wait_for_url(re.compile(r"/recipes/\d+/edit/$"))
        recipe_id = int(page.url.rstrip("/").split("/")[-2])
        expect(page.locator(f"[data-step={step['id']}] .pin-mark")).to_be_visible()
        sample = page.get_by_label("Sample trigger data (JSON)")
        expect(sample).not_to_have_value("")
        assert json.loads(sample.input_value()) == cases[0]["trigger"]
        page.get_by_role("button", name="Run test").click()
        expect(page.get_by_test_id("run-result")).to_have_attribute("data-status", "succeeded", timeout=60_000)
        if cases[0]["expect"].get("calls", {}).get(step["id"]):
            expect(page.locator(f"[data-step={step['id']}] .run-mark")).to_have_text("succeeded")
        assert moveworks.requests == []
        looks_right(page, "library-clone-tested")

        # Publish and start it from the editor, then a real event to its webhook.
        page.get_by_role("button", name="Publish", exact=True).click()
        expect(page.locator(".editor-toolbar")).to_contain_text("live: version")
        page.get_by_role("button", name="Start", exact=True).click()
        expect(page.get_by_test_id("editor-state")).to_have_text("running")
        _status, trigger = http("GET", f"{stack.base_url}/api/recipes/{recipe_id}/trigger/", headers=headers)
        body, sent_headers = fresh_event(template["recipe"]["trigger"], messaging["trigger"]["body"])
        request = urllib.request.Request(trigger["webhook"]["url"], data=body, method="POST", headers=sent_headers)
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status in (200, 202)
        assert moveworks_sent(moveworks, 1) == [expected]


def test_an_owner_publishes_a_recipe_once_a_flagged_sample_is_replaced(signed_in, stack):
    page = signed_in
    headers, workspace = api_login(stack)
    suffix = time.time_ns() % 10**8
    with LocalServer() as moveworks:
        moveworks.reply("POST", SEND, json={"ok": True})
        _s, connection = http("POST", f"{stack.base_url}/api/connections/", {
            "workspace": workspace, "connector": "moveworks", "name": f"Publish stand-in {suffix}",
            "fields": {"base_url": moveworks.url, "event_id": "evt-1", "api_key": "k-publish"}}, headers)  # fmt: skip
        definition = {**EXAMPLE["definition"], "name": f"Welcome hires {suffix}"}
        made = {"workspace": workspace, "definition": definition, "bindings": {"chat": connection["id"]}}
        status, recipe = http("POST", f"{stack.base_url}/api/recipes/", made, headers)
        assert status == 201, recipe
        # Before a first test run there is no self-test to offer.
        page.goto(f"/recipes/{recipe['id']}/library/")
        expect(page.get_by_test_id("no-test-run")).to_contain_text("Run a test in the editor first")
        looks_right(page, "library-publish-before-a-test-run")
        status, started = http("POST", f"{stack.base_url}/api/recipes/{recipe['id']}/test/",
                               {"trigger": EXAMPLE["trigger"]}, headers)  # fmt: skip
        assert status == 202, started
        assert wait_job(stack.base_url, headers, started["job_id"])["status"] == "succeeded"

    page.goto(f"/recipes/{recipe['id']}/")
    page.get_by_role("link", name="Publish to the library").click()
    form = page.get_by_test_id("publish-form")
    expect(form.get_by_label("Title")).to_have_value(definition["name"])
    form.get_by_label("Summary").fill("Greets each new hire in chat and answers a greeting.")
    form.get_by_label("Category").select_option("HR")
    form.get_by_label("Tags").fill("onboarding, chat")
    form.get_by_label("Description").fill("Welcomes **new hires** in Moveworks.")
    sample = form.get_by_label("Trigger payload")
    offered = sample.input_value()
    assert json.loads(offered) == EXAMPLE["trigger"]
    # A token-like value in the sample: flagged by the part it is in, and nothing stored.
    sample.fill(json.dumps({"body": {**EXAMPLE["trigger"]["body"], "note": "Bearer abcdefghijklmnop1234"}}, indent=2))
    form.get_by_role("button", name="Publish to the library").click()
    notes = page.get_by_test_id("notes-case-0-trigger")
    expect(notes).to_contain_text("Secret: must be replaced.")
    expect(notes).to_contain_text("/body/note")
    expect(page.get_by_label("Trigger payload")).to_have_attribute("aria-invalid", "true")
    looks_right(page, "library-publish-flagged")
    _status, listed = http("GET", f"{stack.base_url}/api/templates/?q=welcome+{suffix}", headers=headers)
    assert listed["results"] == []

    page.get_by_label("Trigger payload").fill(offered)
    page.get_by_test_id("publish-form").get_by_role("button", name="Publish to the library").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(definition["name"])
    expect(page.get_by_test_id("verified")).to_contain_text("Verified on")
    expect(page.get_by_role("button", name="Unpublish")).to_be_visible()  # its workspace's owner
    expect(page.locator(".schema-table").first).to_contain_text("email")
    looks_right(page, "library-published-preview")
    _status, listed = http("GET", f"{stack.base_url}/api/templates/?q=welcome+{suffix}", headers=headers)
    assert [(t["title"], t["verified"], t["listed"]) for t in listed["results"]] == [(definition["name"], True, True)]
