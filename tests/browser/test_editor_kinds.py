"""The step panel's forms for each kind of step (for each, set, stop, call) and the trigger panel
for a poll and a function, each filled through the page and checked through the API."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.test_editor import made, saved_when

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def blank(trigger: dict) -> dict:
    return {"format": "stepwise.recipe/1", "name": f"Kinds {time.time_ns()}", "trigger": trigger, "steps": []}


def add(page, kind: str) -> None:
    page.get_by_test_id("open-add-step").click()
    page.select_option("#add-kind", kind)
    page.get_by_role("button", name="Add", exact=True).click()


def panel_text(page, name: str):
    return page.get_by_test_id("step-panel").get_by_role("textbox", name=re.compile(f"^{name}"))


def test_for_each_set_stop_and_call_are_set_up_in_the_panel(signed_in, stack):
    page = signed_in
    headers, url, recipe = made(stack, blank({"kind": "manual"}))
    page.goto(f"/recipes/{recipe['id']}/edit/")
    add(page, "foreach")
    panel_text(page, "List").fill("{{ trigger.body.people }}")
    panel_text(page, "Each item is called").fill("person")
    page.get_by_label("At most (items)").fill("50")
    page.get_by_role("button", name="Add a step to Do of step 1").click()
    page.select_option("#add-kind", "set")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_label("New variable").fill("greeting")
    page.get_by_role("button", name="Add variable").click()
    panel_text(page, "vars.greeting").fill("Hi {{ person.name }}")
    expect(page.get_by_test_id("step-panel").locator(".chip")).to_contain_text("person")
    page.get_by_role("button", name=re.compile("^Step 1: For each")).click()
    add(page, "stop")
    page.get_by_label("Ends the run as").select_option("failed")
    panel_text(page, "Reason").fill("no one left")
    page.get_by_role("button", name=re.compile("^Step 1: For each")).click()
    add(page, "call")
    panel_text(page, "Recipe").fill("Look up a person")
    page.get_by_label("Input (JSON, pills allowed in strings)").fill('{"q": "{{ trigger.body.q }}"')
    expect(page.get_by_test_id("step-panel").locator(".field-error")).to_contain_text("Not valid JSON")
    page.get_by_label("Input (JSON, pills allowed in strings)").fill('{"q": "{{ trigger.body.q }}"}')
    steps = saved_when(page, url, headers, lambda d: len(d["steps"]) == 3 and d["steps"][1].get("input"))["definition"][
        "steps"
    ]
    assert steps[0] == {"id": "foreach", "foreach": "{{ trigger.body.people }}", "as": "person", "max": 50,
                        "do": [{"id": "set", "set": {"greeting": "Hi {{ person.name }}"}}]}  # fmt: skip
    assert steps[1] == {"id": "call", "call": "Look up a person", "input": {"q": "{{ trigger.body.q }}"}}
    assert steps[2] == {"id": "stop", "stop": {"status": "failed", "reason": "no one left"}}


def test_a_poll_and_a_function_trigger_are_set_up_in_the_trigger_panel(signed_in, stack):
    page = signed_in
    headers, url, recipe = made(stack, blank({"kind": "manual"}))
    page.goto(f"/recipes/{recipe['id']}/edit/")
    page.locator(".card-recipe .card-main").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_label("Starts when").select_option("poll")
    page.get_by_label("Poll", exact=True).select_option(label="New items from a JSON API")
    page.get_by_label("Connection slot").select_option(label="New HTTP slot")
    page.get_by_role("textbox", name=re.compile("^url")).fill("https://example.com/tickets")
    page.get_by_label("Every (seconds)").fill("600")
    trigger = saved_when(page, url, headers, lambda d: d["trigger"].get("every_seconds") == 600)["definition"][
        "trigger"
    ]
    assert trigger == {"kind": "poll", "poll": "http.new_items", "every_seconds": 600, "connection": "http",
                       "input": {"url": "https://example.com/tickets"}}  # fmt: skip

    page.once("dialog", lambda dialog: dialog.dismiss())  # cancelled: the trigger stays
    page.get_by_label("Starts when").select_option("function")
    expect(page.get_by_label("Starts when")).to_have_value("poll")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_label("Starts when").select_option("function")
    page.get_by_test_id("edit-input_schema").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_role("button", name="Add a field", exact=True).click()
    named = dialog.get_by_label("Name of field field", exact=True)
    named.fill("q")
    named.press("Enter")
    dialog.get_by_label("q is required", exact=True).check()
    dialog.get_by_role("button", name="Done").click()
    function = saved_when(page, url, headers, lambda d: (d["trigger"].get("input_schema") or {}).get("required"))[
        "definition"
    ]
    assert function["trigger"] == {"kind": "function", "input_schema": {"type": "object", "properties": {
        "q": {"type": "string"}}, "required": ["q"]}, "output_schema": {"type": "object"}}  # fmt: skip
