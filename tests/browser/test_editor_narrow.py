"""The editor at 1024 wide: nothing spills sideways, the side panel and the schema dialog fit,
a failed test run says which step failed; screenshots of each state."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_editor import made
from tests.browser.test_editor_panel import PLAIN

pytestmark = [pytest.mark.browser, pytest.mark.stack]

LOOP = json.loads((Path(__file__).parents[1] / "engine" / "golden" / "ticket_updates_loop.json").read_text())


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1024, f"the page is {width}px wide at 1024"


def test_the_editor_fits_1024_wide_and_a_failed_run_names_its_step(signed_in, stack):
    page = signed_in
    page.set_viewport_size({"width": 1024, "height": 768})
    _headers, _url, recipe = made(stack, LOOP["definition"])
    page.goto(f"/recipes/{recipe['id']}/edit/")
    page.get_by_role("button", name="Step 2.2: Send a chat message in Moveworks").click()
    expect(page.get_by_test_id("step-panel")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "narrow-step-panel")
    page.locator(".card-recipe .card-main").click()
    no_sideways_scroll(page)
    screenshot(page, "narrow-trigger")
    page.get_by_test_id("edit-request_schema").click()
    expect(page.locator("dialog[open] table")).to_be_visible()
    dialog_width = page.locator("dialog[open]").bounding_box()["width"]
    assert dialog_width <= 1024
    screenshot(page, "narrow-designer")
    page.locator("dialog[open]").get_by_role("button", name="Done").click()

    # A run that fails: the card and the test panel say which step and why.
    failing = {**PLAIN, "steps": [{"id": "boom", "set": {"x": "{{ trigger.body.missing.deeper }}"}}]}
    _headers, _url, broken = made(stack, failing)
    page.goto(f"/recipes/{broken['id']}/edit/")
    page.get_by_role("button", name="Test", exact=True).click()
    page.get_by_role("button", name="Run test").click()
    expect(page.get_by_test_id("run-result")).to_have_attribute("data-status", "failed", timeout=60_000)
    expect(page.locator("[data-step=boom] .run-mark")).to_have_text("failed")
    expect(page.get_by_test_id("run-result")).to_contain_text("missing")
    no_sideways_scroll(page)
    screenshot(page, "narrow-failed-run")


def test_an_empty_recipe_says_what_to_do_first(signed_in, stack):
    page = signed_in
    page.set_viewport_size({"width": 1024, "height": 768})
    _headers, _url, recipe = made(stack, {"format": "stepwise.recipe/1", "name": "Empty", "trigger": {"kind": "manual"},
                                          "steps": []})  # fmt: skip
    page.goto(f"/recipes/{recipe['id']}/edit/")
    expect(page.locator(".chain")).to_contain_text("No steps yet.")
    no_sideways_scroll(page)
    screenshot(page, "narrow-empty")
