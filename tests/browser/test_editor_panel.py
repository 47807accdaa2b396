"""The editor's step panel: pills from the data tree (by keyboard and by dragging), flagged when
they read a step out of scope, renaming a step (its pills follow), retries, formula mode with
the server's preview on a test run's data; each checked through the API."""

import copy
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_editor import EXAMPLE, draft, made, saved_when

pytestmark = [pytest.mark.browser, pytest.mark.stack]

# The example with its chat step made a log step: test runs need no connection.
PLAIN = copy.deepcopy(EXAMPLE["definition"])
PLAIN.pop("connections")
PLAIN["steps"][0] = {"id": "tell", "action": "data.log", "input": {"message": "Welcome, {{ trigger.body.name }}!"}}


def card(page, number: str):
    return page.get_by_role("button", name=re.compile(f"^Step {re.escape(number)}: "))


def text_field(page, name: str):
    return page.get_by_test_id("step-panel").get_by_role("textbox", name=re.compile(f"^{name}"))


def test_pills_from_the_tree_rename_and_retry(signed_in, stack):
    page = signed_in
    headers, url, recipe = made(stack, PLAIN)
    page.goto(f"/recipes/{recipe['id']}/edit/")

    # A pill by keyboard: the tree's button puts it at the caret of the last field.
    card(page, "2.1").click()
    message = text_field(page, "message")
    message.fill("hire ")
    message.press("End")
    tree = page.locator(".data-tree")
    tree.get_by_role("button", name="Insert steps.tell.message").focus()
    page.keyboard.press("Enter")
    expect(message).to_have_value("hire {{ steps.tell.message }}")
    expect(message).to_be_focused()
    expect(page.get_by_test_id("step-panel").locator(".chip")).to_contain_text("tell")

    # Renaming the step it reads: the pill follows.
    card(page, "1").click()
    step_id = page.get_by_label("Step id")
    step_id.fill("9 bad")
    expect(page.locator("#step-id-help")).to_contain_text("An id starts with a letter")
    step_id.fill("greet")
    step_id.press("Enter")
    saved = saved_when(page, url, headers, lambda d: d["steps"][0]["id"] == "greet")["definition"]
    assert saved["steps"][1]["then"][0]["input"]["message"] == "hire {{ steps.greet.message }}"

    # Retries, and clearing them leaves nothing behind.
    page.get_by_text("Retry and errors").click()
    page.get_by_label("Retries").fill("3")
    saved_when(page, url, headers, lambda d: d["steps"][0].get("retry") == {"count": 3})
    page.get_by_label("Retries").fill("")
    saved_when(page, url, headers, lambda d: "retry" not in d["steps"][0])

    # A pill to a later step is flagged at once, on its chip and on its card, before any save.
    card(page, "1").click()
    first = text_field(page, "message")
    first.fill("{{ steps.reply.status }}")
    expect(page.get_by_test_id("step-panel").locator(".chip-bad")).to_contain_text("reply")
    expect(page.locator("[data-step=greet] .problem-badge")).to_have_text("1 problem")
    screenshot(page, "editor-pill-flagged")
    later = saved_when(page, url, headers, lambda d: d["steps"][0]["input"]["message"] == "{{ steps.reply.status }}")
    assert [p["pointer"] for p in later["problems"]] == ["/steps/0/input/message"]


def test_a_pill_dragged_from_the_tree_drops_into_a_field(signed_in, stack):
    page = signed_in
    headers, url, recipe = made(stack, PLAIN)
    page.goto(f"/recipes/{recipe['id']}/edit/")
    card(page, "3").click()
    greeting = text_field(page, "greeting")
    greeting.fill("")
    tree = page.locator(".data-tree")
    tree.get_by_role("button", name="Open body").click()
    tree.get_by_role("button", name="Insert trigger.body.email").drag_to(greeting)
    expect(greeting).to_have_value("{{ trigger.body.email }}")
    saved_when(
        page, url, headers, lambda d: d["steps"][2]["respond"]["body"] == {"greeting": "{{ trigger.body.email }}"}
    )


def test_formula_mode_previews_its_value_on_the_last_test_run(signed_in, stack):
    page = signed_in
    headers, url, recipe = made(stack, PLAIN)
    page.goto(f"/recipes/{recipe['id']}/edit/")
    page.get_by_role("button", name="Test", exact=True).click()
    page.get_by_label("Sample trigger data (JSON)").fill('{"body": {"name": "Ada", "email": "ada@example.com"}}')
    page.get_by_role("button", name="Run test").click()
    expect(page.get_by_test_id("run-result")).to_have_attribute("data-status", "succeeded", timeout=60_000)
    job_id = page.get_by_test_id("run-result").get_by_role("link").inner_text().lstrip("#")

    card(page, "2").click()
    page.get_by_role("button", name="Formula mode for Condition").click()
    condition = page.get_by_role("combobox", name=re.compile("^Condition"))  # a list of names to complete
    expect(condition).to_have_value("trigger.body.email.endswith('@example.com')")
    preview = page.get_by_test_id("step-panel").locator(".preview")
    expect(preview).to_contain_text(f"on test run #{job_id}")
    expect(preview).to_contain_text("true")
    condition.fill("trigger.body.name.upper() == 'ADA'")
    expect(preview).to_contain_text("true")
    condition.fill("trigger.body.nope.upper()")
    expect(page.get_by_test_id("step-panel").locator(".preview-bad")).to_contain_text("nope")
    condition.fill("trigger.body.name.upper()")
    expect(preview).to_contain_text('"ADA"')
    # The data tree shows the run's values.
    expect(page.locator(".data-tree")).to_contain_text("Values of the last test run")
    screenshot(page, "editor-formula")
    saved = saved_when(page, url, headers, lambda d: d["steps"][1]["if"] == "{{ trigger.body.name.upper() }}")
    assert saved["revision"] > recipe["revision"]
    assert draft(url, headers)["definition"]["steps"][1]["then"] == PLAIN["steps"][1]["then"]
