"""Every golden recipe survives the editor: opened, every card and the trigger looked at (each
panel, form and schema dialog drawn), nothing changed, the draft is exactly what it was and
no save was made."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_editor import draft, made

pytestmark = [pytest.mark.browser, pytest.mark.stack]

GOLDEN = sorted((Path(__file__).parents[1] / "engine" / "golden").glob("*.json"))


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_a_golden_recipe_round_trips_through_the_editor_unchanged(signed_in, stack, path):
    page = signed_in
    definition = json.loads(path.read_text())["definition"]
    headers, url, recipe = made(stack, definition)
    page.goto(f"/recipes/{recipe['id']}/edit/")
    cards = page.locator(".card-main")
    expect(cards.first).to_be_visible()
    for index in range(cards.count()):
        cards.nth(index).click()
        expect(page.locator(".editor-side h2").first).to_be_visible()
    page.locator(".card-recipe .card-main").click()
    for button in page.locator(".schema-block > .field-head button").all():
        button.click()
        expect(page.locator("dialog[open] table, dialog[open] textarea").first).to_be_visible()
        page.locator("dialog[open]").get_by_role("button", name="Done").click()
    page.get_by_role("button", name="Test", exact=True).click()
    page.wait_for_timeout(2000)  # longer than the autosave's wait
    expect(page.locator(".save-state")).to_have_text("Saved")
    after = draft(url, headers)
    assert after["definition"] == definition
    assert after["revision"] == recipe["revision"]
